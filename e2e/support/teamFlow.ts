// The team labeling flow both team specs walk (loopback HTTP and TLS): an admin starts an assignment with
// overlap, two labelers label their queues in their own browser contexts through their own links (each
// reading only their own rows), kappa shows, a reviewer with her own link resolves the disagreement, and
// the export holds the resolved answer.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser, type Page } from '@playwright/test';
import { invokeFromPage } from './labelingPages';

export async function openAs(browser: Browser, link: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByTestId('nav-team').click();
  return page;
}

/** Labels the whole queue: `topicFor(i)` for the i-th overlapped row, 'billing' elsewhere; rejects where told. */
export async function labelQueue(page: Page, topicFor: (i: number) => string, rejectOverlap: number | null): Promise<number> {
  let n = 0;
  let overlapIndex = 0;
  // Done when the queue says N done of N with nothing left in a shared pool. Not "the form is gone": the
  // form can vanish for a moment between two rows, and the last row stays shown until the empty reply.
  const finished = async () => {
    const queue = await page.getByTestId('team-queue').first().innerText({ timeout: 500 });
    const all = /(?:^|\s)(\d+) done of (\d+)/.exec(queue);
    return all !== null && all[1] === all[2] && !queue.includes('shared pool');
  };
  await page.getByTestId('team-next').click();
  while (!(await finished())) {
    await expect(page.getByTestId('team-task')).toBeVisible();
    const overlapped = (await page.getByTestId('team-task').innerText()).includes('labelled by several people');
    const i = overlapped ? overlapIndex++ : -1;
    await page.getByTestId('team-field-topic').selectOption(overlapped ? topicFor(i) : 'billing');
    const before = await page.getByTestId('team-task-prompt').innerText();
    await page.getByTestId(overlapped && i === rejectOverlap ? 'team-reject' : 'team-accept').click();
    n++;
    // Settled when the queue is finished or the next row shows (short reads: an auto-waiting read of a
    // vanished form would wait for it forever).
    await expect(async () => {
      if (await finished()) return;
      const visible = await page.getByTestId('team-task').isVisible();
      expect(visible && (await page.getByTestId('team-task-prompt').textContent({ timeout: 500 })) !== before).toBe(true);
    }).toPass({ timeout: 20_000 });
  }
  return n;
}

/**
 * `page` is the admin's (owner link already open or about to be); `browser` opens the labelers' contexts;
 * `origin` is where access links point (http://… or https://…).
 */
export async function teamFlow(page: Page, browser: Browser, host: { url: string; origin: string }, shots: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-team-e2e-'));
  const file = join(dir, 'rows.jsonl');
  writeFileSync(file, Array.from({ length: 6 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Ticket ${i + 1}` }, { role: 'assistant', content: `Reply ${i + 1}` }] })).join('\n') + '\n');
  await page.goto(host.url);
  const { dataset } = await invokeFromPage(page, 'datasets.import', { path: file, name: 'Tickets' });
  await invokeFromPage(page, 'datasets.setLabelSchema', { datasetId: dataset.id, schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech'] }] } });
  const links: string[] = [];
  for (const [name, role] of [['Ana', 'labeler'], ['Ben', 'labeler'], ['Rita', 'reviewer']] as const) {
    const p = await invokeFromPage(page, 'profiles.create', { name, role });
    links.push(`${host.origin}/?token=${(await invokeFromPage(page, 'profiles.issueToken', { profileId: p.id })).token}`);
  }

  await page.reload();
  await page.getByTestId('nav-team').click();
  await page.getByTestId('team-start-dataset').selectOption({ label: 'Tickets' });
  await page.getByTestId('team-assign').getByLabel('Mode', { exact: true }).selectOption('round_robin');
  await page.getByTestId('team-start-overlap').fill('50');
  await page.getByTestId('team-start').click();
  await expect(page.getByTestId('team-queues')).toContainText('Ana');

  const ana = await openAs(browser, links[0] as string);
  await expect(ana.getByTestId('session-profile')).toContainText('Ana');
  // A labeler sees her queue and nothing of the reviewer's.
  await expect(ana.getByTestId('team-queue')).toHaveCount(1);
  await expect(ana.getByTestId('team-assign')).toHaveCount(0);
  await expect(ana.getByTestId('team-agreement')).toHaveCount(0);
  await ana.getByTestId('team-next').click();
  await expect(ana.getByTestId('team-task')).toBeVisible();
  await ana.screenshot({ path: `${shots}/team-labeler.png`, fullPage: true });
  await ana.reload();
  await ana.getByTestId('nav-team').click();
  const byAna = await labelQueue(ana, (i) => ['billing', 'tech', 'billing'][i] as string, null);
  await expect(ana.getByTestId('team-queue')).toContainText(`${byAna} done of ${byAna}`);

  const ben = await openAs(browser, links[1] as string);
  const byBen = await labelQueue(ben, (i) => ['billing', 'tech', 'tech'][i] as string, 2);
  // 3 rows each to one labeler, 3 overlapped rows to both.
  expect(byAna + byBen).toBe(9);
  // Each reads only the rows of her or his own queue while the assignment is open.
  expect((await invokeFromPage(ana, 'datasets.rows', { datasetId: dataset.id })).total).toBe(byAna);
  expect((await invokeFromPage(ben, 'datasets.rows', { datasetId: dataset.id })).total).toBe(byBen);

  await page.reload();
  await page.getByTestId('nav-team').click();
  // Topic on the 3 overlapped rows: (b,b), (t,t), (b,t): p_o = 2/3, p_e = 4/9, κ = 0.4.
  await expect(page.getByTestId('team-agreement-topic')).toContainText('0.400');

  // The reviewer, through her own link: Datasets and Team, no assignment form, every row, the disagreement.
  const rita = await openAs(browser, links[2] as string);
  await expect(rita.getByTestId('session-profile')).toContainText('Reviewer');
  await expect(rita.getByTestId('nav-datasets')).toBeVisible();
  for (const hidden of ['nav-history', 'nav-guard', 'nav-audit', 'nav-playground']) await expect(rita.getByTestId(hidden)).toHaveCount(0);
  await expect(rita.getByTestId('team-agreement-topic')).toContainText('0.400');
  await expect(rita.getByTestId('team-start-form')).toHaveCount(0);
  expect((await invokeFromPage(rita, 'datasets.rows', { datasetId: dataset.id })).total).toBe(6);
  await expect(rita.getByTestId('team-review-item')).toHaveCount(1);
  await expect(rita.getByTestId('team-review-item')).toContainText('answers differ on status, topic');
  await expect(rita.getByTestId('team-answer')).toHaveText(['accepted · topic: billing', 'rejected · topic: tech']);
  await expect(rita.getByTestId('team-write')).toBeVisible();
  await rita.screenshot({ path: `${shots}/team-reviewer.png`, fullPage: true });
  await rita.getByTestId('team-review').screenshot({ path: `${shots}/team-review.png` });

  const disputed = (await rita.getByTestId('team-review-item').locator('.team-text').innerText()).trim();
  const out = join(dir, 'before.jsonl');
  expect((await invokeFromPage(page, 'datasets.export', { datasetId: dataset.id, format: 'messages', path: out })).rows).toBe(5);
  // She takes Ana's answer (accepted, billing): the row joins the export, and the resolution says who and when.
  await rita.getByTestId('team-review-item').getByRole('button', { name: "Use Ana's answer" }).click();
  await expect(rita.getByTestId('team-review-item')).toHaveCount(0);
  await expect(rita.getByTestId('team-resolution-who')).toHaveText(["Rita chose Ana's answer"]);
  await rita.getByTestId('team-resolved').screenshot({ path: `${shots}/team-resolved.png` });
  const after = join(dir, 'after.jsonl');
  expect((await invokeFromPage(page, 'datasets.export', { datasetId: dataset.id, format: 'messages', path: after })).rows).toBe(6);
  expect(readFileSync(out, 'utf8')).not.toContain(`"${disputed}"`);
  expect(readFileSync(after, 'utf8')).toContain(`"${disputed}"`);
  const reviews = await invokeFromPage(page, 'team.reviews', { assignmentId: (await invokeFromPage(page, 'team.assignments', {}))[0]?.id as string });
  expect(reviews).toEqual([expect.objectContaining({ kind: 'chose', reviewerName: 'Rita' })]);
}
