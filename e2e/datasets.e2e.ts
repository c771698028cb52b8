// Datasets in a real browser against the browser host: preview a JSONL file with two broken lines (reported
// by line number), import it, search (a CJK substring too), label two rows accepted in the labeling panel,
// filter by status, look at the quality panel, and export the accepted rows through the dialog.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { DatasetsPage } from './support/datasetPages';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';

let host: RunningHost;
let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;

test.beforeAll(async () => {
  fx = await ensureFixtureModels();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

const SHOTS = process.env.LAMPLIGHT_SHOTS ?? 'test-results/screens';
const shot = (name: string) => join(SHOTS, `${name}.png`);

const convo = (user: string, answer: string, system?: string) =>
  JSON.stringify({
    messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: user }, { role: 'assistant', content: answer }],
  });

function writeDataset(dir: string): string {
  const lines = [
    convo('What is 2 + 2?', 'It is 4.', 'You are a careful math tutor.'),
    convo('Name a prime number above 10.', '11 is prime.'),
    convo('Translate "cat" to French.', 'chat'),
    '{"messages": [{"role": "user", "content": "broken', // line 4: not JSON
    convo('请把北京市的天气预报写成一首诗', '北京晴朗，微风拂面。'),
    convo('Write <b>bold</b> HTML?', 'Use the <b> tag: <b>bold</b>.'),
    convo('What colour is the sky?', 'Blue, on a clear day.'),
    convo('Give me a haiku about rain.', 'Soft rain on the roof / ...'),
    '{"foo": 1}', // line 9: no messages
    convo('Capital of Peru?', 'Lima.'),
    convo('Capital of Kenya?', 'Nairobi.'),
    convo('Capital of Japan?', 'Tokyo.'),
    convo('Name a prime number above 10.', '11 is prime.'), // an exact duplicate of line 2
    convo('Reply to ann@example.com about the invoice.', 'Dear Ann, the invoice is attached.'),
  ];
  const path = join(dir, 'chat.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('datasets: import with bad lines, search, label, filter, export', async ({ page }) => {
  test.setTimeout(120_000);
  const consoleErrors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-datasets-'));
  const file = writeDataset(dir);
  await page.goto(host.url);
  const ds = new DatasetsPage(page);
  await ds.open();
  await page.screenshot({ path: shot('ds-empty') });

  await ds.preview(file);
  const preview = page.getByTestId('dataset-preview');
  await expect(page.getByLabel('Format', { exact: true })).toContainText('messages');
  await expect(preview).toContainText('careful math tutor');
  // Markup in the data is shown as text, never rendered.
  await expect(preview.getByText('Write <b>bold</b> HTML?')).toBeVisible();
  await expect(ds.previewBadLines()).toContainText('2 bad lines');
  await expect(ds.previewBadLines()).toContainText('line 4');
  await expect(ds.previewBadLines()).toContainText('line 9');
  await page.screenshot({ path: shot('ds-import-preview'), fullPage: true });

  await ds.importAs('Chat sample');
  await expect(ds.report()).toContainText('Imported 12 rows');
  await expect(ds.report()).toContainText('line 4');
  await expect(ds.report()).toContainText('line 9');
  await expect(ds.listItem('Chat sample')).toContainText('12 rows');
  await expect(ds.gridRows()).toHaveCount(12);
  await expect(ds.matchCount()).toContainText('12 rows');
  await page.screenshot({ path: shot('ds-grid') });

  // The import report belongs to the rows of its dataset: not on the other tabs.
  await ds.tab('Quality');
  await expect(ds.report()).toHaveCount(0);
  await ds.tab('Rows');
  await expect(ds.report()).toBeVisible();

  // Columns resize by dragging a header edge; the widths are remembered.
  const promptHead = page.getByTestId('dataset-col-prompt');
  const before = (await promptHead.boundingBox())?.width ?? 0;
  const handle = (await page.getByRole('separator', { name: 'Resize the Prompt column' }).boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2 + 200, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.up();
  const widened = (await promptHead.boundingBox())?.width ?? 0;
  expect(widened).toBeGreaterThan(before + 150);
  // Rows follow the header.
  expect((await ds.gridRows().first().getByRole('gridcell').nth(1).boundingBox())?.width).toBeCloseTo(widened, 0);
  await page.screenshot({ path: shot('ds-grid-resized') });

  // Dismissed, the report stays closed, also after a reload (its bad lines are stored with the dataset).
  await page.getByRole('button', { name: 'Dismiss import report' }).click();
  await expect(ds.report()).toHaveCount(0);
  await page.reload();
  await ds.open();
  await ds.listItem('Chat sample').click();
  await expect(ds.gridRows()).toHaveCount(12);
  await expect(ds.report()).toHaveCount(0);
  expect((await promptHead.boundingBox())?.width).toBeCloseTo(widened, 0);

  await ds.search('capital of');
  await expect(ds.gridRows()).toHaveCount(3);
  await expect(ds.matchCount()).toContainText('3 rows');
  // Rows keep their own numbers under a search: Peru is the 8th row imported (lines 4 and 9 were bad).
  await expect(ds.gridRows().getByTestId('dataset-row-number')).toHaveText(['8', '9', '10']);
  await ds.search('北京市');
  await expect(ds.gridRows()).toHaveCount(1);
  await expect(ds.gridRows().first()).toContainText('天气预报');
  await page.screenshot({ path: shot('ds-grid-search') });
  await ds.search('');
  await expect(ds.gridRows()).toHaveCount(12);

  // Keyboard: arrows move the selection; Enter opens the labeling panel at that row.
  await ds.gridRows().first().click();
  await ds.grid().press('ArrowDown');
  await expect(ds.gridRows().nth(1)).toHaveAttribute('aria-selected', 'true');
  await ds.grid().press('ArrowUp');
  await ds.grid().press('Enter');
  const panel = page.getByTestId('labeling-panel');
  await expect(panel).toBeVisible();
  // The session's own profile is always listed: a new labeler profile is behind "+ New".
  await expect(page.getByTestId('labeling-profile-name').or(page.getByTestId('labeling-profile-new'))).toBeVisible();
  if (await page.getByTestId('labeling-profile-new').isVisible()) await page.getByTestId('labeling-profile-new').click();
  await page.getByTestId('labeling-profile-name').fill('Ann');
  await page.getByTestId('labeling-profile-create').click();
  await expect(page.getByTestId('labeling-position')).toContainText('1');
  await page.keyboard.press('a');
  await expect(page.getByTestId('labeling-position')).toContainText('2');
  await page.keyboard.press('a');
  await expect(page.getByTestId('labeling-position')).toContainText('3');
  await page.screenshot({ path: shot('ds-labeling') });
  await page.getByTestId('labeling-close').click();

  await ds.filterStatus('accepted');
  await expect(ds.gridRows()).toHaveCount(2);
  await expect(ds.matchCount()).toContainText('2 rows');
  await page.screenshot({ path: shot('ds-grid-filter') });

  await ds.tab('Labelers');
  await expect(page.getByTestId('dataset-labeler-chart')).toBeVisible();
  await page.screenshot({ path: shot('ds-labelers') });

  // Token lengths are counted with the loaded model's tokenizer.
  await new ModelsPage(page).addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');
  await ds.open();
  await ds.listItem('Chat sample').click();
  await ds.tab('Quality');
  await page.getByRole('button', { name: 'Analyze' }).click();
  await expect(page.getByTestId('dataset-job-analyze')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('dataset-histogram')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Show exact duplicates' })).toContainText('1');
  await expect(page.getByRole('button', { name: /Show rows with personal data \(email/ })).toContainText('1');
  await page.screenshot({ path: shot('ds-quality'), fullPage: true });
  // A duplicate count clicks through to the grid, filtered.
  await page.getByRole('button', { name: 'Show exact duplicates' }).click();
  await expect(ds.gridRows()).toHaveCount(1);
  await expect(ds.gridRows().first()).toContainText('11 is prime');

  const out = join(dir, 'accepted.jsonl');
  const dialog = await ds.openExport();
  await dialog.getByLabel('Export format').selectOption('messages');
  await dialog.getByLabel('Output path').fill(out);
  await page.screenshot({ path: shot('ds-export-dialog') });
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('dataset-export-result')).toContainText('Wrote 2 rows');
  await page.screenshot({ path: shot('ds-export-result') });
  const written = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
  expect(written).toHaveLength(2);
  expect(written[0]?.messages.at(-1)).toEqual({ role: 'assistant', content: 'It is 4.' });
  expect(written[1]?.messages.at(-1)).toEqual({ role: 'assistant', content: '11 is prime.' });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Fine-tune: with no split rows, the form picks the accepted rows and says why.
  await page.getByTestId('nav-training').click();
  await expect(page.getByTestId('training-dataset')).toHaveValue(/.+/);
  await expect(page.getByTestId('training-rows-note')).toContainText('No rows are in the train split yet');
  await expect(page.getByRole('button', { name: 'All accepted · 2' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: 'Train split · 0' })).toHaveAttribute('aria-pressed', 'false');
  await page.screenshot({ path: shot('training-rows') });

  expect(consoleErrors).toEqual([]);
});
