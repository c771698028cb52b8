// What users tripped over in Models, Playground and History: a failed load that dropped the working model,
// no view of the chat template, disabled buttons that looked clickable, unfilled {{variables}} sent as
// written, a "ready" pill while generating, and a History without file names, values or search.
import { expect, test } from '@playwright/test';
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

const shot = (name: string) => `/tmp/shots/ux1-${name}.png`;

test('models, playground and history: what a first walkthrough tripped over', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const models = new ModelsPage(page);
  await models.open();

  // A disabled primary button does not wear the accent colour of an enabled one.
  const add = page.getByTestId('model-add');
  await expect(add).toBeDisabled();
  type Styles = { getComputedStyle(el: unknown): { backgroundColor: string; cursor: string } };
  const look = () =>
    add.evaluate((el) => {
      const cs = (globalThis as unknown as Styles).getComputedStyle(el);
      return { bg: cs.backgroundColor, cursor: cs.cursor };
    });
  const disabled = await look();
  await page.getByTestId('model-path-input').fill(fx.tinyQ8_0);
  await expect(add).toBeEnabled();
  const enabled = await look();
  expect(disabled.bg).not.toBe(enabled.bg);
  expect(disabled.cursor).toBe('not-allowed');
  await page.getByTestId('model-path-input').fill('');
  await page.screenshot({ path: shot('01-disabled-add') });

  // A load that llama.cpp refuses keeps the model that works, and says so.
  await models.addAndLoad(fx.tinyQ8_0, 'tiny-q8_0');
  await models.add(fx.missingTensor);
  await expect(models.row('broken-missing-tensor')).toBeVisible();
  await models.load('broken-missing-tensor');
  await expect(page.getByTestId('load-error')).toContainText('missing tensor');
  await expect(page.getByTestId('load-error')).toContainText('still loaded');
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('engine-state')).toContainText('tiny-q8_0');
  await page.screenshot({ path: shot('02-failed-load-kept') });

  // The chat template and what it renders, from the model details.
  await models.row('tiny-q8_0').click();
  await page.getByTestId('template-panel').locator('summary').click();
  await expect(page.getByTestId('template-text')).toContainText('im_start');
  await expect(page.getByTestId('template-rendered')).toContainText('<|im_start|>user\nAnd of Italy?');
  await page.getByTestId('template-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('03-chat-template') });

  // A run with a variable left empty is refused, naming it; nothing is sent.
  const pg = new PlaygroundPage(page);
  await pg.open();
  await pg.typeInto('user-editor', 'Write for {{audience}} about {{topic}}');
  await page.getByTestId('var-input-topic').fill('tides');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-error')).toContainText('{{audience}}');
  await expect(page.getByTestId('var-input-audience')).toHaveClass(/warn/);
  await page.screenshot({ path: shot('04-missing-variable') });

  // While it generates, the header says so and names the run.
  await page.getByTestId('var-input-audience').fill('kids');
  await pg.setParam('param-max-tokens', '100000');
  await page.getByTestId('run-button').click();
  await expect(pg.output()).not.toBeEmpty();
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-activity', 'generating');
  await expect(page.getByTestId('engine-state')).toContainText('generating');
  await expect(page.getByTestId('engine-runs')).toContainText('run');
  await page.screenshot({ path: shot('05-generating') });
  await page.getByTestId('stop-button').click();
  await expect(pg.metrics()).toContainText(/stopped by you/i);
  await expect(page.getByTestId('engine-state')).not.toHaveAttribute('data-activity', 'generating');
  await expect(page.getByTestId('engine-state')).toContainText('ready');

  // History: the file name, the message with its values, and a search.
  await pg.typeInto('user-editor', 'A plain question');
  await pg.setParam('param-max-tokens', '4');
  await page.getByTestId('run-button').click();
  await expect(pg.metrics()).toContainText(/max tokens/i);
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  const row = page.getByTestId('history-row').filter({ hasText: 'Write for kids about tides' });
  await expect(row.getByTestId('history-model')).toContainText('.gguf');
  await expect(row.getByTestId('history-values')).toContainText('audience=kids');
  await page.getByTestId('history-search').fill('kids');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await page.screenshot({ path: shot('06-history-search') });
  await page.getByTestId('history-search').fill('no run says this');
  await expect(page.getByTestId('history-no-match')).toBeVisible();
  await page.getByTestId('history-search').fill('');
  await expect(page.getByTestId('history-row')).toHaveCount(2);

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
