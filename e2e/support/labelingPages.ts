// Page objects for the labeling panel, and a way to call the core the way the page does (over the host's
// WebSocket with the tab's launch token) for setup and for checking what was stored.
import { expect, type Locator, type Page } from '@playwright/test';
import type { CommandInput, CommandName, CommandOutput } from '../../src/shared/contract';

/** One command over a fresh socket from inside the page: the same transport and token the UI uses. */
export async function invokeFromPage<N extends CommandName>(page: Page, name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  const out = await page.evaluate(
    async ({ name, input }) => {
      // Runs in the page; the e2e tsconfig has no DOM types.
      const w = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { host: string; protocol: string } };
      const token = w.sessionStorage.getItem('lamplight.token') ?? '';
      // wss under TLS (the team server), as the UI's own bridge does.
      const ws = new WebSocket(`${w.location.protocol === 'https:' ? 'wss' : 'ws'}://${w.location.host}/ws?token=${encodeURIComponent(token)}`);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('socket error'));
      });
      const reply = await new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>((resolve) => {
        ws.onmessage = (ev) => {
          const msg = JSON.parse(String(ev.data)) as { id?: number };
          if (msg.id === 1) resolve(msg as never);
        };
        ws.send(JSON.stringify({ id: 1, name, input }));
      });
      ws.close();
      return reply;
    },
    { name, input: input as unknown },
  );
  if (!out.ok) throw new Error(`${name}: ${out.error?.code} ${out.error?.message}`);
  return out.value as CommandOutput<N>;
}

export class LabelingPage {
  constructor(private readonly page: Page) {}

  panel(): Locator {
    return this.page.getByTestId('labeling-panel');
  }

  /** Opens the Datasets view, the dataset, and the labeling panel on the grid's first row. */
  async openFromDatasets(datasetName: string): Promise<void> {
    await this.page.getByTestId('nav-datasets').click();
    await this.page.getByTestId('dataset-row').filter({ hasText: datasetName }).click();
    const first = this.page.getByTestId('dataset-grid-row').first();
    await expect(first).toBeVisible();
    await first.dblclick();
    await expect(this.panel()).toBeVisible();
  }

  async createProfile(name: string): Promise<void> {
    // The session's own profile (the owner) is always listed, so the name field sits behind "+ New".
    const field = this.page.getByTestId('labeling-profile-name');
    const more = this.page.getByTestId('labeling-profile-new');
    await expect(field.or(more)).toBeVisible();
    if (await more.isVisible()) await more.click();
    await field.fill(name);
    await this.page.getByTestId('labeling-profile-create').click();
    await expect(this.page.getByTestId('labeling-need-profile')).toHaveCount(0);
    // Hand the keyboard back to the page, as a labeler does after picking a profile.
    await this.page.getByTestId('labeling-position').click();
  }

  position(): Locator {
    return this.page.getByTestId('labeling-position');
  }

  async expectRow(k: number): Promise<void> {
    await expect(this.position()).toContainText(`row ${k} of`);
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  saveState(): Locator {
    return this.page.getByTestId('labeling-save-state');
  }

  async expectSaved(): Promise<void> {
    await expect(this.saveState()).toHaveAttribute('data-state', 'saved');
  }

  /** E, replace the text in Monaco, Ctrl+Enter. */
  async editResponse(text: string, beforeSave?: () => Promise<void>): Promise<void> {
    await this.press('e');
    const editor = this.page.getByTestId('labeling-response-editor').locator('.monaco-editor').first();
    await expect(editor).toBeVisible();
    await expect(editor.locator('textarea, .native-edit-context').first()).toBeFocused();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
    if (beforeSave) await beforeSave();
    await this.page.keyboard.press('ControlOrMeta+Enter');
    await expect(this.page.getByTestId('labeling-response-editor')).toHaveCount(0);
  }
}
