// An hf: download in the Models view brings the repository's projector: the real host, its downloader and
// Chromium, with HF_ENDPOINT pointing the host at a loopback server that answers as Hugging Face does.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ensureFixtureModels, ensureVisionFixture } from '../src/core/fixtures/ensureFixtures';
import { startFileServer, type FileServer } from '../src/core/models/testing/fileServer';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';

const VISION = 'Lamplight/Vision-Qwen2VL-GGUF';
const TEXT = 'Lamplight/Tiny-GGUF';
/** Its listing answers 500: the model still comes, the row says why there is no projector. */
const BROKEN = 'Lamplight/Broken-Listing-GGUF';
const TREES: Record<string, string[]> = {
  [VISION]: ['vision-qwen2vl-f16.gguf', 'mmproj-vision-qwen2vl-f16.gguf'],
  [TEXT]: ['tiny-q8_0.gguf'],
};

let hf: FileServer;
let host: RunningHost;
const keep = process.env.HF_ENDPOINT;

test.beforeAll(async () => {
  const vision = await ensureVisionFixture();
  const { tinyQ8_0 } = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  hf = await startFileServer({
    [`/${VISION}/resolve/main/vision-qwen2vl-f16.gguf`]: readFileSync(vision.model),
    [`/${VISION}/resolve/main/mmproj-vision-qwen2vl-f16.gguf`]: readFileSync(vision.projector),
    [`/${TEXT}/resolve/main/tiny-q8_0.gguf`]: readFileSync(tinyQ8_0),
    [`/${BROKEN}/resolve/main/tiny-q8_0.gguf`]: readFileSync(tinyQ8_0),
  });
  hf.route = (_req, res, url) => {
    const repo = /^\/api\/models\/(.+)\/tree\/main$/.exec(url.pathname)?.[1];
    if (repo === BROKEN) return !!res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"Internal Error"}');
    if (!repo || !TREES[repo]) return false;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(TREES[repo].map((path) => ({ type: 'file', path }))));
    return true;
  };
  // The host is a child process: it inherits the endpoint, as a user's shell would pass a mirror.
  process.env.HF_ENDPOINT = `${hf.base}/`;
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await hf?.close();
  if (keep === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = keep;
});

const shot = (name: string) => `/tmp/shots/hfprojector-${name}.png`;

test('an hf: download brings its projector and the Vision section pairs it; a text repository says it has none, a failed listing says why', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const models = new ModelsPage(page);
  await models.open();

  const uri = page.getByTestId('download-uri-input');
  const option = page.getByTestId('download-with-projector');
  await uri.fill('https://example.invalid/model.gguf');
  await expect(option).toHaveCount(0); // a plain URL has no repository to look in
  await uri.fill(`hf:${VISION}/vision-qwen2vl-f16.gguf`);
  await expect(option).toBeChecked();
  await page.screenshot({ path: shot('01-option') });
  await page.getByTestId('download-start').click();

  const rows = page.locator('li.download');
  const visionRow = rows.filter({ hasText: VISION });
  await expect(visionRow.getByText('Added to the library.')).toBeVisible({ timeout: 30_000 });
  await expect(visionRow.getByTestId('download-projector')).toHaveText(/^projector: .*mmproj-vision-qwen2vl-f16\.gguf$/);

  // Selecting the model: the Vision section found the projector beside it and read its header.
  await models.row('vision-qwen2vl-f16').click();
  await expect(page.getByTestId('vision-projector-path')).toHaveValue(/mmproj-vision-qwen2vl-f16\.gguf$/);
  await expect(page.getByTestId('vision-panel')).toContainText('qwen2vl_merger');
  await page.getByTestId('vision-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('02-paired'), fullPage: true });

  await uri.fill(`hf:${TEXT}/tiny-q8_0.gguf`);
  await page.getByTestId('download-start').click();
  const textRow = rows.filter({ hasText: TEXT });
  await expect(textRow.getByText('Added to the library.')).toBeVisible({ timeout: 30_000 });
  await expect(textRow.getByTestId('download-projector')).toHaveText('no projector in the repository');

  await uri.fill(`hf:${BROKEN}/tiny-q8_0.gguf`);
  await page.getByTestId('download-start').click();
  const brokenRow = rows.filter({ hasText: BROKEN });
  await expect(brokenRow.getByText('Added to the library.')).toBeVisible({ timeout: 30_000 });
  await expect(brokenRow.getByTestId('download-projector')).toHaveText(/^projector not fetched: .*answered 500 .*: Internal Error$/);
  await expect(brokenRow.getByTestId('download-projector')).toHaveClass(/text-warn/);
  await brokenRow.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('03-none-and-failed') });
  expect(consoleErrors).toEqual([]);
});
