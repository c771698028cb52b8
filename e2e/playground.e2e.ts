// The spine in a real browser: add a model, render a prompt with a variable, stream, stop, metrics,
// history after reload, and the errors a broken GGUF gives.
import { expect, test } from '@playwright/test';
import { availableParallelism } from 'node:os';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage, PlaygroundPage } from './support/pages';

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

test('the host refuses a page request without the launch token', async ({ page }) => {
  const res = await page.goto(host.origin + '/');
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('valid access link');
});

test('add a model, run a prompt with a variable, stream, stop, and find both runs after reload', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  // The token leaves the address bar once read.
  await expect(page).not.toHaveURL(/token=/);
  const models = new ModelsPage(page);
  await models.open();
  await expect(page.getByTestId('model-path-input')).toBeVisible();
  await page.screenshot({ path: shot('01-models-empty') });

  // A broken GGUF is refused with its name and the reason; nothing is added.
  await models.add(fx.truncated);
  await expect(page.getByTestId('model-error')).toContainText('broken-truncated');
  await expect(page.getByTestId('model-error')).toContainText('truncated');
  await models.add(fx.notGguf);
  await expect(page.getByTestId('model-error')).toContainText('not a GGUF file');
  await expect(page.getByTestId('model-row')).toHaveCount(0);
  await page.screenshot({ path: shot('02-models-error') });

  // An architecture llama.cpp does not know is refused when added: the header says so.
  await models.add(fx.wrongArchitecture);
  await expect(page.getByTestId('model-error')).toContainText('broken-wrong-arch');
  await expect(page.getByTestId('model-error')).toContainText('not supported');
  // A sound header whose tensors llama.cpp rejects is accepted, and fails to load with llama.cpp's reason.
  await models.add(fx.missingTensor);
  await expect(models.row('broken-missing-tensor')).toBeVisible();
  await models.load('broken-missing-tensor');
  await expect(page.getByTestId('load-error')).toContainText('broken-missing-tensor');
  await expect(page.getByTestId('load-error')).toContainText('missing tensor');

  // The real model loads with the machine's cores as threads.
  await models.add(fx.tinyQ8_0);
  await expect(models.row('tiny-q8_0')).toContainText('llama');
  await models.row('tiny-q8_0').click();
  await expect(page.getByTestId('load-threads')).toHaveValue(new RegExp(`^(0|${availableParallelism()})$`));
  await page.getByTestId('load-button').click();
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });
  await page.screenshot({ path: shot('03-models-loaded') });

  const pg = new PlaygroundPage(page);
  await pg.open();
  await pg.typeInto('system-editor', 'You are terse.');
  await pg.typeInto('user-editor', 'Write about {{topic}} please');
  await page.getByTestId('var-input-topic').fill('tides');
  await expect(page.getByTestId('rendered-prompt')).toContainText('Write about tides please');
  await expect(page.getByTestId('rendered-prompt')).toContainText('<|im_start|>system');
  await expect(page.getByTestId('token-count')).toContainText(/\d+/);

  // A long run: watch the text grow, then stop it; the partial text stays.
  await pg.setParam('param-max-tokens', '100000');
  await pg.setParam('param-seed', '7');
  await page.getByTestId('run-button').click();
  await expect(pg.output()).not.toBeEmpty();
  const first = (await pg.output().innerText()).length;
  await expect.poll(async () => (await pg.output().innerText()).length).toBeGreaterThan(first);
  await page.screenshot({ path: shot('04-playground-streaming') });
  await page.getByTestId('stop-button').click();
  await expect(pg.metrics()).toContainText(/stopped by you/i);
  const partial = await pg.output().innerText();
  expect(partial.length).toBeGreaterThan(0);

  // A short run to the token limit, with metrics.
  await pg.setParam('param-max-tokens', '16');
  await page.getByTestId('run-button').click();
  await expect(pg.metrics()).toContainText(/max tokens/i);
  await expect(pg.metrics()).toContainText(/ttft/i);
  await expect(pg.metrics()).toContainText(/tok\/s/i);
  await page.screenshot({ path: shot('05-playground-done') });

  // After a reload both runs come back from SQLite.
  await page.reload();
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.screenshot({ path: shot('06-history') });
  await page.getByTestId('history-row').last().click();
  await expect(pg.output()).toContainText(partial.slice(0, 20).trim());
  await expect(pg.metrics()).toContainText(/stopped by you/i);
  await page.screenshot({ path: shot('07-history-reopened') });

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
