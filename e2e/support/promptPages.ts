// Page object for the prompt library, in the words of its test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class PromptsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-prompts').click();
    await expect(this.page.getByTestId('prompt-new')).toBeVisible();
  }

  async newPrompt(name: string): Promise<void> {
    await this.page.getByTestId('prompt-new').click();
    await this.page.getByTestId('prompt-name-input').fill(name);
  }

  /** Types into message i's Monaco editor the way a person does: focus it, select all, type. */
  async typeMessage(index: number, text: string): Promise<void> {
    const editor = this.page.getByTestId(`prompt-message-editor-${index}`).locator('.monaco-editor').first();
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  async save(message: string): Promise<void> {
    await this.page.getByTestId('prompt-save-message').fill(message);
    await this.page.getByTestId('prompt-save').click();
  }

  row(name: string): Locator {
    return this.page.getByTestId('prompt-row').filter({ hasText: name });
  }

  preview(): Locator {
    return this.page.getByTestId('prompt-preview');
  }

  async history(): Promise<void> {
    await this.page.getByTestId('prompt-tab-history').click();
  }

  async editor(): Promise<void> {
    await this.page.getByTestId('prompt-tab-editor').click();
  }

  version(n: number): Locator {
    return this.page.locator(`[data-testid="version-row"][data-version="${n}"]`);
  }

  labelsOf(n: number): Locator {
    return this.version(n).getByTestId('label-chip');
  }

  async diff(a: number, b: number): Promise<void> {
    await this.version(a).getByTestId('version-pick').check();
    await this.version(b).getByTestId('version-pick').check();
    await this.page.getByTestId('version-diff').click();
  }

  async setLabel(n: number, label: 'production' | 'candidate'): Promise<void> {
    await this.version(n).click();
    await this.page.getByTestId('label-choice').selectOption(label);
    await this.page.getByTestId('label-set').click();
  }

  async restore(n: number, message: string): Promise<void> {
    await this.version(n).click();
    await this.page.getByTestId('version-restore').click();
    await this.page.getByTestId('restore-message-input').fill(message);
    await this.page.getByTestId('version-restore-confirm').click();
  }
}
