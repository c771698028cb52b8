// Removing runs from History in a real browser: three image runs made by the CLI on a loopback
// OpenAI-compatible server (two share an image), a click and a Shift-click select a range, one box is
// unticked, Remove… confirms how many runs and images go (permanent, no Undo), and afterwards the list
// (after a reload too) and the image files on disk agree with what it said.
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { startFakeOpenAi, type FakeOpenAi } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';

const SHOTS = process.env.LAMPLIGHT_SHOTS_DIR ?? 'test-results/screens';
const run = promisify(execFile);

let server: FakeOpenAi;
let host: RunningHost;

/** Every stored image file under DATA_DIR/images/<2 hex>/ (not the prepared copies or temp files). */
function storedImages(dataDir: string): string[] {
  const root = join(dataDir, 'images');
  return readdirSync(root)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(root, d)));
}

test.beforeAll(async () => {
  server = await startFakeOpenAi();
  const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-e2e-remove-'));
  const files = mkdtempSync(join(tmpdir(), 'lamplight-e2e-imgs-'));
  const image = async (name: string, r: number, b: number) => {
    const file = join(files, name);
    writeFileSync(file, await sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g: 40, b } } }).png().toBuffer());
    return file;
  };
  const shared = await image('shared.png', 220, 30);
  const alone = await image('alone.png', 30, 220);
  // Oldest first: the History lists them newest first (third, second, first).
  for (const [prompt, img] of [['first: customer screenshot', shared], ['second: same screenshot', shared], ['third: another one', alone]] as const) {
    await run(process.execPath, ['bin/lamplight.mjs', '--data-dir', dataDir, 'run', '--target-url', server.baseUrl, '--model', 'steady-7b', '--image', img, '--prompt', prompt, '--json'], {
      timeout: 120_000,
    });
  }
  expect(storedImages(dataDir)).toHaveLength(2);
  host = await startHostProcess(dataDir);
});

test.afterAll(async () => {
  await host?.stop();
  await server?.close();
});

test('select a range, untick one, remove permanently: the runs, their own image and nothing else go', async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = collectConsoleErrors(page);
  await page.goto(host.url);
  await page.getByTestId('nav-history').click();
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(3);
  const messages = page.getByTestId('history-message');
  await expect(messages).toHaveText([/third/, /second/, /first/]);

  // Click the newest, Shift-click the oldest: all three; then untick the middle one.
  const boxes = page.getByTestId('history-select');
  await boxes.nth(0).click();
  await boxes.nth(2).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('history-selected')).toHaveText('3 runs selected');
  await boxes.nth(1).click();
  await expect(page.getByTestId('history-selected')).toHaveText('2 runs selected');
  await expect(rows.nth(1)).toHaveAttribute('data-selected', 'false');
  // The box selects; it does not open the run in the Playground.
  await expect(page.getByTestId('history-search')).toBeVisible();

  await page.getByTestId('history-remove').click();
  const confirm = page.getByTestId('history-confirm');
  await expect(confirm).toBeVisible();
  // "third" used the image only it had; "first" shares its image with "second", which stays.
  await expect(page.getByTestId('history-confirm-counts')).toHaveText('Permanently remove 2 runs and 1 image?');
  await expect(confirm).toContainText('This cannot be undone: there is no Undo.');
  await expect(confirm).toContainText('1 image stays: still used elsewhere.');
  await page.screenshot({ path: `${SHOTS}/history-remove-confirm.png` });
  expect(storedImages(host.dataDir)).toHaveLength(2);

  await page.getByTestId('history-remove-confirm').click();
  await expect(page.getByTestId('history-removed')).toHaveText('Removed 2 runs and 1 image (1 image kept: still used elsewhere).');
  await expect(rows).toHaveCount(1);
  await expect(messages).toHaveText([/second/]);
  await expect(page.getByTestId('history-selbar')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/history-remove-done.png` });
  // The image only "third" used is gone from disk now, not in 24 h; the shared one stays.
  expect(storedImages(host.dataDir)).toHaveLength(1);

  // A reload asks the core again: the removal is stored, not just hidden.
  await page.reload();
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-message')).toHaveText([/second/]);
  expect(errors).toEqual([]);
});
