// The image policy in the Guardrails view, in a real browser against the browser host: the OCR note says
// plainly what is not detected, a per-target image setting is saved and read back by the core.
import { expect, test } from '@playwright/test';
import { GuardPage } from './support/guardPages';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { TargetsPage } from './support/remotePages';

const SHOTS = process.env.GUARD_SHOTS ?? '/tmp/shots-guard';
let host: RunningHost;

test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('image policy: the OCR note, a per-target setting saved and read back', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const targets = new TargetsPage(page);
  await targets.open();
  await targets.add({ name: 'vl gateway', urls: ['http://127.0.0.1:9/v1'] });
  await new GuardPage(page).open();
  const section = page.getByTestId('guard-images');
  await expect(section).toBeVisible();
  await expect(page.getByTestId('guard-ocr-note')).toContainText('Chinese names and addresses in images are NOT detected');
  await expect(page.getByTestId('guard-image-remote-default')).toHaveValue('redact');
  await page.getByLabel('Image policy for vl gateway').selectOption('block');
  await page.getByTestId('guard-save').click();
  await expect(page.getByTestId('guard-savebar')).toContainText('Policy saved');
  await section.screenshot({ path: `${SHOTS}/guard-images.png` });
  await page.reload();
  await new GuardPage(page).open();
  await expect(page.getByLabel('Image policy for vl gateway')).toHaveValue('block');
  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
