// Backup and restore from Settings in a real browser against the browser host: a backup written by one host
// is verified by another, which applies it when it next starts (the previous workspace kept aside).
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';

const hosts: RunningHost[] = [];
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

test('a backup made in Settings is verified by another workspace and applied at its next start', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const archive = join(mkdtempSync(join(tmpdir(), 'lamplight-e2e-bk-')), 'ws.tar.gz');
  const a = await startHostProcess();
  hosts.push(a);
  await page.goto(a.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('backup-path').fill(archive);
  await page.getByTestId('backup-create').click();
  await expect(page.getByTestId('backup-result')).toContainText(`Wrote ${archive}`);
  await a.stop();

  const b = await startHostProcess();
  hosts.push(b);
  await page.goto(b.url);
  await page.getByTestId('nav-settings').click();
  // A damaged path first: refused, naming the file.
  await page.getByTestId('restore-path').fill(`${archive}.missing`);
  await page.getByTestId('restore-stage').click();
  await expect(page.getByTestId('restore-error')).toContainText('does not exist');
  await page.getByTestId('restore-path').fill(archive);
  await page.getByTestId('restore-stage').click();
  await expect(page.getByTestId('restore-pending')).toContainText('replaces this workspace when Lamplight next starts');
  await b.stop();

  const again = await startHostProcess(b.dataDir);
  hosts.push(again);
  await page.goto(again.url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('restore-last')).toContainText(`Restored ${archive}; the previous workspace is in ${b.dataDir}/.before-restore-`);
  expect(consoleErrors).toEqual([]);
});
