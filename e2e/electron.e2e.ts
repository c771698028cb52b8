// The same flow in the Electron app, where an Electron binary exists (skipped here otherwise).
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { ModelsPage, PlaygroundPage } from './support/pages';

const require = createRequire(import.meta.url);
function electronBinary(): string | null {
  try {
    return require('electron') as string;
  } catch {
    return null;
  }
}
const binary = electronBinary();

test.describe('Electron app', () => {
  test.skip(!binary, 'No Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD); the browser-host specs cover the UI.');

  test('add a model, load it, run a prompt, see metrics', async () => {
    const fx = await ensureFixtureModels();
    const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-electron-'));
    const app = await electron.launch({ executablePath: binary as string, args: ['.', '--data-dir', dataDir] });
    try {
      const page = await app.firstWindow();
      // Isolation: the renderer has no Node and no ipcRenderer, only the contract.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => Object.keys((globalThis as { lamplight?: object }).lamplight ?? {}).sort())).toEqual(['invoke', 'on']);
      await new ModelsPage(page).addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');
      const pg = new PlaygroundPage(page);
      await pg.open();
      await pg.typeInto('user-editor', 'Hello');
      await pg.setParam('param-max-tokens', '8');
      await page.getByTestId('run-button').click();
      await expect(pg.metrics()).toContainText(/max tokens/i);
    } finally {
      await app.close();
    }
  });

  // The same rules src/main/policy unit-tests, seen from inside the real window (not run where no binary exists).
  test('the page is served from lamplight://app, cannot leave its folder, and opens no windows', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-electron-'));
    const app = await electron.launch({ executablePath: binary as string, args: ['.', '--data-dir', dataDir] });
    try {
      const page = await app.firstWindow();
      expect(new URL(page.url()).protocol).toBe('lamplight:');
      const statuses = await page.evaluate(() =>
        Promise.all(['/index.html', '/%2e%2e%2fpackage.json', '/assets/missing.js'].map(async (p) => (await fetch(p)).status)),
      );
      expect(statuses).toEqual([200, 403, 404]);
      // http, so the policy does not hand it to the system browser either.
      expect(await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('http://example.invalid/') === null)).toBe(true);
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
