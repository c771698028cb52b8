// Remote targets in a real browser: add one with a key and a header (never shown again), check it, compare
// the local model with a steady and a broken remote model, reopen the stored comparison, and start the
// local API server, whose key is shown once.
import { expect, test } from '@playwright/test';
import { createServer, type AddressInfo } from 'node:net';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { FLAKY_PREFIX, SLOW_PREFIX, startFakeOpenAi, STEADY_ANSWER, type FakeOpenAi } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';
import { ComparePage, TargetsPage } from './support/remotePages';

let host: RunningHost;
let fake: FakeOpenAi;
let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;

test.beforeAll(async () => {
  fx = await ensureFixtureModels();
  fake = await startFakeOpenAi();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await fake?.close();
});

const shot = (name: string) => `test-results/screens/${name}.png`;

test('targets, compare with a broken endpoint, stored comparisons and the local API server', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  await new ModelsPage(page).addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');

  // A target with a key and a header: both reach the server, neither is shown again.
  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'fake vllm', urls: [`${fake.baseUrl}/`], key: 'sk-e2e-secret', headers: 'X-Org: acme' });
  await expect(page.getByTestId('target-models')).toContainText('steady-7b');
  await expect(page.getByTestId('target-models')).toContainText('LoRA');
  await expect(page.getByTestId('replica-status').first()).toHaveAttribute('data-state', 'ok');
  expect(fake.seen.some((h) => h.authorization === 'Bearer sk-e2e-secret' && h['x-org'] === 'acme')).toBe(true);
  await expect(page.locator('body')).not.toContainText('sk-e2e-secret');
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByTestId('target-key-input')).toHaveValue('');
  await expect(page.getByTestId('target-key-input')).toHaveAttribute('placeholder', /•••• stored/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('target-check').click();
  await expect(page.getByTestId('target-check')).toHaveText('Check');
  await page.screenshot({ path: shot('20-targets') });

  // Compare the local model with a steady and a broken remote model.
  const compare = new ComparePage(page);
  await compare.open();
  await compare.typeInto('compare-user-editor', 'Explain the tides');
  // Enough for slow-7b to still be talking (60 ms a word) when Stop is clicked on a loaded machine; the client
  // cuts a stream at max tokens, so 16 left a window of under a second.
  await page.getByTestId('param-max-tokens').fill('200');
  await compare.choose(0, 'tiny-q8_0');
  await compare.choose(1, 'steady-7b');
  await page.getByTestId('compare-add-column').click();
  await compare.choose(2, 'flaky-7b');
  await page.getByTestId('compare-add-column').click();
  await compare.choose(3, 'slow-7b');
  await expect(page.getByTestId('compare-column')).toHaveCount(4);
  await page.getByTestId('compare-run').click();
  // One column is stopped while the others go on; it keeps what it had.
  await expect(page.getByTestId('compare-output-3')).toContainText(`${SLOW_PREFIX}3`);
  await page.screenshot({ path: shot('21a-compare-streaming') });
  await page.getByTestId('compare-stop-3').click();
  await compare.allFinished();
  await expect(page.getByTestId('compare-column').nth(3)).toContainText(/stopped by you/i);
  await expect(page.getByTestId('compare-output-3')).toContainText(`${SLOW_PREFIX}0`);
  await expect(page.getByTestId('compare-output-3')).not.toContainText(`${SLOW_PREFIX}499`);
  await expect(page.getByTestId('compare-output-1')).toHaveText(STEADY_ANSWER);
  // The broken column keeps what arrived and says why, readably.
  await expect(page.getByTestId('compare-output-2')).toContainText(FLAKY_PREFIX);
  await expect(page.getByTestId('compare-error-2')).not.toBeEmpty();
  await expect(page.getByTestId('compare-error-0')).toHaveCount(0);
  await expect(page.getByTestId('compare-metrics-0')).toContainText(/ttft/i);
  await expect(page.getByTestId('compare-metrics-1')).toContainText(/e2e/i);
  await expect(page.getByTestId('diff-mark').first()).toBeVisible();
  await page.screenshot({ path: shot('21-compare-finished') });

  // The comparison is stored and reopens with its outputs.
  await page.getByTestId('compare-stored-tab').click();
  await expect(page.getByTestId('compare-history-row')).toHaveCount(1);
  await page.reload();
  await compare.open();
  await page.getByTestId('compare-stored-tab').click();
  await page.getByTestId('compare-history-row').first().click();
  await expect(page.getByTestId('compare-output-1')).toHaveText(STEADY_ANSWER);
  await expect(page.getByTestId('compare-error-2')).not.toBeEmpty();

  // The local API server: off by default, the key shown once at start, gone after leaving the view.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('off');
  await page.getByTestId('api-server-port').fill('0');
  await page.getByTestId('api-server-start').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('running');
  await expect(page.getByTestId('api-server-key')).toHaveText(/\S{8,}/);
  await expect(page.getByTestId('api-server-base-url')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+/);
  await page.screenshot({ path: shot('22-api-server') });
  await page.getByTestId('nav-models').click();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('running');
  await expect(page.getByTestId('api-server-key')).toHaveCount(0);
  await page.getByTestId('api-server-stop').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('off');

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('an unreachable target says the URL tried and what to check; the key hint says where keys go', async ({ page }) => {
  await page.goto(host.url);
  const targets = new TargetsPage(page);
  await targets.open();
  // The browser host keeps keys in DATA_DIR/secrets.json, not in an OS keychain: the form says so.
  await page.getByTestId('target-add').click();
  const keyField = page.getByTestId('target-key-input').locator('xpath=../..');
  await expect(keyField).toContainText(`${host.dataDir}/secrets.json`);
  await expect(keyField).not.toContainText('keychain');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // A loopback port that was free a moment ago: nothing listens, the connection is refused.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  await targets.add({ name: 'nowhere', urls: [`http://127.0.0.1:${port}/v1`] });
  await targets.row('nowhere').click();
  const error = page.getByTestId('replica-error');
  await expect(error).toContainText('could not connect (ECONNREFUSED)');
  await expect(error).toContainText(`Tried GET http://127.0.0.1:${port}/v1/models`);
  await expect(error).toContainText(/server is running.*port.*firewall/);
  await page.screenshot({ path: `${process.env.REMOTE_SHOTS ?? 'test-results/screens'}/22-unreachable-target.png` });
});
