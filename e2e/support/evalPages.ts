// Page objects for test sets and evaluations, in the words of their test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class TestSetsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-testsets').click();
    await expect(this.page.getByTestId('testset-path-input')).toBeVisible();
  }

  async preview(path: string): Promise<void> {
    await this.page.getByTestId('testset-path-input').fill(path);
    await this.page.getByTestId('testset-preview-button').click();
    await expect(this.page.getByTestId('testset-preview')).toBeVisible();
  }

  async importAs(name: string): Promise<void> {
    await this.page.getByTestId('testset-name-input').fill(name);
    await this.page.getByTestId('testset-import').click();
  }

  row(name: string): Locator {
    return this.page.getByTestId('testset-row').filter({ hasText: name });
  }

  gridRows(): Locator {
    return this.page.getByTestId('testset-grid-row');
  }
}

export class EvalsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-evals').click();
    await expect(this.page.getByTestId('eval-name-input')).toBeVisible();
  }

  async pickPrompt(name: string): Promise<void> {
    const select = this.page.getByTestId('eval-prompt-pick');
    const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
    await select.selectOption(value ?? '');
  }

  version(n: number): Locator {
    return this.page.locator(`.ev-version[data-version="${n}"]`).getByTestId('eval-version-pick');
  }

  async pickTarget(index: number, label: RegExp): Promise<void> {
    const select = this.page.getByTestId('eval-target-pick').nth(index);
    const option = select.locator('option').filter({ hasText: label }).first();
    await select.selectOption((await option.getAttribute('value')) ?? '');
  }

  async pickTestSet(name: string): Promise<void> {
    const select = this.page.getByTestId('eval-testset-pick');
    const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
    await select.selectOption(value ?? '');
  }

  async addAssertion(type: string): Promise<Locator> {
    await this.page.getByTestId('eval-assertion-type').selectOption(type);
    await this.page.getByTestId('eval-assertion-add').click();
    return this.page.getByTestId('eval-assertion').last();
  }

  progress(): Locator {
    return this.page.locator('.ev-progress-wrap');
  }

  async waitFinished(timeout = 60_000): Promise<void> {
    await expect(this.progress()).toHaveAttribute('data-state', 'done', { timeout });
  }
}
