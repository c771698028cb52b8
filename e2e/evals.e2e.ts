// Test sets and evaluations in a real browser against the browser host: load the tiny model, save a prompt
// as v1 and v2, import a 4-row CSV (a bad row reported with its line), edit a row in the grid, run v1 vs v2
// on the local model with assertions that always pass, and read the A/B verdict with its p-value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { EvalsPage, TestSetsPage } from './support/evalPages';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';
import { PromptsPage } from './support/promptPages';

let host: RunningHost;
let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;

test.beforeAll(async () => {
  fx = await ensureFixtureModels();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

const shot = (name: string) => `test-results/screens/${name}.png`;

test('test set import and an A/B evaluation of two prompt versions', async ({ page }) => {
  test.setTimeout(600_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  await new ModelsPage(page).addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');

  const prompts = new PromptsPage(page);
  await prompts.open();
  await prompts.newPrompt('Capital quiz');
  await prompts.typeMessage(1, 'Name the capital of {{country}}.');
  await prompts.save('First');
  await expect(prompts.row('Capital quiz')).toContainText('v1');
  await prompts.typeMessage(1, 'What is the capital of {{country}}? One word.');
  await prompts.save('Shorter');
  await expect(prompts.row('Capital quiz')).toContainText('v2');

  // Four good rows and one with an extra field, which is reported by its line.
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-evals-'));
  const csv = join(dir, 'capitals.csv');
  writeFileSync(csv, 'country,answer\nFrance,Paris\nJapan,Tokyo\nPeru,Lima\n"Oops",x,extra\nKenya,Nairobi\n');
  const sets = new TestSetsPage(page);
  await sets.open();
  await sets.preview(csv);
  await expect(page.getByTestId('testset-preview')).toContainText('CSV');
  await expect(page.getByTestId('testset-preview')).toContainText('Tokyo');
  await expect(page.getByTestId('testset-bad-rows')).toContainText('line 5');
  await page.getByTestId('testset-map-role').nth(1).selectOption('expected');
  await page.screenshot({ path: shot('4x-testset-import') });
  await sets.importAs('Capitals');
  await expect(page.getByTestId('testset-import-result')).toContainText('Imported 4 rows');
  await expect(sets.row('Capitals')).toContainText('4 rows');
  await expect(sets.gridRows()).toHaveCount(4);
  // Inline edit: saved on blur, still there after reselecting the set.
  const cell = page.getByLabel('Row 4 country');
  await cell.fill('Kenya ');
  await cell.press('Tab');
  await sets.row('Capitals').click();
  await expect(page.getByLabel('Row 4 country')).toHaveValue('Kenya ');
  await page.getByLabel('Row 4 country').fill('Kenya');
  await page.getByLabel('Row 4 country').press('Tab');
  await page.screenshot({ path: shot('4x-testset-grid') });

  const evals = new EvalsPage(page);
  await evals.open();
  await page.getByTestId('eval-name-input').fill('v1 vs v2');
  await evals.pickPrompt('Capital quiz');
  await expect(evals.version(1)).toBeChecked();
  await expect(evals.version(2)).toBeChecked();
  await evals.pickTarget(0, /tiny-q8_0/);
  await evals.pickTestSet('Capitals');
  // The default regex row: a pattern every output (even an empty one) matches.
  await page.getByTestId('eval-assertion-pattern').first().fill('[\\s\\S]*');
  const notContains = await evals.addAssertion('notContains');
  await notContains.getByTestId('eval-assertion-value').fill('zz-never-in-output-zz');
  await page.screenshot({ path: shot('4x-eval-create') });
  await page.getByTestId('eval-start').click();

  await expect(page.getByTestId('eval-progress')).toBeVisible();
  // A bound for a hung run, not a speed target: on a loaded machine eight generations can take minutes.
  await evals.waitFinished(420_000);
  await expect(page.getByTestId('eval-progress')).toContainText('8 / 8 cells · 8 passed · 0 failed');
  await expect(page.getByTestId('eval-resume')).toBeDisabled();
  await expect(page.getByTestId('eval-cancel')).toBeDisabled();
  await expect(page.getByTestId('eval-summary-row')).toHaveCount(2);
  await expect(page.getByTestId('eval-summary-row').first()).toContainText('100');
  await expect(page.getByTestId('eval-row')).toHaveCount(4);
  await expect(page.getByTestId('eval-failing')).toHaveCount(0);
  await expect(page.getByTestId('eval-verdict')).toContainText('no significant difference');
  await expect(page.getByTestId('eval-pvalue')).toContainText(/p = \d/);

  await page.getByTestId('eval-export-path').fill(join(dir, 'results.csv'));
  await page.getByTestId('eval-export').click();
  await expect(page.getByTestId('eval-export-result')).toContainText('Wrote 8 cells');
  await page.locator('.content').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: shot('4x-eval-results'), fullPage: true });

  expect(consoleErrors).toEqual([]);
});
