// Page objects: the flows a person goes through, in the words of the UI's test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class ModelsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-models').click();
  }

  async add(path: string): Promise<void> {
    await this.page.getByTestId('model-path-input').fill(path);
    await this.page.getByTestId('model-add').click();
  }

  row(fileName: string): Locator {
    return this.page.getByTestId('model-row').filter({ hasText: fileName });
  }

  async load(fileName: string): Promise<void> {
    await this.row(fileName).click();
    await expect(this.page.getByTestId('load-settings')).toBeVisible();
    // One thread: llama.cpp's threads spin-wait for each other, so two of them on a 2-core machine that is
    // busy with anything else (the host, Chromium, another job) decode ~50x slower; one does not collapse.
    await this.page.getByTestId('load-threads').fill('1');
    await this.page.getByTestId('load-button').click();
  }

  /** Opens the Models view, adds the GGUF at `path`, loads it and waits for the engine to be ready. */
  async addAndLoad(path: string, fileName: string): Promise<void> {
    await this.open();
    await this.add(path);
    await this.load(fileName);
    await expect(this.page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });
  }
}

/** Collects the page's console errors into the returned array as they happen. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

export class PlaygroundPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-playground').click();
  }

  /** Types into a Monaco editor the way a person does: focus it, then type. */
  async typeInto(testId: 'system-editor' | 'user-editor', text: string): Promise<void> {
    const editor = this.page.getByTestId(testId).locator('.monaco-editor').first();
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  async setParam(testId: string, value: string): Promise<void> {
    const input = this.page.getByTestId(testId);
    await input.fill(value);
    await input.blur();
  }

  output(): Locator {
    return this.page.getByTestId('run-output');
  }

  metrics(): Locator {
    return this.page.getByTestId('run-metrics');
  }
}
