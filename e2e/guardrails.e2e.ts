// Enterprise guardrails in a real browser against the browser host: PII is masked before it leaves for a
// remote target (the fake server records what it received), the reply is unmasked locally, the audit log
// lists the call and its chain verifies; an output rule blocks a reply; a labeler's own link opens a
// narrower UI and the core refuses admin commands to it.
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecordingOpenAi, type RecordingOpenAi } from './support/guardOpenAi';
import { AuditPage, choosePlaygroundModel, GuardPage, invokeRaw } from './support/guardPages';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage, LabelingPage } from './support/labelingPages';
import { collectConsoleErrors, PlaygroundPage } from './support/pages';
import { TargetsPage } from './support/remotePages';

const ID = '11010519491231002X';
// Luhn-valid.
const CARD = '6222021234567890128';
const SHOTS = process.env.GUARD_SHOTS ?? '/tmp/shots-guard';

let host: RunningHost;
let fake: RecordingOpenAi;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  fake = await startRecordingOpenAi();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await fake?.close();
});

/** The ways a raw value could still be recognised in what was sent. */
function variants(raw: string): string[] {
  const fullWidth = [...raw].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  return [raw, raw.toLowerCase(), fullWidth, fullWidth.toLowerCase()];
}

function sentContents(bodies: string[]): string[] {
  return bodies.flatMap((b) => (JSON.parse(b) as { messages: { content: string }[] }).messages.map((m) => m.content));
}

test('PII is masked before egress, the reply unmasked, the call audited and the chain intact', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  await expect(page.getByTestId('session-profile')).toContainText('Admin');

  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'fake cloud', urls: [`${fake.baseUrl}/`] });
  await page.getByTestId('target-check').click();
  await expect(page.getByTestId('target-models')).toContainText('echo-7b');

  const pg = new PlaygroundPage(page);
  await pg.open();
  await choosePlaygroundModel(page, 'echo-7b');
  await pg.typeInto('user-editor', `Customer ID ${ID}, card ${CARD}. Please confirm you have them.`);
  const strip = page.getByTestId('mask-preview');
  await expect(strip).toContainText('Will mask 2 items before sending to fake cloud');
  await expect(strip).toContainText('[ID_1]');
  await expect(strip).toContainText(/1101\*+2X/);
  await expect(strip).not.toContainText(ID);
  await page.screenshot({ path: `${SHOTS}/playground-preview.png` });

  await page.getByTestId('run-button').click();
  await expect(pg.output()).toContainText(`Noted: ${ID}`);
  await expect(page.getByTestId('run-guard-pii')).toContainText('Masked: 1 ID number, 1 bank card');
  await page.getByTestId('run-guard-sent').locator('summary').click();
  await expect(page.getByTestId('run-guard-sent')).toContainText('[ID_1]');
  await expect(page.getByTestId('run-guard-sent')).not.toContainText(ID);
  await page.screenshot({ path: `${SHOTS}/playground-masked-run.png` });

  // What reached the server: placeholders, never the values.
  expect(fake.bodies.length).toBeGreaterThan(0);
  const all = fake.bodies.join('\n');
  const contents = sentContents(fake.bodies).join('\n');
  for (const v of [...variants(ID), ...variants(CARD)]) {
    expect(all).not.toContain(v);
    expect(contents.replace(/[\s-]/g, '')).not.toContain(v);
  }
  expect(contents).toContain('[ID_1]');

  // The audit log lists the call with what was masked, and the chain verifies.
  const audit = new AuditPage(page);
  await audit.open();
  const call = audit.rows('ai_call').filter({ hasText: 'playground' }).first();
  await expect(call).toContainText('id_card 1');
  await expect(call).toContainText('echo-7b');
  // Finish reasons read as the History reads them, never as raw keys (maxTokens, length, stop).
  await expect(call.locator('td').last()).toHaveText(/^(end of text|max tokens)$/);
  const result = await audit.verify();
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText('Chain intact');
  await call.click();
  await expect(page.getByTestId('audit-detail')).toContainText(/hash/);
  await page.screenshot({ path: `${SHOTS}/audit.png` });

  // Export what the filter shows.
  const out = join(mkdtempSync(join(tmpdir(), 'lamplight-audit-')), 'audit.jsonl');
  await page.getByTestId('audit-export-path').fill(out);
  await page.getByTestId('audit-export').click();
  await expect(page.getByTestId('audit-exported')).toContainText('Wrote');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.join('\n')).not.toContain(ID);

  // The per-target policy dropdown is shown whole, not cut off by its table, even beside a long endpoint.
  await targets.open();
  await targets.add({ name: 'regional inference gateway', urls: ['http://inference-gateway.eu-west.prod.internal.example.invalid:8443/v1'] });
  await new GuardPage(page).open();
  const pick = page.getByLabel('PII policy for regional inference gateway');
  await expect(pick).toBeVisible();
  const wrap = page.getByTestId('guard-target-table').locator('xpath=..');
  const [pickBox, wrapBox] = [await pick.boundingBox(), await wrap.boundingBox()];
  expect((pickBox?.x ?? 0) + (pickBox?.width ?? 0)).toBeLessThanOrEqual((wrapBox?.x ?? 0) + (wrapBox?.width ?? 0));
  expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/guard-targets.png`, fullPage: true });

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('an output rule blocks a reply and says why', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const guard = new GuardPage(page);
  await guard.open();
  // The "try it" box asks the core what the saved policy finds.
  await page.getByTestId('guard-try-input').fill(`my ID is ${ID}`);
  await expect(page.getByTestId('guard-try-result')).toContainText('[ID_1]');
  await expect(page.getByTestId('guard-try-result')).not.toContainText(ID);
  // A pattern the core refuses comes back named, next to the form; nothing is saved.
  await page.getByTestId('guard-pii-name').fill('ANYTHING');
  await page.getByTestId('guard-pii-pattern').fill('x*');
  await page.getByTestId('guard-pii-add').click();
  await page.getByTestId('guard-save').click();
  await expect(page.getByTestId('guard-save-error')).toContainText('ANYTHING');
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByTestId('guard-custom-rule')).toHaveCount(0);

  await guard.addWordsRule('no moon', ['moon'], 'block');
  await guard.save();
  await page.screenshot({ path: `${SHOTS}/guardrails.png`, fullPage: true });

  const pg = new PlaygroundPage(page);
  await pg.open();
  await choosePlaygroundModel(page, 'steady-7b');
  await pg.typeInto('user-editor', 'Why are there tides?');
  await page.getByTestId('run-button').click();
  const refusal = page.getByTestId('run-error');
  await expect(refusal).toContainText(/blocked by policy/i);
  await expect(refusal).toContainText('no moon');
  await expect(page.getByTestId('run-metrics')).toContainText('blocked by output policy');
  await expect(pg.output()).toHaveText('');
  await expect(page.getByText('The reply was withheld by the output policy.')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/playground-blocked.png` });

  // The same rule set to flag lets the reply through, marked.
  await guard.open();
  await page.getByTestId('guard-rule-row').filter({ hasText: 'no moon' }).getByRole('button', { name: 'Edit' }).click();
  await page.getByTestId('guard-rule-action').selectOption('flag');
  await page.getByTestId('guard-rule-done').click();
  await guard.save();
  await pg.open();
  await page.getByTestId('run-button').click();
  const flagged = page.getByTestId('run-guard-output');
  await expect(flagged).toHaveAttribute('data-decision', 'flag');
  await expect(flagged).toContainText('no moon');
  await expect(pg.output()).toContainText('The moon pulls the sea');

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test("a labeler's own link opens a narrower UI, and the core refuses admin commands", async ({ page, browser }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const guard = new GuardPage(page);
  await guard.open();
  await expect(page.getByTestId('guard-profile-new-role').locator('option')).toHaveText(['Admin', 'Prompt engineer', 'Labeler', 'Reviewer', 'Analyst']);
  await guard.createProfile('Lena', 'labeler');
  await expect(guard.profileRow('Lena').getByTestId('guard-profile-role')).toHaveValue('labeler');
  const link = await guard.issueLink('Lena');
  expect(link.startsWith(host.origin)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/guardrails-profiles.png`, fullPage: true });

  const lenaContext = await browser.newContext();
  const lena = await lenaContext.newPage();
  const lenaErrors = collectConsoleErrors(lena);
  await lena.goto(link);
  await expect(lena.getByTestId('session-profile')).toContainText('Lena');
  await expect(lena.getByTestId('session-profile')).toContainText('Labeler');
  await expect(lena.getByTestId('nav-datasets')).toBeVisible();
  for (const hidden of ['nav-history', 'nav-guard', 'nav-audit', 'nav-targets', 'nav-playground']) await expect(lena.getByTestId(hidden)).toHaveCount(0);
  await lena.getByTestId('nav-settings').click();
  await expect(lena.getByTestId('api-server-start')).toBeDisabled();
  await expect(lena.getByTestId('api-server-start')).toHaveAttribute('title', /change policies, endpoints and profiles/);
  await lena.screenshot({ path: `${SHOTS}/labeler-settings.png` });
  // Hidden is not the guard: the core refuses the command itself.
  const refused = await invokeRaw(lena, 'targets.add', { name: 'sneaky', baseUrls: ['http://127.0.0.1:9/v1'] });
  expect(refused.ok).toBe(false);
  expect(refused.error?.code).toBe('FORBIDDEN');

  // She labels as herself, with no picker: the core would refuse a label under another profile's name.
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-guard-lena-'));
  const file = join(dir, 'lena.jsonl');
  writeFileSync(file, [1, 2, 3].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n') + '\n');
  await invokeFromPage(page, 'datasets.import', { path: file, name: 'Lena rows' });
  await lena.reload();
  const labeling = new LabelingPage(lena);
  await labeling.openFromDatasets('Lena rows');
  await expect(lena.getByTestId('labeling-profile-self')).toHaveText('Lena');
  await expect(lena.getByTestId('labeling-profile-select')).toHaveCount(0);
  // Labelers export nothing and do not import or remove datasets.
  await expect(lena.getByRole('button', { name: 'Export…' })).toHaveCount(0);
  await expect(lena.getByTestId('dataset-import-open')).toHaveCount(0);
  await expect(lena.getByRole('button', { name: 'Remove Lena rows' })).toHaveCount(0);
  await lena.screenshot({ path: `${SHOTS}/labeler-labeling.png` });

  // Her link shows where it was used from; revoking it ends it at once.
  await guard.open();
  await page.getByTestId('guard-links-refresh').click();
  const row = guard.profileRow('Lena');
  await expect(row.getByTestId('guard-link-state')).toContainText('Active until');
  await expect(row.getByTestId('guard-link-seen')).toContainText('127.0.0.1');
  page.once('dialog', (d) => void d.accept());
  await row.getByTestId('guard-revoke-link').click();
  await expect(row.getByTestId('guard-link-state')).toContainText('Revoked');
  await page.screenshot({ path: `${SHOTS}/guardrails-links.png`, fullPage: true });
  const after = await lena.request.get(link);
  expect(after.status()).toBe(401);
  await lenaContext.close();

  // The refusal is on record.
  const audit = new AuditPage(page);
  await audit.open();
  await page.getByTestId('audit-filter-kind').selectOption('denied');
  const denied = audit.rows('denied').filter({ hasText: 'Lena' }).first();
  await expect(denied).toBeVisible();
  await denied.click();
  await page.screenshot({ path: `${SHOTS}/audit-denied.png` });

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  expect(lenaErrors.filter((e) => !/favicon/.test(e))).toEqual([]);

  // The owner rotates the launch link: this window reopens with the new one, and the old one gets 401.
  const oldToken = new URL(host.url).searchParams.get('token');
  await guard.open();
  page.once('dialog', (d) => void d.accept());
  // Waited for before the click: the page removes the token from the address bar right after loading.
  const reopened = page.waitForURL((u) => u.searchParams.has('token') && u.searchParams.get('token') !== oldToken);
  await guard.profileRow('Owner').getByTestId('guard-rotate-launch').click();
  await reopened;
  await expect(page.getByTestId('session-profile')).toContainText('Owner');
  const stranger = await browser.newContext();
  expect((await stranger.request.get(host.url)).status()).toBe(401);
  await stranger.close();
});
