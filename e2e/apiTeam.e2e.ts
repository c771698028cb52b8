// The local API server for a team, in a real browser: plain HTTP off loopback refused in the form, started
// with a self-signed certificate (fingerprint shown), a per-profile key issued (shown once, Copy), used over
// HTTPS by a client trusting that certificate until its budget alert shows, then revoked (401).
import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixtureModels } from '../src/core/fixtures/ensureFixtures';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage } from './support/pages';

let host: RunningHost;
const SHOTS = process.env.APITEAM_SHOTS ?? '/tmp/shots-apiteam';
const shot = (name: string) => join(SHOTS, `${name}.png`);

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const fx = await ensureFixtureModels();
  // The model, a profile and a price for the local model are seeded before the host starts.
  const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-e2e-apiteam-'));
  execFileSync(process.execPath, ['--import', 'tsx', 'e2e/support/apiTeamSeed.ts', dataDir, fx.tinyQ8_0], { stdio: 'inherit' });
  host = await startHostProcess(dataDir);
});
test.afterAll(async () => {
  await host?.stop();
});

function chat(baseUrl: string, key: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/chat/completions`, { method: 'POST', ca, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }], max_tokens: 4 }));
  });
}

test('API server over TLS with per-profile keys: issue once, use, budget alert, revoke', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const models = new ModelsPage(page);
  await models.open();
  await models.load('tiny-q8_0');
  await expect(page.getByTestId('engine-state')).toContainText(/ready/i, { timeout: 30_000 });

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('api-server-port').fill('0');
  await page.getByTestId('api-server-host').fill('0.0.0.0');
  await page.getByTestId('api-server-start').click();
  await expect(page.getByText('Plain HTTP only on 127.0.0.1: choose TLS to listen on 0.0.0.0')).toBeVisible();
  await expect(page.getByTestId('api-server-status')).toHaveText('off');
  await page.screenshot({ path: shot('01-plain-http-refused'), fullPage: true });

  await page.getByTestId('api-server-host').fill('127.0.0.1');
  await page.getByTestId('api-server-tls').selectOption('self-signed');
  await page.getByTestId('api-server-start').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('running');
  const baseUrl = (await page.getByTestId('api-server-base-url').textContent()) as string;
  expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
  await expect(page.getByTestId('api-server-fingerprint')).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

  // A key for Kim with a 1 € monthly budget: shown once, with Copy.
  await page.getByTestId('api-issue-profile').selectOption({ label: 'Kim (prompt_engineer)' });
  await page.getByTestId('api-issue-rpm').fill('60');
  await page.getByTestId('api-issue-budget').fill('1');
  await page.getByTestId('api-issue').click();
  const issued = page.getByTestId('api-issued-key');
  await expect(issued).toContainText('Key for Kim');
  await expect(page.getByTestId('api-issued-copy')).toBeVisible();
  const key = ((await issued.locator('code').textContent()) as string).trim();
  await expect(page.getByTestId('api-key-row')).toHaveCount(1);
  await expect(page.getByTestId('api-key-row')).toContainText('60/min');
  await issued.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('02-key-issued-once'), fullPage: true });

  // Used over HTTPS by a client trusting the self-signed certificate, until the budget alert arrives.
  const ca = readFileSync(join(host.dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
  for (let i = 0; i < 12 && !(await page.getByTestId('api-budget-alert').isVisible()); i++) expect([200, 429]).toContain(await chat(baseUrl, key, ca));
  await expect(page.getByTestId('api-budget-alert')).toContainText(/Key \S+… has spent .* of its 1 € monthly budget/);
  await expect(page.getByTestId('api-key-budget')).toBeVisible();
  await expect(page.getByTestId('api-key-row')).not.toContainText('never');
  await page.screenshot({ path: shot('03-usage-and-budget-alert'), fullPage: true });

  // Leaving the view forgets the key; Revoke stops it at once.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('api-issued-key')).toHaveCount(0);
  await page.getByTestId('api-key-revoke').click();
  await expect(page.getByTestId('api-key-row')).toContainText('revoked');
  expect(await chat(baseUrl, key, ca)).toBe(401);
  await page.screenshot({ path: shot('04-key-revoked'), fullPage: true });

  await page.getByTestId('api-server-stop').click();
  await expect(page.getByTestId('api-server-status')).toHaveText('off');
  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
