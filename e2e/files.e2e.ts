// Files in the browser host, through the real UI in Chromium: a test set, a dataset, a generated GGUF model
// and a LoRA adapter are uploaded from this browser (no server paths typed), a slowed upload is cancelled
// and leaves nothing staged, and exports arrive as real browser downloads with the exported content.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { DatasetsPage } from './support/datasetPages';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage } from './support/labelingPages';
import { collectConsoleErrors, ModelsPage, PlaygroundPage } from './support/pages';

let host: RunningHost;
let fx: Awaited<ReturnType<typeof ensureFixtureModels<'tinyQ8_0' | 'tinyLora'>>>;

const SHOTS = '/tmp/shots';
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `files-${name}.png`), fullPage: true });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'tinyLora']);
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

const staged = () => readdirSync(join(host.dataDir, 'uploads'));
const convo = (user: string, answer: string) => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: answer }] });

test('files: upload a test set, a dataset, a model and an adapter; cancel an upload; download exports', async ({ page }) => {
  test.setTimeout(120_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);

  // Test set: the picker uploads, the preview follows by itself, the import names it after the file.
  await page.getByTestId('nav-testsets').click();
  await expect(page.getByTestId('testset-upload')).toContainText('Drop a CSV or JSONL file here');
  await shot(page, 'testsets-empty');
  const csv = 'question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\nColour of the sky?,blue\n';
  await page.getByTestId('testset-upload-file').setInputFiles({ name: 'quiz.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('testset-upload-done')).toContainText('quiz.csv');
  await expect(page.getByTestId('testset-preview')).toContainText('Capital of France?');
  // The staged path is the host's business: the "on the server" field stays empty.
  await expect(page.getByTestId('testset-path-input')).toHaveValue('');
  await shot(page, 'testsets-uploaded');
  await expect(page.getByTestId('testset-name-input')).toHaveValue('quiz');
  await page.getByTestId('testset-import').click();
  await expect(page.getByTestId('testset-row').filter({ hasText: 'quiz' })).toContainText('3');
  await expect.poll(staged).toEqual([]); // an import consumes its upload

  // Model and adapter: uploaded, moved into the data folder, listed under their own names.
  const models = new ModelsPage(page);
  await models.open();
  await page.getByTestId('model-upload-file').setInputFiles(fx.tinyQ8_0);
  const fileName = fx.tinyQ8_0.split('/').pop() ?? '';
  await expect(models.row(fileName)).toBeVisible();
  await page.getByTestId('adapter-upload-file').setInputFiles(fx.tinyLora);
  await expect(page.getByTestId('adapter-row').filter({ hasText: fx.tinyLora.split('/').pop() ?? '' })).toBeVisible();
  expect(readdirSync(join(host.dataDir, 'models'))).toContain(fileName);
  expect(readdirSync(join(host.dataDir, 'adapters'))).toContain(fx.tinyLora.split('/').pop());
  await shot(page, 'models-uploaded');
  // The uploaded model runs (and the run is the audit record exported below).
  await models.load(fileName);
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });
  const pg = new PlaygroundPage(page);
  await pg.open();
  await pg.typeInto('user-editor', 'Say hi');
  await pg.setParam('param-max-tokens', '8');
  await page.getByTestId('run-button').click();
  await expect(pg.metrics()).toContainText(/max tokens/i);

  // A slow upload shows its progress and can be cancelled; the host then drops the part.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  const ds = new DatasetsPage(page);
  await ds.open();
  await page.getByTestId('dataset-import-open').click();
  const big = Buffer.from(Array.from({ length: 40_000 }, (_, i) => convo(`question ${i}`, `answer ${i}`)).join('\n'));
  await page.getByTestId('dataset-upload-file').setInputFiles({ name: 'big.jsonl', mimeType: 'application/jsonl', buffer: big });
  await expect(page.getByTestId('dataset-upload-progress')).toBeVisible();
  await expect.poll(() => staged().length).toBe(1);
  await shot(page, 'datasets-uploading');
  await page.getByTestId('dataset-upload').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('dataset-upload-progress')).toBeHidden();
  await expect.poll(staged).toEqual([]);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Dataset: upload, import, then export every row as a real download.
  const lines = [convo('Capital of Peru?', 'Lima.'), convo('Capital of Kenya?', 'Nairobi.'), convo('Capital of Japan?', 'Tokyo.')];
  await page.getByTestId('dataset-upload-file').setInputFiles({ name: 'capitals.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await expect(page.getByTestId('dataset-preview')).toContainText('Capital of Kenya?');
  await ds.importAs('Capitals');
  await expect(ds.report()).toContainText('Imported 3 rows');
  const dialog = await ds.openExport();
  await dialog.getByLabel('rows matching the current grid filter').check();
  await shot(page, 'datasets-export-dialog');
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download', exact: true }).click()]);
  expect(download.suggestedFilename()).toBe('Capitals.jsonl');
  const exported = readFileSync((await download.path()) ?? '', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { content: string }[] });
  expect(exported.map((r) => r.messages.at(-1)?.content)).toEqual(['Lima.', 'Nairobi.', 'Tokyo.']);
  await expect(page.getByTestId('dataset-export-downloads')).toContainText('Capitals.jsonl');
  await shot(page, 'datasets-exported');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Fine-tune: the package folder stays on the server (training runs there); the browser gets a .tar copy.
  const me = await invokeFromPage(page, 'session.whoami', {});
  const datasetId = (await invokeFromPage(page, 'datasets.list', {})).find((d) => d.name === 'Capitals')?.id ?? '';
  for (const r of (await invokeFromPage(page, 'datasets.rows', { datasetId, limit: 10 })).rows) {
    await invokeFromPage(page, 'datasets.label', { datasetId, rowId: r.id, labelerId: me.profileId, patch: { status: 'accepted' } });
  }
  const modelId = (await invokeFromPage(page, 'models.list', {}))[0]?.id ?? '';
  const pkg = await invokeFromPage(page, 'training.package', { datasetId, baseModelId: modelId, trainBaseModel: 'org/base', split: 'all', outDir: join(host.dataDir, 'run-1') });
  await page.getByTestId('nav-training').click();
  await page.getByTestId('training-item').first().click();
  const [tarball] = await Promise.all([page.waitForEvent('download'), page.getByTestId('training-download').click()]);
  expect(tarball.suggestedFilename()).toBe('run-1.tar');
  const listed = execFileSync('tar', ['-tf', (await tarball.path()) ?? ''], { encoding: 'utf8' });
  for (const f of pkg.files) expect(listed).toContain(`run-1/${f}`);
  await expect(page.getByTestId('training-download-note')).toContainText('run-1.tar');
  await shot(page, 'training-download');

  // Audit log: the same download path, one JSON record per line.
  await page.getByTestId('nav-audit').click();
  const [audit] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
  expect(audit.suggestedFilename()).toBe('audit.jsonl');
  const note = page.getByTestId('audit-exported');
  await expect(note).toContainText("audit.jsonl in this browser's downloads");
  const count = Number(/Wrote (\d+) record/.exec((await note.textContent()) ?? '')?.[1]);
  const records = readFileSync((await audit.path()) ?? '', 'utf8').split('\n').filter(Boolean);
  expect(count).toBeGreaterThan(0);
  expect(records).toHaveLength(count);
  for (const r of records) expect(JSON.parse(r)).toHaveProperty('seq');
  await shot(page, 'audit-exported');
  // Each staged export is sent once and then removed from the data folder.
  await expect.poll(() => readdirSync(join(host.dataDir, 'downloads'))).toEqual([]);

  expect(consoleErrors).toEqual([]);
});
