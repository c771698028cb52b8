// Runtime LoRA adapters on a vLLM target, in a real browser against a vLLM-like server on 127.0.0.1: add the
// target, load an adapter from the form, see it listed under its base model, get a clear error for a second
// load and for a server without runtime LoRA updating, then unload it.
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startFakeVllm, type FakeVllm } from '../src/core/remote/testing/fakeVllm';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { TargetsPage } from './support/remotePages';

const KEY = 'sk-e2e-lora-SECRET-3131';
const SHOTS = process.env.LAMPLIGHT_SHOTS ?? '/tmp/shots';

let host: RunningHost;
let vllm: FakeVllm;
let plain: FakeVllm;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  vllm = await startFakeVllm({ apiKey: KEY, baseModel: 'qwen2.5-7b', lifetimeMs: 85_000 });
  plain = await startFakeVllm({ apiKey: KEY, baseModel: 'llama-3-8b', runtimeLora: false, lifetimeMs: 85_000 });
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await vllm?.close();
  await plain?.close();
});

test('load, list and unload a LoRA adapter on a vLLM target', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'gpu box', urls: [vllm.baseUrl], key: KEY });
  await expect(page.getByTestId('target-models')).toContainText('qwen2.5-7b');
  const loras = page.getByTestId('target-loras');
  await expect(loras.getByTestId('lora-none')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/targets-lora-empty.png` });

  await loras.getByTestId('lora-name-input').fill('sql-lora');
  await loras.getByTestId('lora-path-input').fill('/adapters/sql');
  await loras.getByTestId('lora-load').click();
  const module = loras.getByTestId('lora-module').filter({ hasText: 'sql-lora' });
  await expect(module).toContainText('on qwen2.5-7b');
  await expect(module).toContainText('/adapters/sql');
  await expect(loras.getByTestId('lora-notice')).toContainText('Loaded LoRA adapter "sql-lora" on gpu box (1 replica)');
  // The model list (what pickers offer) has it too.
  await expect(page.getByTestId('target-models')).toContainText('sql-lora');
  await expect(loras.getByTestId('lora-name-input')).toHaveValue('');
  expect(vllm.loras.get('sql-lora')).toBe('/adapters/sql');
  await page.screenshot({ path: `${SHOTS}/targets-lora-loaded.png` });
  // Using it is picking it: the Playground's model picker offers the adapter as a model of the target.
  await page.getByTestId('nav-playground').click();
  await expect(page.getByTestId('playground-model-select').locator('option', { hasText: 'gpu box · sql-lora' })).toBeAttached();
  await targets.open();

  // Loading it again is refused by the server, in its words, naming the replica.
  await loras.getByTestId('lora-name-input').fill('sql-lora');
  await loras.getByTestId('lora-path-input').fill('/adapters/sql');
  await loras.getByTestId('lora-load').click();
  await expect(loras.getByTestId('lora-error')).toContainText(`replica ${vllm.baseUrl} : 400 The lora adapter 'sql-lora' has already been loaded.`);
  await page.screenshot({ path: `${SHOTS}/targets-lora-error.png` });
  await loras.getByRole('button', { name: 'Dismiss' }).click();
  await expect(loras.getByTestId('lora-error')).toHaveCount(0);

  await module.getByTestId('lora-unload').click();
  await expect(loras.getByTestId('lora-none')).toBeVisible();
  await expect(loras.getByTestId('lora-notice')).toContainText('Unloaded LoRA adapter "sql-lora"');
  await expect(page.getByTestId('target-models')).not.toContainText('sql-lora');
  expect(vllm.loras.size).toBe(0);
  await page.screenshot({ path: `${SHOTS}/targets-lora-unloaded.png` });

  // A vLLM started without VLLM_ALLOW_RUNTIME_LORA_UPDATING: the error says how to fix it.
  await targets.add({ name: 'plain vllm', urls: [plain.baseUrl], key: KEY });
  await expect(page.getByTestId('target-models')).toContainText('llama-3-8b');
  await loras.getByTestId('lora-name-input').fill('sql-lora');
  await loras.getByTestId('lora-path-input').fill('/adapters/sql');
  await loras.getByTestId('lora-load').click();
  await expect(loras.getByTestId('lora-error')).toContainText('404 runtime LoRA updating is not enabled on this server (start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)');
  await page.screenshot({ path: `${SHOTS}/targets-lora-disabled.png` });

  await expect(page.locator('body')).not.toContainText(KEY);
  expect([...vllm.requests, ...plain.requests].every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
  expect(consoleErrors).toEqual([]);
});
