// What users tripped over in Evaluations: empty dropdowns on a fresh install, {{expected}} in an assertion
// compared literally, "pending" in the list while the detail said "running", nothing shown until the end,
// and an A/B order the user could not choose. A gated fake server holds answers so the run is seen mid-way.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { EvalsPage, TestSetsPage } from './support/evalPages';
import { startGatedOpenAi, type GatedOpenAi } from './support/gatedOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { PromptsPage } from './support/promptPages';
import { TargetsPage } from './support/remotePages';

let host: RunningHost;
let gated: GatedOpenAi;

test.beforeAll(async () => {
  gated = await startGatedOpenAi();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await gated?.close();
});

const shot = (name: string) => `/tmp/shots/ux1-${name}.png`;

test('evaluations: first-run hint, {{expected}} in assertions, live partial results, one status, A/B chosen by the user', async ({ page }) => {
  test.setTimeout(150_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);

  // A fresh install says what to create first.
  const evals = new EvalsPage(page);
  await evals.open();
  const prereqs = page.getByTestId('eval-prereqs');
  await expect(prereqs).toContainText('Models');
  await expect(prereqs).toContainText('Prompts');
  await expect(prereqs).toContainText('Test sets');
  await page.screenshot({ path: shot('07-evals-fresh') });

  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'Gated', urls: [`${gated.baseUrl}/`] });
  const prompts = new PromptsPage(page);
  await prompts.open();
  await prompts.newPrompt('Capital quiz');
  await prompts.typeMessage(1, 'Name the capital of {{country}}.');
  await prompts.save('First');
  await expect(prompts.row('Capital quiz')).toContainText('v1');
  await prompts.typeMessage(1, 'What is the capital of {{country}}? One word.');
  await prompts.save('Shorter');
  await expect(prompts.row('Capital quiz')).toContainText('v2');

  const dir = mkdtempSync(join(tmpdir(), 'lamplight-ux1-evals-'));
  const csv = join(dir, 'capitals.csv');
  writeFileSync(csv, 'country,answer\nFrance,Paris\nJapan,Tokyo\nPeru,Lima\n');
  const sets = new TestSetsPage(page);
  await sets.open();
  await sets.preview(csv);
  await page.getByTestId('testset-map-role').nth(1).selectOption('expected');
  await sets.importAs('Capitals');
  await expect(page.getByTestId('testset-import-result')).toContainText('Imported 3 rows');

  await evals.open();
  await expect(page.getByTestId('eval-prereqs')).toHaveCount(0);
  await page.getByTestId('eval-name-input').fill('capitals');
  await evals.pickPrompt('Capital quiz');
  // The older version is A by default; the user can make the newer one A.
  await expect(page.locator('.ev-version[data-version="1"]').getByTestId('eval-version-a')).toBeVisible();
  await page.getByTestId('eval-swap-ab').click();
  await expect(page.locator('.ev-version[data-version="2"]').getByTestId('eval-version-a')).toBeVisible();
  await expect(page.locator('.ev-version[data-version="1"]').getByTestId('eval-version-b')).toBeVisible();
  await evals.pickTarget(0, /gated-7b/);
  await evals.pickTestSet('Capitals');

  // An assertion naming a variable the rows lack is refused when saved, naming it.
  await page.getByTestId('eval-assertion-pattern').first().fill('[\\s\\S]*');
  const contains = await evals.addAssertion('contains');
  await contains.getByTestId('eval-assertion-value').fill('{{capital}}');
  await page.getByTestId('eval-start').click();
  await expect(page.getByText(/\{\{capital\}\} is not a variable of row 1/)).toBeVisible();
  await page.screenshot({ path: shot('08-evals-unknown-variable') });
  expect(gated.requests()).toBe(0);

  // {{expected}} is the row's expected output.
  await contains.getByTestId('eval-assertion-value').fill('{{expected}}');
  await page.getByTestId('eval-start').click();

  // Mid-run: the France cells are in, the others wait; list and detail agree; the time left shows.
  await expect(page.getByTestId('eval-status')).toHaveText('running');
  await expect(page.getByTestId('eval-list-row').filter({ hasText: 'capitals' })).toContainText('running');
  await expect(page.getByTestId('eval-partial')).toBeVisible();
  await expect(page.getByTestId('eval-row').first().locator('[data-pass="true"]')).toHaveCount(2);
  await expect(page.getByTestId('eval-cell-waiting').first()).toContainText('waiting');
  await expect(page.getByTestId('eval-progress')).toContainText('2 / 6 cells');
  await expect(page.getByTestId('eval-eta')).toContainText(/left|first cell/);
  await page.screenshot({ path: shot('09-evals-partial'), fullPage: true });

  gated.release();
  await evals.waitFinished(60_000);
  await expect(page.getByTestId('eval-progress')).toContainText('6 / 6 cells · 6 passed · 0 failed');
  await expect(page.getByTestId('eval-list-row').filter({ hasText: 'capitals' })).toContainText('done');
  await expect(page.getByTestId('eval-partial')).toHaveCount(0);

  // The comparison follows the user's A and B, and can be swapped after the run too.
  await expect(page.getByTestId('eval-compare-a')).toContainText('v2');
  await expect(page.getByTestId('eval-compare-b')).toContainText('v1');
  await page.getByTestId('eval-compare-swap').click();
  await expect(page.getByTestId('eval-compare-a')).toContainText('v1');
  await expect(page.getByTestId('eval-verdict')).toContainText('no significant difference');
  await page.locator('.content').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: shot('10-evals-done'), fullPage: true });

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
