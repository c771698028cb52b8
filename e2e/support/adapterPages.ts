// Page objects for LoRA adapters (the Models view's Adapters section, attach controls in Compare) and the
// Fine-tune view, in the words of their test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class AdaptersPage {
  constructor(private readonly page: Page) {}

  async add(path: string): Promise<void> {
    await this.page.getByTestId('adapter-path-input').fill(path);
    await this.page.getByTestId('adapter-add').click();
    // Done (added or refused) before the next step: a path typed while an add is still running is cleared
    // when it ends, which on a loaded machine left the next add's button disabled for good.
    await expect(this.page.getByTestId('adapter-add')).toHaveText('Add adapter', { timeout: 60_000 });
  }

  row(fileName: string): Locator {
    return this.page.getByTestId('adapter-row').filter({ hasText: fileName });
  }

  /** Checks an adapter against a library model and returns the verdict. */
  async check(fileName: string, modelFileName: string): Promise<Locator> {
    const row = this.row(fileName);
    const select = row.getByTestId('adapter-check-model');
    const value = await select.locator('option', { hasText: modelFileName }).first().getAttribute('value');
    await select.selectOption(value ?? '');
    await row.getByTestId('adapter-check').click();
    const result = row.getByTestId('adapter-check-result');
    await expect(result).toBeVisible();
    return result;
  }
}

export class CompareAdapters {
  constructor(private readonly page: Page) {}

  /** Attaches an adapter (by its name) to column `index`'s local model, at `scale`. */
  async attach(index: number, adapterName: string, scale: string): Promise<void> {
    const box = this.page.getByTestId(`compare-adapters-${index}`);
    const pick = box.getByTestId(`compare-adapters-${index}-add`);
    const value = await pick.locator('option', { hasText: adapterName }).first().getAttribute('value');
    await pick.selectOption(value ?? '');
    const input = box.getByTestId(`compare-adapters-${index}-scale`).last();
    await input.fill(scale);
    await input.blur();
  }

  label(index: number): Locator {
    return this.page.getByTestId(`compare-adapters-${index}-label`);
  }
}

export class TrainingPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-training').click();
    await expect(this.page.getByTestId('training-package-form')).toBeVisible();
  }

  async pick(testId: string, optionText: string): Promise<void> {
    const select = this.page.getByTestId(testId);
    await expect(select.locator('option', { hasText: optionText }).first()).toBeAttached();
    const value = await select.locator('option', { hasText: optionText }).first().getAttribute('value');
    await select.selectOption(value ?? '');
  }
}
