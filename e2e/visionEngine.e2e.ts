// The vision engine in a real browser against the browser host: Models → Vision finds the projector beside
// the model, shows its header, starts llama-server with it, shows a crash with the stderr tail and restarts;
// a mismatched projector is refused with both numbers. Settings shows the llama-server in use and builds one
// with progress and Cancel (a real build in a temporary cache, cancelled once cmake runs).
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVisionFixture, type VisionFixture } from '../src/core/fixtures/ensureFixtures';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';

let fx: VisionFixture;
const hosts: RunningHost[] = [];
const shot = (name: string) => `/tmp/shots-visionengine/${name}.png`;

test.beforeAll(async () => {
  fx = await ensureVisionFixture();
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

test('Models → Vision: projector header, load for images, crash banner with stderr, restart, mismatch refused', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const host = await startHostProcess();
  hosts.push(host);
  await page.goto(host.url);
  const models = new ModelsPage(page);
  await models.open();
  await models.add(fx.model);
  const name = fx.model.split('/').pop()!;
  await models.row(name).click();
  await page.getByTestId('load-threads').fill('1');

  const path = page.getByTestId('vision-projector-path');
  await expect(path).toHaveValue(fx.projector);
  await expect(page.getByTestId('vision-projector')).toContainText('qwen2vl_merger');
  await expect(page.getByTestId('vision-state')).toHaveText('stopped');
  await page.getByTestId('vision-load').click();
  await expect(page.getByTestId('vision-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('vision-effective')).toContainText('built:');
  await page.getByTestId('vision-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('01-models-vision-ready'), fullPage: true });

  const pid = Number(/pid (\d+)/.exec((await page.getByTestId('vision-effective').textContent()) ?? '')?.[1]);
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');
  await expect(page.getByTestId('vision-state')).toHaveText('crashed');
  await expect(page.getByTestId('vision-crash')).toContainText('The vision engine crashed');
  await expect(page.getByTestId('vision-crash')).toContainText('SIGKILL');
  await expect(page.getByTestId('vision-stderr')).not.toBeEmpty();
  await page.screenshot({ path: shot('02-models-vision-crashed'), fullPage: true });
  await page.getByTestId('vision-restart').click();
  await expect(page.getByTestId('vision-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('vision-crash')).toHaveCount(0);
  await page.getByTestId('vision-unload').click();
  await expect(page.getByTestId('vision-state')).toHaveText('stopped');

  await path.fill(fx.mismatchedProjector);
  await page.getByTestId('vision-read').click();
  await expect(page.getByTestId('vision-projector')).toContainText('this pair does not fit');
  await page.getByTestId('vision-load').click();
  await expect(page.getByTestId('vision-error')).toContainText(/projects to 96 dimensions but model .* has embedding length 128/);
  await expect(page.getByTestId('vision-state')).toHaveText('stopped');
  await page.screenshot({ path: shot('03-models-vision-mismatch'), fullPage: true });

  // Settings: the binary in use (the built one, said so), and a build of it answers at once from the cache.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('vision-binary')).toContainText('built by Lamplight');
  await page.getByTestId('vision-build-backend').selectOption('cpu');
  await page.getByTestId('vision-build').click();
  await expect(page.getByTestId('vision-build-status')).toHaveAttribute('data-phase', 'done');
  await expect(page.getByTestId('vision-build-status')).toContainText('Already built (cpu)');
  await page.getByTestId('vision-server-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('06-settings-binary-built') });
  expect(consoleErrors).toEqual([]);
});

test('Settings → llama-server: the binary in use, a bad path refused, a real build cancelled during cmake', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  // A host with an empty build cache: no llama-server anywhere, so Settings says how to get one.
  const saved = process.env.LAMPLIGHT_CACHE_DIR;
  process.env.LAMPLIGHT_CACHE_DIR = mkdtempSync(join(tmpdir(), 'lamplight-e2e-cache-'));
  const host = await startHostProcess().finally(() => {
    if (saved === undefined) delete process.env.LAMPLIGHT_CACHE_DIR;
    else process.env.LAMPLIGHT_CACHE_DIR = saved;
  });
  hosts.push(host);
  await page.goto(host.url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('vision-binary')).toContainText('No llama-server found');
  await page.getByTestId('vision-binary-input').fill('/nowhere/llama-server');
  await page.getByTestId('vision-binary-save').click();
  await expect(page.getByTestId('vision-binary-error')).toContainText('does not exist: /nowhere/llama-server');

  await page.getByTestId('vision-build-backend').selectOption('cpu');
  await page.getByTestId('vision-build').click();
  const st = page.getByTestId('vision-build-status');
  await expect(st).toHaveAttribute('data-phase', /configure|compile/, { timeout: 120_000 });
  await expect(page.getByTestId('vision-build-progress')).toBeVisible();
  await page.getByTestId('vision-server-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('04-settings-build-running'), fullPage: true });
  await page.getByTestId('vision-build-cancel').click();
  await expect(st).toHaveAttribute('data-phase', 'cancelled', { timeout: 30_000 });
  await expect(st).toContainText('Build cancelled');
  await page.screenshot({ path: shot('05-settings-build-cancelled'), fullPage: true });
  expect(consoleErrors).toEqual([]);
});
