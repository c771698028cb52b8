// The labeler's flow in a real browser against the browser host: a JSONL file with two broken lines is
// imported, a profile created, ten rows labeled with the keyboard only (accept/reject/skip, a rating, a
// label option, an edited response, a taken draft, one undo), a preference pair picked from two remote
// models, and the accepted rows exported: exactly those, with the edited response.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startFakeOpenAi, STEADY_ANSWER, type FakeOpenAi } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage, LabelingPage } from './support/labelingPages';
import { collectConsoleErrors } from './support/pages';

let host: RunningHost;
let fake: FakeOpenAi;

test.beforeAll(async () => {
  fake = await startFakeOpenAi();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await fake?.close();
});

const SHOTS = process.env.LABELING_SHOTS ?? '/tmp/shots';
const shot = (name: string) => join(SHOTS, `labeling-${name}.png`);

function writeDataset(dir: string): string {
  const lines: string[] = [];
  for (let i = 1; i <= 30; i++) {
    const messages = [
      ...(i % 3 === 1 ? [{ role: 'system', content: 'You are a patient support agent.\n  Keep answers short.' }] : []),
      { role: 'user', content: i === 3 ? `Question ${i}: call me on 13812345678 or mail ada@example.com` : `Question ${i}: how do tides work?` },
      { role: 'assistant', content: `Answer ${i}: the moon pulls the water.` },
    ];
    lines.push(JSON.stringify({ messages }));
    if (i === 7) lines.push('{"messages": [ broken json');
    if (i === 19) lines.push('{"nothing": "useful"}');
  }
  const path = join(dir, 'support-chats.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('labeling: keyboard-only labels, edit, draft, undo, preference pair, export of accepted rows', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-labeling-'));
  const file = writeDataset(dir);
  await page.goto(host.url);

  // Setup through the page's own transport: import, a label schema, a remote target, drafts for rows 4–5.
  const imported = await invokeFromPage(page, 'datasets.import', { path: file, name: 'Support chats' });
  expect(imported.imported).toBe(30);
  expect(imported.badTotal).toBe(2);
  const datasetId = imported.dataset.id;
  await invokeFromPage(page, 'datasets.setLabelSchema', {
    datasetId,
    schema: {
      fields: [
        { name: 'quality', kind: 'single', options: ['good', 'ok', 'bad'] },
        { name: 'issues', kind: 'multi', options: ['factual', 'tone'] },
      ],
    },
  });
  const target = await invokeFromPage(page, 'targets.add', { name: 'Fake vLLM', baseUrls: [fake.baseUrl] });
  const page0 = await invokeFromPage(page, 'datasets.rows', { datasetId, offset: 0, limit: 10 });
  const ids = page0.rows.map((r) => r.id);
  const prompt = await invokeFromPage(page, 'prompts.create', {
    name: 'Drafter',
    content: { messages: [{ role: 'user', content: '{{conversation}}' }] },
    message: 'v1',
    author: 'e2e',
  });
  const { jobId } = await invokeFromPage(page, 'datasets.draft', {
    datasetId,
    promptVersionId: prompt.version.id,
    target: { kind: 'remote', targetId: target.id, model: 'steady-7b' },
    rowIds: [ids[3] as number, ids[4] as number],
  });
  await expect
    .poll(async () => (await invokeFromPage(page, 'datasets.jobs', { datasetId })).find((j) => j.jobId === jobId)?.state, { timeout: 30_000 })
    .toBe('done');

  const lb = new LabelingPage(page);
  await lb.openFromDatasets('Support chats');
  await lb.expectRow(1);
  await expect(lb.panel().getByTestId('labeling-message-system').first()).toContainText('Keep answers short.');

  // The owner labels as themselves without picking; the list is wide enough to read.
  const owner = await invokeFromPage(page, 'session.whoami', {});
  const picker = page.getByTestId('labeling-profile-select');
  await expect(picker).toHaveValue(owner.profileId);
  await expect(page.getByTestId('labeling-need-profile')).toHaveCount(0);
  expect((await picker.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(160);
  await page.screenshot({ path: shot('owner-default') });
  // Nobody chosen on purpose: labeling keys only explain why nothing happens.
  await picker.selectOption('');
  await page.getByTestId('labeling-position').click();
  await expect(page.getByTestId('labeling-need-profile')).toBeVisible();
  await lb.press('a');
  await expect(page.getByTestId('labeling-notice')).toContainText('labeler profile');
  await lb.expectRow(1);
  await lb.createProfile('Ada');

  // Row 1: a label option by its letter, a rating, accept.
  await lb.press('q');
  await expect(page.getByTestId('labeling-option-quality-good')).toHaveAttribute('aria-pressed', 'true');
  await lb.press('4');
  await expect(page.getByRole('button', { name: 'Rate 4 of 5' })).toHaveAttribute('aria-pressed', 'true');
  await lb.expectSaved();
  await lb.press('a');
  await lb.expectRow(2);
  // The move is said, so the next J is not a surprise.
  await expect(page.getByTestId('labeling-notice')).toHaveText('Accepted row 1 · moved to row 2');
  await page.screenshot({ path: shot('moved-note') });
  // Row 2 reject, row 3 skip (its PII is highlighted first).
  await lb.press('r');
  await lb.expectRow(3);
  await expect(lb.panel().locator('mark.lb-pii[data-pii="phone"]')).toHaveText('13812345678');
  await expect(lb.panel().locator('mark.lb-pii[data-pii="email"]')).toHaveText('ada@example.com');
  await lb.press('s');
  await lb.expectRow(4);

  // Row 4 has a draft; rewrite the response in Monaco instead, then accept.
  await expect(page.getByTestId('labeling-draft')).toContainText(STEADY_ANSWER);
  await lb.expectSaved();
  await page.screenshot({ path: shot('draft') });
  await lb.editResponse('Edited answer 4:\n  the moon and the sun both pull.', async () => {
    // Keys typed into Monaco are text, not labeling keys.
    await expect(lb.position()).toContainText('row 4 of');
    await page.screenshot({ path: shot('edit') });
  });
  await expect(page.getByTestId('labeling-response')).toContainText('the moon and the sun both pull.');
  await lb.expectSaved();
  await lb.press('a');
  await lb.expectRow(5);

  // Row 5: take the draft as the response, accept. Rows 6, 7: accept, reject (fast, queued in order).
  await lb.press('d');
  await expect(page.getByTestId('labeling-response')).toContainText(STEADY_ANSWER);
  await lb.press('a');
  await lb.expectRow(6);
  await lb.press('a');
  await lb.press('r');
  await lb.expectRow(8);
  // Row 8: accept by mistake, undo (back on row 8, new again), then skip.
  await lb.press('a');
  await lb.expectRow(9);
  await lb.expectSaved();
  await lb.press('ControlOrMeta+z');
  await lb.expectRow(8);
  await expect(page.getByTestId('labeling-status')).toHaveText('new');
  await lb.press('s');
  await lb.press('a');
  await lb.press('j');
  await lb.press('k');
  await lb.expectRow(10);
  await lb.press('a');
  await lb.expectRow(11);
  await lb.expectSaved();
  await expect(page.getByTestId('labeling-progress-row').first()).toContainText('10/30');
  // Back on row 10: confirmed as accepted by Ada, with the saved indicator up.
  await lb.press('k');
  await lb.expectRow(10);
  await expect(page.getByTestId('labeling-status')).toHaveText('accepted');
  await expect(page.getByTestId('labeling-labeler')).toHaveText('Ada');
  await page.screenshot({ path: shot('saved') });
  await lb.press('j');
  await lb.expectRow(11);

  // Preference mode on row 11: two remote models answer, 1 keeps A as chosen.
  await lb.press('p');
  await expect(page.getByTestId('labeling-preference')).toBeVisible();
  await page.getByTestId('labeling-pref-target-a').selectOption(`remote:${target.id}:steady-7b`);
  await page.getByTestId('labeling-pref-target-b').selectOption(`remote:${target.id}:sql-lora`);
  await page.getByTestId('labeling-position').click();
  await expect(page.getByTestId('labeling-candidate-a')).toContainText(STEADY_ANSWER, { timeout: 30_000 });
  await expect(page.getByTestId('labeling-candidate-b')).toContainText(STEADY_ANSWER, { timeout: 30_000 });
  await page.screenshot({ path: shot('preference') });
  await lb.press('1');
  await expect(page.getByTestId('labeling-candidate-a')).toContainText('chosen');
  await lb.expectSaved();
  await lb.press('Escape');
  await expect(page.getByTestId('labeling-preference')).toHaveCount(0);
  await expect(page.getByTestId('labeling-chosen')).toContainText(STEADY_ANSWER);

  // What the core stored: six accepted rows, exported with the edited response and the taken draft.
  const out = join(dir, 'accepted.jsonl');
  const exported = await invokeFromPage(page, 'datasets.export', { datasetId, format: 'messages', path: out });
  expect(exported.rows).toBe(6);
  const records = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
  const questions = records.map((r) => r.messages.find((m) => m.role === 'user')?.content.split(':')[0]);
  expect(questions).toEqual(['Question 1', 'Question 4', 'Question 5', 'Question 6', 'Question 9', 'Question 10']);
  const answers = records.map((r) => r.messages.at(-1)?.content);
  expect(answers[1]).toBe('Edited answer 4:\n  the moon and the sun both pull.');
  expect(answers[2]).toBe(STEADY_ANSWER);
  expect(answers[0]).toBe('Answer 1: the moon pulls the water.');

  // Auto-advance off (remembered): a status key stays on the row and says so.
  await lb.press('k');
  await lb.expectRow(10);
  await page.getByTestId('labeling-auto-advance').uncheck();
  await lb.press('r');
  await expect(page.getByTestId('labeling-notice')).toContainText('Rejected row 10 · staying here');
  await lb.expectRow(10);
  await page.screenshot({ path: shot('advance-off') });
  await page.reload();
  await lb.openFromDatasets('Support chats');
  await expect(page.getByTestId('labeling-auto-advance')).not.toBeChecked();

  await lb.press('Escape');
  await expect(lb.panel()).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
