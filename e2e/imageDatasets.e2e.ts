// Image datasets in a real browser against the browser host: a generated folder of images (sharp) with a
// CSV sidecar imported from the import panel, thumbnails in the grid, the record view with the image
// (zoom, rotate), a few rows labeled with the keyboard (accept, reject, rating, undo), and the accepted rows
// exported to LLaMA-Factory's multimodal format: every referenced image exists and decodes, one <image>
// token per image, and the dataset_info.json entry.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { writeCsvSidecar, writeImageFolder } from '../src/core/datasets/testing/imageFolder';
import { startHostProcess, type RunningHost } from './support/host';
import { LabelingPage } from './support/labelingPages';
import { collectConsoleErrors } from './support/pages';

let host: RunningHost;
test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

const SHOTS = process.env.IMAGEDATA_SHOTS ?? '/tmp/shots-imagedata';
const shot = (name: string) => join(SHOTS, `imagedata-${name}.png`);

test('image datasets: folder + sidecar import, thumbnails, image record view, keyboard labels, LLaMA-Factory export', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-imagedata-'));
  const folder = await writeImageFolder(join(dir, 'invoices'), 6);
  const sidecar = writeCsvSidecar(join(dir, 'labels.csv'), folder.files.slice(0, 5));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(host.url);

  // Import from the panel: a folder on the server and its sidecar.
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-import-open').click();
  const form = page.getByTestId('dataset-image-import');
  await form.getByLabel('Image folder path').fill(folder.dir);
  await form.getByLabel('Sidecar file path').fill(sidecar);
  await form.getByLabel('Image dataset name').fill('Invoice shots');
  await page.getByTestId('dataset-image-import-run').click();
  await expect(page.getByTestId('dataset-grid-row')).toHaveCount(6);
  const thumbs = page.getByTestId('dataset-thumbnail').locator('img');
  await expect(thumbs).toHaveCount(6);
  await expect.poll(() => thumbs.first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: shot('grid') });

  // The record view: the image beside the fields; +, Shift+R and 0 change the view only.
  const lb = new LabelingPage(page);
  await page.getByTestId('dataset-grid-row').first().dblclick();
  await expect(lb.panel()).toBeVisible();
  await lb.createProfile('Ada');
  await lb.expectRow(1);
  const image = page.getByTestId('labeling-image');
  await expect(image).toBeVisible();
  await expect(page.getByTestId('labeling-response')).toContainText('"total": "15.00"');
  await lb.press('+');
  await expect(image).toHaveAttribute('data-zoom', '1.25');
  await lb.press('Shift+R');
  await expect(image).toHaveAttribute('data-rotation', '90');
  await page.screenshot({ path: shot('record') });
  await lb.press('0');
  await expect(image).toHaveAttribute('data-rotation', '0');

  // Keyboard labels: accept row 1, reject row 2, rate and accept row 3, undo it, accept it again, accept row 5.
  await lb.press('a');
  await lb.expectRow(2);
  await lb.press('r');
  await lb.expectRow(3);
  await lb.press('4');
  await lb.expectSaved();
  await lb.press('a');
  await lb.expectRow(4);
  await lb.expectSaved();
  await lb.press('ControlOrMeta+z');
  await lb.expectRow(3);
  await expect(page.getByTestId('labeling-status')).toHaveText('new');
  await lb.press('a');
  await lb.expectRow(4);
  await lb.press('s');
  await lb.expectRow(5);
  await lb.press('a');
  await lb.expectRow(6);
  await lb.expectSaved();

  // Export the accepted rows (1, 3, 5) for LLaMA-Factory from the dialog and check the files.
  const out = join(dir, 'export');
  mkdirSync(out);
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByTestId('dataset-export-dialog');
  await dialog.getByLabel('Export format').selectOption('llamafactory-vision');
  await dialog.getByLabel('Output path').fill(join(out, 'invoice_shots.json'));
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('dataset-export-result')).toContainText('Wrote 3 rows and 3 images');
  await page.screenshot({ path: shot('export') });
  const rows = JSON.parse(readFileSync(join(out, 'invoice_shots.json'), 'utf8')) as { messages: { role: string; content: string }[]; images: string[] }[];
  const answer = (total: string, number: string) => JSON.stringify({ total, number }, null, 2);
  expect(rows.map((r) => r.messages.at(-1)?.content)).toEqual([answer('15.00', '1001'), answer('35.00', '1003'), answer('55.00', '1005')]);
  for (const r of rows) {
    const user = r.messages.find((m) => m.role === 'user')?.content ?? '';
    expect(user.match(/<image>/g)?.length ?? 0).toBe(r.images.length);
    expect(r.images).toHaveLength(1);
    const meta = await sharp(join(out, r.images[0] ?? 'missing')).metadata();
    expect([meta.width, meta.height]).toEqual([160, 120]);
  }
  const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; columns: Record<string, string> }>;
  expect(info['Invoice shots']?.file_name).toBe('invoice_shots.json');
  expect(info['Invoice shots']?.columns).toEqual({ messages: 'messages', images: 'images' });
  expect(consoleErrors).toEqual([]);
});
