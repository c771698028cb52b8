// The image guard seen from the Playground, in a real browser against the browser host: an image with a
// rendered resident ID attached for a remote target (image policy redact, the default) shows the redacted
// image before sending; what reaches the loopback server, OCR'd here the way the core reads, holds no valid
// ID; the audit record has both hashes and {id_card: 1}, never the number.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { OcrEngine } from '../src/core/imageGuard/ocr';
import { findPii } from '../src/shared/pii';
import { idCheckChar } from '../src/shared/piiValidators';
import { startRecordingOpenAi, type RecordingOpenAi } from './support/guardOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { invokeFromPage } from './support/labelingPages';
import { collectConsoleErrors, PlaygroundPage } from './support/pages';
import { TargetsPage } from './support/remotePages';

const SHOTS = process.env.FINISHUI_SHOTS ?? '/tmp/shots-finishui';
const ID = '11010519491231002X';
let host: RunningHost;
let server: RecordingOpenAi;
let reader: OcrEngine;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startRecordingOpenAi();
  host = await startHostProcess();
  reader = new OcrEngine({ cacheDir: mkdtempSync(join(tmpdir(), 'lamplight-e2e-ocr-')) });
});
test.afterAll(async () => {
  await host?.stop();
  await server?.close();
  await reader?.close();
});

/** The ID in black on white, as the brief's reader would photograph a card line. */
async function idImage(): Promise<Buffer> {
  const text = await sharp({ text: { text: `<span foreground="black">ID ${ID}</span>`, font: 'sans 28', dpi: 150, rgba: true } }).png().toBuffer();
  return sharp(text).extend({ top: 30, bottom: 30, left: 30, right: 30, background: '#ffffff' }).flatten({ background: '#ffffff' }).png().toBuffer();
}

const ids = async (png: Buffer): Promise<string[]> =>
  findPii((await reader.recognize(png)).lines.map((l) => l.text).join('\n'))
    .filter((m) => m.kind === 'id_card')
    .map((m) => m.text);

test('Playground to a remote target: the preview shows the ID painted over, the server gets no ID, the audit counts it', async ({ page }) => {
  test.setTimeout(180_000);
  const consoleErrors = collectConsoleErrors(page);
  expect(idCheckChar(ID.slice(0, 17), 0)).toBe('X');
  const png = await idImage();
  // The control: this reader does find the ID in the original, so finding none in what was sent means something.
  expect((await ids(png)).map((s) => s.replace(/\s/g, ''))).toContain(ID);

  await page.goto(host.url);
  const targets = new TargetsPage(page);
  await targets.open();
  await page.getByTestId('target-add').click();
  await page.getByTestId('target-name-input').fill('vl gateway');
  await page.getByTestId('target-urls-input').fill(server.baseUrl);
  await page.getByTestId('target-accepts-images').selectOption('yes');
  await page.getByTestId('target-save').click();
  await expect(targets.row('vl gateway')).toBeVisible();

  const pg = new PlaygroundPage(page);
  await pg.open();
  const select = page.getByTestId('playground-model-select');
  await expect(select.locator('option', { hasText: 'steady-7b' }).first()).toBeAttached();
  const value = await select.locator('option', { hasText: 'steady-7b' }).first().getAttribute('value');
  await select.selectOption(value ?? '');
  await pg.typeInto('user-editor', 'Read this card');
  await page.getByTestId('image-file').setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('image-guard-regions')).toContainText('1 region painted: id_card 1', { timeout: 60_000 });
  await expect(page.getByTestId('image-guard-redacted-img')).toBeVisible();
  // The preview is what will be sent: OCR of its pixels finds no ID either.
  const previewUrl = (await page.getByTestId('image-guard-redacted-img').getAttribute('src')) ?? '';
  expect(await ids(Buffer.from(previewUrl.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64'))).toEqual([]);
  // Typing re-renders the request; the cached preview stays, with no pending state again.
  await pg.typeInto('user-editor', 'Read this card, please');
  await expect(page.getByTestId('image-guard-regions')).toContainText('id_card 1');
  await expect(page.getByTestId('image-guard-pending')).toHaveCount(0);
  await page.getByTestId('rendered-images').screenshot({ path: join(SHOTS, 'finishui-redacted-preview.png') });

  await page.getByTestId('run-button').click();
  await expect(pg.output()).toContainText('moon', { timeout: 60_000 });
  expect(server.bodies).toHaveLength(1);
  const body = JSON.parse(server.bodies[0] ?? '{}') as { messages: { role: string; content: { type: string; image_url?: { url: string } }[] }[] };
  const url = body.messages.at(-1)?.content.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
  const received = Buffer.from(url.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64');
  expect(received.length).toBeGreaterThan(0);
  expect(await ids(received)).toEqual([]);

  // The audit record is written when the run finishes, which can be just after its text shows.
  const withImages = async () => (await invokeFromPage(page, 'audit.list', {})).records.find((r) => (r.images ?? []).length > 0);
  await expect.poll(async () => (await withImages()) !== undefined, { timeout: 30_000 }).toBe(true);
  const rec = await withImages();
  expect(rec?.images).toEqual([{ hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, sentHash: createHash('sha256').update(received).digest('hex'), action: 'redact', counts: { id_card: 1 } }]);
  expect(rec?.images?.[0]?.hash).not.toBe(rec?.images?.[0]?.sentHash);
  expect(JSON.stringify(rec)).not.toContain(ID);
  expect(JSON.stringify(rec)).not.toContain(ID.slice(6, 14));
  await page.screenshot({ path: join(SHOTS, 'finishui-playground-sent.png') });
  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
