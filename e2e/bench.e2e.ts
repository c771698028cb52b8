// Cost & latency in a real browser against the browser host: the tiny local model and a loopback
// OpenAI-compatible server are load-tested at concurrency 1 and 2; the charts draw, the table fills; a GPU
// server price for the local model and an API price for the remote one give cost numbers and a break-even,
// and a dearer GPU moves both. Then a second run is overlaid and the report exported.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { BenchPage } from './support/benchPages';
import { startBenchOpenAi, type BenchOpenAi } from './support/benchOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';
import { TargetsPage } from './support/remotePages';

let host: RunningHost;
let remote: BenchOpenAi;
let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;

const SHOTS = process.env.BENCH_SHOTS ?? '/tmp/shots';
// A ULID: what a person should never have to read in the runs list or the run panel.
const RAW_ID = /[0-9A-HJKMNP-TV-Z]{26}/;
const shot = (name: string) => join(SHOTS, `bench-${name}.png`);

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await ensureFixtureModels();
  remote = await startBenchOpenAi({ model: 'fast-7b', firstTokenMs: 60, tokenMs: 12 });
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await remote?.close();
});

test('a small benchmark of a local model and a remote target, priced and compared', async ({ page }) => {
  test.setTimeout(240_000);
  const consoleErrors = collectConsoleErrors(page);
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(host.url);

  await new ModelsPage(page).addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');
  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'Bench server', urls: [remote.baseUrl] });

  const bench = new BenchPage(page);
  await bench.open();
  await expect(page.getByTestId('bench-target-pick').first()).toHaveValue(/.+/);
  await page.getByTestId('bench-target-add').click();
  await bench.chooseTarget(1, 'Bench server · fast-7b');
  await bench.fill({ name: 'Tiny vs server', 'input-len': '32', 'output-len': '8', loads: '1, 2', warmup: '1', requests: '6' });
  // The model was loaded with one sequence; the sweep goes to 2: the form says so before Start.
  await expect(page.getByTestId('bench-sequence-notes')).toContainText(/loaded with 1 sequence .*reloaded with 2/);
  await page.screenshot({ path: shot('1-form'), fullPage: true });
  await bench.start();
  await expect(page.getByTestId('bench-state')).toBeVisible();
  await expect(page.getByTestId('bench-progress')).toBeVisible();
  // While it runs, targets read as names, never as ids.
  await expect(page.getByTestId('bench-run-targets')).toContainText('Bench server · fast-7b');
  await expect(page.getByTestId('bench-run-targets')).not.toContainText(RAW_ID);
  await expect(page.getByTestId('bench-list-row').filter({ hasText: 'Tiny vs server' })).toContainText('Bench server · fast-7b');
  await expect(page.getByTestId('bench-list-row').filter({ hasText: 'Tiny vs server' })).not.toContainText(RAW_ID);
  await page.screenshot({ path: shot('1b-running'), fullPage: true });
  await bench.finished();
  await expect(bench.rows()).toHaveCount(4);
  await expect(page.getByTestId('bench-list-row').filter({ hasText: 'Tiny vs server' })).toContainText('done');
  // Every cell completed all six measured requests.
  for (const text of await bench.rows().allTextContents()) expect(text).toContain('6 / 0');

  await page.screenshot({ path: shot('2-charts'), fullPage: true });
  for (const id of ['bench-chart-cdf', 'bench-chart-throughput', 'bench-chart-goodput']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-points', /^[1-9]\d*$/);
    expect(await bench.drawnPixels(id)).toBeGreaterThan(1000);
  }
  await page.getByTestId('bench-cdf-e2el').click();
  await expect(page.getByTestId('bench-chart-cdf')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  // A log latency axis draws the same lines (outliers in view without squashing the rest).
  await page.getByTestId('bench-cdf-log').check();
  expect(await bench.drawnPixels('bench-chart-cdf')).toBeGreaterThan(1000);
  await page.getByTestId('bench-chart-cdf').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('2b-cdf-log') });
  await page.getByTestId('bench-cdf-log').uncheck();
  // No price yet: a hint where the cost chart goes, not an empty 0–1 frame.
  await expect(page.getByTestId('bench-chart-cost')).toHaveCount(0);
  await expect(page.getByTestId('bench-cost-empty')).toContainText('No target has a price yet');
  // The comparison table fits: it scrolls inside its card, the page never sideways.
  expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  const card = await page.getByTestId('bench-table').locator('xpath=ancestor::div[contains(@class,"card")][1]').boundingBox();
  expect((card?.x ?? 0) + (card?.width ?? 0)).toBeLessThanOrEqual(1400);

  // Prices: a GPU server for the local model, an API for the remote one.
  await bench.price('tiny-q8_0', 'server', { purchasePrice: '30000', amortizationMonths: '36', powerWatts: '700', electricityPerKwh: '0.15', utilization: '0.5' });
  // Priced high on purpose: the tiny model on a CPU serves few requests, so only a dear API crosses it.
  await bench.price('fast-7b', 'api', { inputPer1M: '100', outputPer1M: '200' });
  await expect(bench.costRow('tiny-q8_0')).toBeVisible();
  await expect(bench.costRow('fast-7b')).toBeVisible();
  await expect(page.getByTestId('bench-chart-cost')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByTestId('bench-chart-breakeven')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const per1k = await bench.costRow('tiny-q8_0').getByTestId('bench-cost-per-1k').textContent();
  const monthly = await bench.costRow('tiny-q8_0').getByTestId('bench-cost-monthly').textContent();
  await expect(page.getByTestId('bench-breakeven-value')).toBeVisible();
  await bench.profile('tiny-q8_0').scrollIntoViewIfNeeded();
  const breakEven = await page.getByTestId('bench-breakeven').first().getAttribute('data-calls');
  expect(Number(breakEven)).toBeGreaterThan(0);
  // $30,000 over 36 months plus 700 W all month at $0.15/kWh: $910 a month at 100k calls.
  expect(monthly).toBe('$910');
  await page.screenshot({ path: shot('3-priced'), fullPage: true });

  // A dearer GPU: the cost per 1k requests and the break-even move at once.
  await bench.profile('tiny-q8_0').getByTestId('cost-purchasePrice').fill('60000');
  await expect(bench.costRow('tiny-q8_0').getByTestId('bench-cost-per-1k')).not.toHaveText(per1k ?? '');
  await expect(bench.costRow('tiny-q8_0').getByTestId('bench-cost-monthly')).toHaveText('$1,743');
  await expect.poll(async () => Number(await page.getByTestId('bench-breakeven').first().getAttribute('data-calls'))).toBeGreaterThan(Number(breakEven));
  await page.getByTestId('bench-calls-input').fill('5000000');
  await expect(page.getByText('At 5M calls / month')).toBeVisible();
  await page.getByTestId('bench-chart-breakeven').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('4-costs'), fullPage: true });

  // Saved (debounced): a reload lists the profiles again.
  await page.waitForTimeout(800);
  await page.reload();
  await bench.open();
  await page.getByTestId('bench-list-row').filter({ hasText: 'Tiny vs server' }).click();
  await expect(bench.profile('tiny-q8_0').getByTestId('cost-purchasePrice')).toHaveValue('60000');
  await expect(bench.profile('fast-7b').getByTestId('cost-kind')).toHaveValue('api');

  // A second, remote-only run, overlaid on the first.
  await bench.newRun();
  await bench.chooseTarget(0, 'Bench server · fast-7b');
  await bench.fill({ name: 'Server again', 'output-len': '8', loads: '1', warmup: '0', requests: '3' });
  await bench.start();
  await bench.finished();
  await expect(bench.rows()).toHaveCount(1);
  const pick = page.getByTestId('bench-compare-pick');
  const firstRun = await pick.locator('option', { hasText: 'Tiny vs server' }).getAttribute('value');
  await pick.selectOption(firstRun ?? '');
  await expect(bench.rows()).toHaveCount(5);
  await expect(bench.rows().filter({ hasText: '· Tiny vs server' })).toHaveCount(4);
  await page.screenshot({ path: shot('5-overlay'), fullPage: true });
  await page.getByTestId('bench-table').scrollIntoViewIfNeeded();
  // The comparison scrolls inside its card (the page never sideways), its target column stays in view.
  expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await page.getByTestId('bench-table').locator('xpath=..').evaluate((el) => el.scrollBy(400, 0));
  const [firstCell, wrapBox] = [await page.getByTestId('bench-row').first().locator('td').first().boundingBox(), await page.getByTestId('bench-table').locator('xpath=..').boundingBox()];
  expect(Math.abs((firstCell?.x ?? 0) - (wrapBox?.x ?? 0))).toBeLessThan(2);
  const head = await page.getByTestId('bench-table').locator('thead th').first().boundingBox();
  expect(Math.abs((head?.x ?? 0) - (wrapBox?.x ?? 0))).toBeLessThan(2);
  await page.screenshot({ path: shot('6-table'), fullPage: true });
  await page.getByTestId('bench-table-latencies').selectOption('token');
  await expect(page.getByTestId('bench-table')).toContainText('TPOT');
  await expect(page.getByTestId('bench-table')).not.toContainText('TTFT');

  const dir = mkdtempSync(join(tmpdir(), 'lamplight-bench-'));
  await page.getByTestId('bench-export-path').fill(join(dir, 'report.html'));
  await page.getByTestId('bench-export').click();
  await expect(page.getByTestId('bench-export-files')).toContainText('report.html');
  const files = await page.getByTestId('bench-export-files').locator('li').allTextContents();
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const f of files) expect(existsSync(f)).toBe(true);

  expect(consoleErrors.filter((e) => /Content Security Policy|unsafe-eval|Refused to/i.test(e))).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
