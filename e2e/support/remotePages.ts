// Page objects for remote targets, Compare and the local API server, in the words of their test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class TargetsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-targets').click();
  }

  async add(t: { name: string; urls: string[]; key?: string; headers?: string }): Promise<void> {
    await this.page.getByTestId('target-add').click();
    await this.page.getByTestId('target-name-input').fill(t.name);
    await this.page.getByTestId('target-urls-input').fill(t.urls.join('\n'));
    if (t.key) await this.page.getByTestId('target-key-input').fill(t.key);
    if (t.headers) await this.page.getByTestId('target-headers-input').fill(t.headers);
    await this.page.getByTestId('target-save').click();
    await expect(this.row(t.name)).toBeVisible();
  }

  row(name: string): Locator {
    return this.page.getByTestId('target-row').filter({ hasText: name });
  }
}

export class ComparePage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-compare').click();
  }

  async typeInto(testId: 'compare-system-editor' | 'compare-user-editor', text: string): Promise<void> {
    const editor = this.page.getByTestId(testId).locator('.monaco-editor').first();
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  select(index: number): Locator {
    return this.page.getByTestId('compare-column-select').nth(index);
  }

  /** Picks the first enabled option whose text contains `needle`. */
  async choose(index: number, needle: string): Promise<void> {
    const select = this.select(index);
    await expect(select.locator('option', { hasText: needle }).first()).toBeAttached();
    // Option labels carry sizes and states ("· loaded"); pick by the part we know.
    const options = await select.locator('option').evaluateAll((els) =>
      els.map((o) => ({ text: o.textContent ?? '', value: o.getAttribute('value') ?? '', disabled: o.hasAttribute('disabled') })),
    );
    const option = options.find((o) => !o.disabled && o.text.includes(needle));
    if (!option) throw new Error(`No option containing "${needle}" in column ${index + 1}`);
    await select.selectOption(option.value);
  }

  async allFinished(): Promise<void> {
    await expect
      .poll(async () => this.page.getByTestId('compare-column').evaluateAll((cols) => cols.every((c) => ['done', 'error'].includes(c.getAttribute('data-state') ?? ''))), { timeout: 60_000 })
      .toBe(true);
  }
}
