// Images in test sets and benchmarks, in a real browser against the browser host: a CSV whose photo column
// names image files beside it (and one data URI) imports as an image column, the grid shows each row's
// thumbnail, a cell takes another picked image (and says what storing one changed); the benchmark form offers
// the image workload.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { gradientPng } from '../src/core/testsets/imageFixtures';
import { startHostProcess, type RunningHost } from './support/host';
import { BenchPage } from './support/benchPages';
import { TestSetsPage } from './support/evalPages';
import { collectConsoleErrors } from './support/pages';

let host: RunningHost;
const SHOTS = process.env.IMAGESETS_SHOTS ?? '/tmp/shots-imagesets';
const shot = (name: string) => join(SHOTS, `${name}.png`);

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('an image column imports, shows thumbnails and takes another image; the bench form has an image workload', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-e2e-imgset-'));
  mkdirSync(join(dir, 'scans'));
  writeFileSync(join(dir, 'scans', 'a.png'), await gradientPng(320, 200, 1));
  writeFileSync(join(dir, 'scans', 'b.png'), await gradientPng(200, 320, 2));
  const other = join(dir, 'other.png');
  writeFileSync(other, await gradientPng(240, 240, 7));
  const dataUri = `data:image/png;base64,${(await gradientPng(160, 120, 4)).toString('base64')}`;
  const csv = join(dir, 'receipts.csv');
  writeFileSync(csv, `photo,question,answer\nscans/a.png,What is the total?,12.50\n"${dataUri}",Which shop?,Ada's\nscans/b.png,Which date?,2026-12-07\n`);

  const errors = collectConsoleErrors(page);
  await page.goto(host.url);
  const sets = new TestSetsPage(page);
  await sets.open();
  await sets.preview(csv);
  // The photo column looks like images, so the suggested role is "image".
  await expect(page.getByLabel('Column photo role')).toHaveValue('image');
  await page.getByLabel('Column answer role').selectOption('expected');
  await sets.importAs('Receipts');
  await expect(page.getByTestId('testset-import-result')).toContainText('Imported 3 rows');
  await sets.row('Receipts').click();

  const thumbs = page.getByTestId('testset-image-thumb');
  await expect(thumbs).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(thumbs.nth(i).locator('img')).toBeVisible();
    expect(await thumbs.nth(i).locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  }
  await expect(page.locator('.ts-table th', { hasText: '{{image:photo}}' })).toBeVisible();
  await page.screenshot({ path: shot('testset-grid-images'), fullPage: true });

  // Replace the first row's image with a picked file: the cell now shows a different stored image.
  const before = await thumbs.first().getAttribute('data-hash');
  await page.getByTestId('testset-image-cell').first().locator('input[type=file]').setInputFiles(other);
  await expect(thumbs.first()).not.toHaveAttribute('data-hash', before ?? '');
  await expect(thumbs.first().locator('img')).toBeVisible();
  await expect(page.getByTestId('testset-image-notes')).toHaveCount(0); // an opaque PNG: storing changed nothing
  // A half-transparent PNG picked for the second row: the cell says it was flattened onto white.
  const clear = await sharp({ create: { width: 60, height: 40, channels: 4, background: { r: 20, g: 120, b: 60, alpha: 0.4 } } }).png().toBuffer();
  await page.getByTestId('testset-image-cell').nth(1).locator('input[type=file]').setInputFiles({ name: 'clear.png', mimeType: 'image/png', buffer: clear });
  await expect(page.getByTestId('testset-image-cell').nth(1).getByTestId('testset-image-notes')).toHaveText('Transparent areas flattened onto white');
  await page.getByTestId('testset-image-cell').nth(1).screenshot({ path: shot('testset-image-notes') });

  const bench = new BenchPage(page);
  await bench.open();
  await page.getByTestId('bench-workload-images').click();
  await expect(page.getByTestId('bench-image-fields')).toBeVisible();
  await page.getByTestId('bench-image-count').fill('16');
  await page.getByTestId('bench-image-width').fill('1280');
  await page.getByTestId('bench-image-height').fill('960');
  await page.getByTestId('bench-image-pattern').selectOption('noise');
  await page.getByTestId('bench-images-per-request').fill('2');
  await page.screenshot({ path: shot('bench-image-workload-generated'), fullPage: true });
  await page.getByTestId('bench-image-source-testset').click();
  await page.getByTestId('bench-image-testset').selectOption({ label: 'Receipts (3 rows)' });
  await expect(page.getByTestId('bench-image-column')).toHaveValue('photo');
  await page.screenshot({ path: shot('bench-image-workload-testset'), fullPage: true });
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
