// Two people label the same row in two browser contexts: the second save, based on the row as it was
// opened, is refused with both values and who saved; "Keep mine" saves over the stored version. Never a
// silent overwrite.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage, LabelingPage } from './support/labelingPages';
import { collectConsoleErrors } from './support/pages';

const SHOTS = process.env.FINISHUI_SHOTS ?? '/tmp/shots-finishui';
let host: RunningHost;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('a label save on a row someone else saved meanwhile shows both values; Keep mine saves over it', async ({ page, browser }) => {
  const consoleErrors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-conflict-'));
  const file = join(dir, 'chats.jsonl');
  const rows = [1, 2, 3].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `Question ${i}` }, { role: 'assistant', content: `Answer ${i}` }] }));
  writeFileSync(file, rows.join('\n') + '\n');
  await page.goto(host.url);
  const imported = await invokeFromPage(page, 'datasets.import', { path: file, name: 'Shared rows' });
  const datasetId = imported.dataset.id;

  // Ada opens row 1 first; then Bea, in her own browser, rejects it.
  const ada = new LabelingPage(page);
  await ada.openFromDatasets('Shared rows');
  await ada.expectRow(1);
  await ada.createProfile('Ada');
  const other = await (await browser.newContext()).newPage();
  await other.goto(host.url);
  const bea = new LabelingPage(other);
  await bea.openFromDatasets('Shared rows');
  await bea.createProfile('Bea');
  await bea.press('r');
  await expect(bea.saveState()).toHaveAttribute('data-state', 'saved');

  // Ada accepts the row as she saw it: refused, both values shown, nothing overwritten.
  await ada.press('a');
  const conflict = page.getByTestId('labeling-conflict');
  await expect(conflict).toBeVisible();
  await expect(conflict).toContainText('Bea saved it');
  await expect(page.getByTestId('labeling-conflict-yours')).toHaveText('accepted');
  await expect(page.getByTestId('labeling-conflict-stored')).toContainText('rejected');
  const rowId = (await invokeFromPage(page, 'datasets.rows', { datasetId, offset: 0, limit: 1 })).rows[0]?.id ?? -1;
  expect((await invokeFromPage(page, 'datasets.row', { datasetId, rowId })).status).toBe('rejected');
  await page.screenshot({ path: join(SHOTS, 'finishui-conflict.png') });

  // Keep mine: saved over the stored version, and the conflict is gone.
  await conflict.getByRole('button', { name: 'Keep mine' }).click();
  await expect(conflict).toHaveCount(0);
  await expect(ada.saveState()).toHaveAttribute('data-state', 'saved');
  expect((await invokeFromPage(page, 'datasets.row', { datasetId, rowId })).status).toBe('accepted');

  // Bea saves again from her stale row: refused in turn; Take theirs shows Ada's answer.
  await bea.press('k');
  await bea.expectRow(1);
  await bea.press('s');
  const hers = other.getByTestId('labeling-conflict');
  await expect(hers).toContainText('Ada saved it');
  await hers.getByRole('button', { name: 'Take theirs' }).click();
  await expect(hers).toHaveCount(0);
  expect((await invokeFromPage(page, 'datasets.row', { datasetId, rowId })).status).toBe('accepted');
  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
