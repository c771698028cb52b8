// Backup and restore from Settings in a real browser against the browser host: a backup written by one host
// (holding an image dataset imported in its Datasets view) is verified by another, which applies it when it
// next starts (the previous workspace kept aside) and shows the dataset's images again.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCsvSidecar, writeImageFolder } from '../src/core/datasets/testing/imageFolder';
import { DatasetsPage } from './support/datasetPages';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';

/** Every thumbnail of the grid decoded (an image file missing from the data folder shows none). */
async function expectThumbnails(page: Page, count: number): Promise<void> {
  const thumbs = page.getByTestId('dataset-thumbnail').locator('img');
  await expect(thumbs).toHaveCount(count);
  for (let i = 0; i < count; i++) await expect.poll(() => thumbs.nth(i).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
}

const hosts: RunningHost[] = [];
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

test('a backup made in Settings is verified by another workspace and applied at its next start', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const archive = join(mkdtempSync(join(tmpdir(), 'lamplight-e2e-bk-')), 'ws.tar.gz');
  const shots = await writeImageFolder(join(mkdtempSync(join(tmpdir(), 'lamplight-e2e-bk-img-')), 'shots'), 3);
  const a = await startHostProcess();
  hosts.push(a);
  await page.goto(a.url);
  const datasets = new DatasetsPage(page);
  await datasets.open();
  await page.getByTestId('dataset-import-open').click();
  const form = page.getByTestId('dataset-image-import');
  await form.getByLabel('Image folder path').fill(shots.dir);
  await form.getByLabel('Sidecar file path').fill(writeCsvSidecar(join(shots.dir, '..', 'labels.csv'), shots.files));
  await form.getByLabel('Image dataset name').fill('Invoice shots');
  await page.getByTestId('dataset-image-import-run').click();
  await expectThumbnails(page, 3);
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
  // The images came back with the database: the restored dataset shows every one.
  await datasets.open();
  await datasets.listItem('Invoice shots').click();
  await expectThumbnails(page, 3);
  await page.screenshot({ path: join(process.env.BACKUP_SHOTS ?? tmpdir(), 'backup-restored-images.png') });
  expect(consoleErrors).toEqual([]);
});
