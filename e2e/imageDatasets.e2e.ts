// Image datasets in a real browser against the browser host: a generated folder of images (sharp) with a
// CSV sidecar imported from the import panel, thumbnails in the grid, the record view with the image
// (zoom, rotate), a few rows labeled with the keyboard (accept, reject, rating, undo), and the accepted rows
// exported to LLaMA-Factory's multimodal format: every referenced image exists and decodes, one <image>
// token per image, and the dataset_info.json entry. A second test: what storing changed (an animated WebP,
// a half-transparent PNG) grouped in the import report, and under the thumbnail and slot in the Playground.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { cardImage, writeCsvSidecar, writeImageFolder } from '../src/core/datasets/testing/imageFolder';
import { startHostProcess, type RunningHost } from './support/host';
import { LabelingPage } from './support/labelingPages';
import { collectConsoleErrors, PlaygroundPage } from './support/pages';

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

// Half-transparent, so storing flattens it onto white and says so.
const clearPng = () => sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 0.5 } } }).png().toBuffer();

test('what storing changed: grouped in the image import report, and under a thumbnail in the Playground', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-imagenotes-'));
  const folder = join(dir, 'shots');
  mkdirSync(folder);
  writeFileSync(join(folder, 'card.png'), await cardImage(1));
  // An animated WebP of three frames (first frame kept) and a half-transparent PNG (flattened).
  const frames = await Promise.all(['#d94f4f', '#4f8fd9', '#4fd97a'].map((c) => sharp({ create: { width: 40, height: 30, channels: 3, background: c } }).png().toBuffer()));
  writeFileSync(join(folder, 'spinner.webp'), await sharp(frames, { join: { animated: true } }).webp({ lossless: true }).toBuffer());
  writeFileSync(join(folder, 'clear.png'), await clearPng());
  writeFileSync(join(folder, 'readme.txt'), 'not an image\n');
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(host.url);

  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('dataset-import-open').click();
  const form = page.getByTestId('dataset-image-import');
  await form.getByLabel('Image folder path').fill(folder);
  await form.getByLabel('Image dataset name').fill('Shots with notes');
  await page.getByTestId('dataset-image-import-run').click();
  const report = page.getByTestId('dataset-import-report');
  await expect(report).toContainText('from 3 images; 1 file skipped.');
  await expect(report.getByTestId('dataset-report-skipped')).toContainText('readme.txt');
  const groups = report.getByTestId('dataset-report-notes');
  await expect(groups).toContainText('What storing changed in 2 images');
  // Equal groups keep the folder's order (clear.png before spinner.webp).
  await expect(groups.getByTestId('image-note-group')).toHaveText([
    '1 image with transparency: flattened onto white: clear.png',
    '1 animated image: first frame kept: spinner.webp (3 frames)',
  ]);
  await page.screenshot({ path: shot('notes-report') });

  // The Playground: the same kind of file picked for the message shows its note under the thumbnail.
  await new PlaygroundPage(page).open();
  await page.getByTestId('image-file').setInputFiles({ name: 'overlay.png', mimeType: 'image/png', buffer: await clearPng() });
  const item = page.getByTestId('image-item');
  await expect(item).toContainText('overlay.png');
  await expect(item.getByTestId('image-notes')).toHaveText('Transparent areas flattened onto white');
  await expect(item.getByTestId('image-notes').locator('svg')).toBeVisible();
  // An image variable's slot shows the note too, on one line.
  const pg = new PlaygroundPage(page);
  await pg.typeInto('user-editor', 'What is shown in {{image:shot}}?');
  await page.getByTestId('image-slot-shot-file').setInputFiles({ name: 'overlay-2.png', mimeType: 'image/png', buffer: await clearPng() });
  await expect(page.getByTestId('image-slot-shot-notes')).toHaveText('Transparent areas flattened onto white');
  await page.getByTestId('image-attachments').screenshot({ path: shot('notes-playground') });
  await page.getByTestId('image-slot-shot').screenshot({ path: shot('notes-slot') });
  // A reload keeps the draft's image and its note (the draft is written after a pause: wait for it first).
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('lamplight.playground.draft') ?? '')).toContain('overlay-2.png');
  await page.reload();
  await new PlaygroundPage(page).open();
  await expect(page.getByTestId('image-item').getByTestId('image-notes')).toHaveText('Transparent areas flattened onto white');
  expect(consoleErrors).toEqual([]);
});
