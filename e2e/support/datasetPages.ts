// Page object for the Datasets view, in the words a labeler sees: roles and accessible names.
import { expect, type Locator, type Page } from '@playwright/test';

export class DatasetsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-datasets').click();
    await expect(this.page.getByRole('complementary', { name: 'Datasets' })).toBeVisible();
  }

  async preview(path: string): Promise<void> {
    await this.page.getByTestId('dataset-import-open').click();
    await this.page.getByLabel('Dataset file path').fill(path);
    await this.page.getByRole('button', { name: 'Preview' }).click();
    await expect(this.page.getByTestId('dataset-preview')).toBeVisible();
  }

  previewBadLines(): Locator {
    return this.page.getByTestId('dataset-preview-bad');
  }

  async importAs(name: string): Promise<void> {
    await this.page.getByLabel('Dataset name').fill(name);
    await this.page.getByRole('button', { name: 'Import', exact: true }).click();
  }

  report(): Locator {
    return this.page.getByTestId('dataset-import-report');
  }

  listItem(name: string): Locator {
    return this.page.getByTestId('dataset-row').filter({ hasText: name });
  }

  grid(): Locator {
    return this.page.getByRole('grid', { name: 'Dataset rows' });
  }

  gridRows(): Locator {
    return this.page.getByTestId('dataset-grid-row');
  }

  matchCount(): Locator {
    return this.page.getByTestId('dataset-match-count');
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search prompts and responses').fill(text);
  }

  async filterStatus(status: string): Promise<void> {
    await this.page.getByLabel('Status', { exact: true }).selectOption(status);
  }

  async tab(name: 'Rows' | 'Quality' | 'Labelers'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async openExport(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Export…' }).click();
    const dialog = this.page.getByRole('dialog', { name: /Export/ });
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
