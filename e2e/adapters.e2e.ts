// LoRA adapters in a real browser: add the generated tiny model and its adapter, check them (✓ and the
// mismatch reason), run base and base + adapter side by side in Compare at temperature 0, sweep scales,
// and package a fine-tune from a dataset in the Fine-tune view.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { AdaptersPage, CompareAdapters, TrainingPage } from './support/adapterPages';
import { DatasetsPage } from './support/datasetPages';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';
import { ComparePage } from './support/remotePages';

let host: RunningHost;
let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;

const SHOTS = process.env.LAMPLIGHT_SHOTS ?? '/tmp/shots';
const shot = (name: string) => join(SHOTS, `${name}.png`);

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await ensureFixtureModels();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('adapters: add, check, compare base with base + adapter at temperature 0, sweep', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const models = new ModelsPage(page);
  const adapters = new AdaptersPage(page);
  await models.open();
  await models.add(fx.tinyQ8_0);
  await expect(models.row('tiny-q8_0')).toBeVisible();

  // Not an adapter: refused with the file's name.
  await adapters.add(fx.tinyQ8_0);
  await expect(page.getByTestId('adapter-error')).toContainText(/adapter/i);
  await expect(page.getByTestId('adapter-row')).toHaveCount(0);

  await adapters.add(fx.tinyLora);
  await adapters.add(fx.tinyLoraMismatch);
  const good = adapters.row('tiny-lora-r8');
  await expect(good).toContainText('llama');
  await expect(good.getByTestId('adapter-targets')).toContainText('attn_q.weight');
  await expect(good).toContainText('Rank8');
  await expect(page.getByTestId('adapter-row')).toHaveCount(2);

  const ok = await adapters.check('tiny-lora-r8', 'tiny-q8_0');
  await expect(ok).toHaveAttribute('data-compatible', 'true');
  await expect(ok).toContainText('✓');
  await expect(ok).toContainText('rank 8');
  const bad = await adapters.check('tiny-lora-mismatch', 'tiny-q8_0');
  await expect(bad).toHaveAttribute('data-compatible', 'false');
  await expect(bad.getByTestId('adapter-mismatch')).toContainText('blk.0.');
  await expect(bad.getByTestId('adapter-mismatch')).toContainText(/adapter \[\d+, \d+\] vs base/);
  await page.getByTestId('adapters-section').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('adapters-models'), fullPage: true });

  await models.load('tiny-q8_0');
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });

  // Compare: the base model and the base + adapter@1 on the same prompt, greedy.
  const compare = new ComparePage(page);
  const attach = new CompareAdapters(page);
  await compare.open();
  await compare.typeInto('compare-user-editor', 'Tell me about the sea');
  await page.getByTestId('param-temperature').fill('0');
  await page.getByTestId('param-max-tokens').fill('24');
  await page.getByTestId('param-seed').fill('1');
  await compare.choose(0, 'tiny-q8_0');
  await compare.choose(1, 'tiny-q8_0');
  await attach.attach(1, 'tiny-lora-r8', '1');
  await expect(attach.label(1)).toHaveText(/^tiny-q8_0.*\.gguf \+ tiny-lora-r8-s1\.v1@1$/);
  await expect(attach.label(0)).toHaveCount(0);
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-column').nth(0)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('compare-column').nth(1)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const baseOut = await page.getByTestId('compare-output-0').innerText();
  const loraOut = await page.getByTestId('compare-output-1').innerText();
  expect(baseOut.length).toBeGreaterThan(0);
  expect(loraOut.length).toBeGreaterThan(0);
  expect(loraOut).not.toBe(baseOut);
  await page.screenshot({ path: shot('adapters-compare') });

  // Scale sweep: base, @0.5, @1 in three columns.
  await page.getByTestId('compare-sweep').click();
  await page.screenshot({ path: shot('adapters-sweep-panel') });
  await page.getByTestId('compare-sweep-adapter').selectOption({ label: 'tiny-lora-r8-s1.v1' });
  await page.getByTestId('compare-sweep-scales').fill('0.5, 1');
  await page.getByTestId('compare-sweep-apply').click();
  await expect(page.getByTestId('compare-column')).toHaveCount(3);
  await expect(attach.label(1)).toHaveText(/\+ tiny-lora-r8-s1\.v1@0\.5$/);
  await expect(attach.label(2)).toHaveText(/\+ tiny-lora-r8-s1\.v1@1$/);
  await page.getByTestId('compare-run').click();
  for (const i of [0, 1, 2]) await expect(page.getByTestId('compare-column').nth(i)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // Greedy and the same prompt: scale 1 repeats the earlier adapter column, the base column repeats too.
  await expect(page.getByTestId('compare-output-0')).toHaveText(baseOut);
  await expect(page.getByTestId('compare-output-2')).toHaveText(loraOut);
  await page.screenshot({ path: shot('adapters-sweep') });

  // The Playground's picker takes adapters too.
  await page.getByTestId('nav-playground').click();
  await page.getByTestId('playground-adapters-add').selectOption({ label: 'tiny-lora-r8-s1.v1 · r8' });
  await expect(page.getByTestId('playground-adapters-label')).toContainText('+ tiny-lora-r8-s1.v1@1');
  await page.screenshot({ path: shot('adapters-playground') });

  // Evaluations offer the same control on a local target.
  await page.getByTestId('nav-evals').click();
  const evalPick = page.getByTestId('eval-target-pick').first();
  await expect(evalPick).toBeVisible();
  const local = await evalPick.locator('option', { hasText: 'tiny-q8_0' }).first().getAttribute('value');
  await evalPick.selectOption(local ?? '');
  await page.getByTestId('eval-target-adapters-0-add').selectOption({ label: 'tiny-lora-r8-s1.v1 · r8' });
  await expect(page.getByTestId('eval-target-adapters-0-label')).toContainText('@1');
  await page.screenshot({ path: shot('adapters-evals') });

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('fine-tune: package a split dataset and see the files written', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-ft-'));
  const data = join(dir, 'chat.jsonl');
  const convo = (q: string, a: string) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  writeFileSync(data, `${[convo('Capital of Peru?', 'Lima.'), convo('Capital of Kenya?', 'Nairobi.'), convo('Capital of Japan?', 'Tokyo.'), convo('Capital of Chile?', 'Santiago.')].join('\n')}\n`);

  await page.goto(host.url);
  // Adding a file the library has is harmless, so this test runs alone too.
  const models = new ModelsPage(page);
  await models.open();
  await models.add(fx.tinyQ8_0);
  await expect(models.row('tiny-q8_0')).toHaveCount(1);
  const ds = new DatasetsPage(page);
  await ds.open();
  await ds.preview(data);
  await ds.importAs('capitals');
  await expect(ds.listItem('capitals')).toBeVisible();
  await ds.tab('Quality');
  await page.getByRole('button', { name: 'Split…' }).click();
  await page.getByLabel('Rows to split').selectOption('all');
  await page.getByRole('button', { name: 'Split', exact: true }).click();
  await expect(page.getByTestId('dataset-split-result')).toContainText('train');
  await page.getByRole('button', { name: 'Close' }).click();

  const tr = new TrainingPage(page);
  await tr.open();
  await tr.pick('training-dataset', 'capitals');
  await tr.pick('training-base-model', 'tiny-q8_0');
  // Nothing filled but the dataset and model: each missing field says what it needs.
  await page.getByTestId('training-package').click();
  await expect(page.getByTestId('training-package-form')).toContainText('Give the Hugging Face id');
  await page.getByTestId('training-hf-model').fill('HuggingFaceTB/SmolLM2-135M-Instruct');
  await page.getByTestId('training-hp-r').fill('8');
  await page.getByTestId('training-hp-epochs').fill('1');
  await page.getByTestId('training-outdir').fill(join(dir, 'pkg'));
  await page.screenshot({ path: shot('training-form'), fullPage: true });
  await page.getByTestId('training-package').click();
  await expect(page.getByTestId('training-files')).toContainText('scripts/train-peft.sh');
  await expect(page.getByTestId('training-files')).toContainText('README.md');
  await expect(page.getByTestId('training-command')).toHaveValue('bash scripts/train-peft.sh');
  await expect(page.getByTestId('training-item')).toHaveCount(1);
  await expect(page.getByTestId('training-item').first()).toContainText('packaged');
  await page.getByTestId('training-run').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('training-packaged'), fullPage: true });

  // A stand-in trainer: HF Trainer log lines, then the GGUF adapter where the runner looks for it.
  const steps = Array.from({ length: 12 }, (_, i) => `echo '{"current_steps": ${i + 1}, "total_steps": 12, "loss": ${(2.4 / (1 + i * 0.4)).toFixed(3)}, "epoch": ${((i + 1) / 12).toFixed(2)}}'; sleep 0.25`);
  const command = `${steps.join('; ')}; mkdir -p adapter && cp '${fx.tinyLora}' adapter/adapter.gguf`;
  await page.getByTestId('training-command').fill(command);
  await page.getByTestId('training-start').click();
  await expect(page.getByTestId('training-state').first()).toHaveText('running');
  await expect(page.getByTestId('training-progress')).toContainText(/step \d+ of 12/);
  await expect(page.getByTestId('training-loss-chart').locator('polyline')).toBeAttached();
  await page.screenshot({ path: shot('training-running') });
  await expect(page.getByTestId('training-done')).toContainText('Adapter registered', { timeout: 30_000 });
  await expect(page.getByTestId('training-log')).toContainText('"current_steps": 12');
  await expect(page.getByTestId('training-item').first()).toContainText('done');
  await page.screenshot({ path: shot('training-done') });

  // The registered adapter carries where it came from.
  await page.getByTestId('training-open-models').click();
  expect(pageErrors).toEqual([]);
  await expect(page.getByTestId('adapter-provenance').first()).toContainText('capitals');
  await page.getByTestId('adapter-provenance').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('adapters-provenance') });
});
