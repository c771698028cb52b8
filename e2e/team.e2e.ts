// Team labeling in a real browser against the browser host (loopback HTTP; teamTls.e2e.ts walks the same
// flow over TLS): an admin starts an assignment with overlap, two labelers label their queues in their own
// browser contexts through their own links, kappa shows, the reviewer resolves the disagreement, and the
// export holds it. Then the by-filter form, and a reviewer's own written answer as the resolution.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage } from './support/labelingPages';
import { collectConsoleErrors } from './support/pages';
import { labelQueue, openAs, teamFlow } from './support/teamFlow';

const SHOTS = process.env.TEAM_SHOTS ?? '/tmp/shots-team';
let host: RunningHost;

test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('an admin assigns with overlap, two labelers label, kappa shows, the reviewer resolves, the export holds it', async ({ page, browser }) => {
  const errors = collectConsoleErrors(page);
  await teamFlow(page, browser, host, SHOTS);
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test("by filter: each labeler takes the rows of their label; a reviewer writes her own answer, kept with who and when", async ({ page, browser }) => {
  const errors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-team-filter-'));
  const file = join(dir, 'orders.jsonl');
  writeFileSync(file, Array.from({ length: 6 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Order ${i + 1}` }, { role: 'assistant', content: `Done ${i + 1}` }] })).join('\n') + '\n');
  await page.goto(host.url);
  const { dataset } = await invokeFromPage(page, 'datasets.import', { path: file, name: 'Orders' });
  await invokeFromPage(page, 'datasets.setLabelSchema', { datasetId: dataset.id, schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech'] }] } });
  // Pre-sorted by the owner: orders 1–2 tech, 3–4 billing, 5–6 not yet.
  const { rows } = await invokeFromPage(page, 'datasets.rows', { datasetId: dataset.id });
  const owner = (await invokeFromPage(page, 'session.whoami', {})).profileId;
  for (const [i, topic] of ['tech', 'tech', 'billing', 'billing'].entries()) {
    await invokeFromPage(page, 'datasets.label', { datasetId: dataset.id, rowId: rows[i]?.id as number, labelerId: owner, patch: { labels: { topic } } });
  }
  const links = new Map<string, string>();
  for (const [name, role] of [['Cleo', 'labeler'], ['Dev', 'labeler'], ['Remy', 'reviewer']] as const) {
    const p = await invokeFromPage(page, 'profiles.create', { name, role });
    links.set(name, `${host.origin}/?token=${(await invokeFromPage(page, 'profiles.issueToken', { profileId: p.id })).token}`);
  }

  await page.reload();
  await page.getByTestId('nav-team').click();
  await page.getByTestId('team-start-dataset').selectOption({ label: 'Orders' });
  await page.getByTestId('team-assign').getByLabel('Mode', { exact: true }).selectOption('by_filter');
  await page.getByTestId('team-start-overlap').fill('0');
  await page.getByTestId('team-part-Cleo-label').selectOption('topic=tech');
  await page.getByTestId('team-part-Dev-label').selectOption('topic=billing');
  await page.getByTestId('team-assign').screenshot({ path: `${SHOTS}/team-by-filter.png` });
  await page.getByTestId('team-start').click();
  await expect(page.getByTestId('team-queues')).toContainText('Cleo');
  const a = (await invokeFromPage(page, 'team.assignments', { datasetId: dataset.id }))[0];
  expect(a).toMatchObject({ mode: 'by_filter', rows: 6, tasks: 6 });
  const queues = await invokeFromPage(page, 'team.queues', { assignmentId: a?.id as string });
  expect(queues.map((q) => [q.name, q.remaining, q.pool])).toEqual([['Cleo', 2, 2], ['Dev', 2, 2]]);

  // Cleo rejects her first row and accepts the rest; Dev's rows are not hers to read.
  const cleo = await openAs(browser, links.get('Cleo') as string);
  await cleo.getByTestId('team-next').click();
  await cleo.getByTestId('team-reject').click();
  await expect(cleo.getByTestId('team-queue')).toContainText('1 done of 2');
  // Her own row, then the shared pool (orders 5 and 6, which no part selects).
  expect(await labelQueue(cleo, () => 'tech', null)).toBe(3);
  await expect(cleo.getByTestId('team-queue')).toContainText('4 done of 4');
  const hers = await invokeFromPage(cleo, 'datasets.rows', { datasetId: dataset.id });
  expect(hers.rows.map((r) => r.prompt)).toEqual(['Order 1', 'Order 2', 'Order 5', 'Order 6']);

  const remy = await openAs(browser, links.get('Remy') as string);
  await expect(remy.getByTestId('team-review-item')).toHaveCount(1);
  await expect(remy.getByTestId('team-review-item')).toContainText('rejected by a labeler');
  const item = remy.getByTestId('team-review-item');
  await item.getByTestId('team-write-status').selectOption('');
  await item.getByTestId('team-write-save').click();
  await expect(item.getByTestId('team-write-error')).toContainText('give a status, a rating, a label or a note');
  await item.getByTestId('team-write-status').selectOption('accepted');
  await item.getByTestId('team-write-topic').selectOption('billing');
  await item.getByTestId('team-write-note').fill('Order about a refund');
  await item.getByTestId('team-write').screenshot({ path: `${SHOTS}/team-write-answer.png` });
  const rowId = Number(/Row (\d+)/.exec(await item.innerText())?.[1]);
  await item.getByTestId('team-write-save').click();
  await expect(remy.getByTestId('team-review-item')).toHaveCount(0);
  await expect(remy.getByTestId('team-resolution-who')).toHaveText(['Remy wrote an answer']);
  await expect(remy.getByTestId('team-resolution')).toContainText('accepted · topic: billing · note: Order about a refund');
  await remy.screenshot({ path: `${SHOTS}/team-reviewer-wrote.png`, fullPage: true });
  // The written answer is the row's label, saved under the reviewer's name.
  const row = await invokeFromPage(page, 'datasets.row', { datasetId: dataset.id, rowId });
  const remyId = (await invokeFromPage(remy, 'session.whoami', {})).profileId;
  expect(row).toMatchObject({ status: 'accepted', labels: { topic: 'billing' }, note: 'Order about a refund', labelerId: remyId });
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
