// Images in a real browser: a photo with GPS EXIF dropped on the Playground's message runs (a) on the local
// vision fixture (llama-server with its projector) with image metrics, (b) on a loopback OpenAI-compatible
// server that records what it receives (the image arrives, decodes, and has no EXIF), and (c) a text-only
// target refuses it with the reason, in the Playground and in a Compare column. History shows the run's
// thumbnail and reopening it restores the image.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { ensureVisionFixture, type VisionFixture } from '../src/core/fixtures/ensureFixtures';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors, ModelsPage, PlaygroundPage } from './support/pages';
import { ComparePage, TargetsPage } from './support/remotePages';

const SHOTS = process.env.LAMPLIGHT_SHOTS_DIR ?? 'test-results/screens';
const shot = (name: string): string => `${SHOTS}/${name}.png`;

/** What the recording server was sent: each chat request's body. */
interface Recorder {
  baseUrl: string;
  bodies: { model: string; messages: { role: string; content: unknown }[] }[];
  close(): Promise<void>;
}

/** A loopback OpenAI-compatible server that lists one model, records each chat body and streams a short reply. */
async function startRecorder(): Promise<Recorder> {
  const bodies: Recorder['bodies'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'vl-7b', object: 'model', owned_by: 'e2e' }] }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Recorder['bodies'][number];
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: object, finish: string | null): string =>
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: 'A red' }, null));
      res.write(chunk({ content: ' square.' }, null));
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: 80, completion_tokens: 3, total_tokens: 83 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

/** A 96×64 JPEG with GPS EXIF (and a camera serial), as a phone writes it. */
async function photoWithGps(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 30, b: 40 } } })
    .withExif({
      IFD0: { Make: 'E2E Phone', Model: 'GPS 1', Copyright: 'Jane Doe' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
  const meta = await sharp(jpeg).metadata();
  // The fixture itself must carry what the test says is removed.
  if (!meta.exif || !meta.exif.includes(Buffer.from('E2E Phone'))) throw new Error('the test photo has no EXIF');
  return jpeg;
}

/** Drops files on an element the way a browser delivers a drop from the desktop (a DataTransfer with Files). */
async function dropFiles(page: Page, testId: string, files: { name: string; type: string; data: Buffer }[]): Promise<void> {
  const dt = await page.evaluateHandle(
    (list) => {
      // Runs in the page: the DOM's DataTransfer (this file is typed for Node).
      const DT = (globalThis as unknown as { DataTransfer: new () => { items: { add(f: File): void } } }).DataTransfer;
      const transfer = new DT();
      for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return transfer;
    },
    files.map((f) => ({ name: f.name, type: f.type, b64: f.data.toString('base64') })),
  );
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: dt });
}

/** Pastes an image into the element `selector` finds, as a clipboard holding a screenshot delivers it. */
async function pasteImage(page: Page, selector: string, file: { name: string; type: string; data: Buffer }): Promise<void> {
  await page.locator(selector).first().evaluate(
    (el, f) => {
      // Runs in the page: the DOM's DataTransfer and ClipboardEvent (this file is typed for Node).
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(f: File): void } };
        ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => Event;
      };
      const transfer = new g.DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      el.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    },
    { name: file.name, type: file.type, b64: file.data.toString('base64') },
  );
}

/** A command over the page's own session (setup the UI has no shortcut for), like the app's client sends it. */
async function invoke<T>(page: Page, name: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ({ name, input }) => {
      // Runs in the page, with the tab's token (kept by client/bridge) and its host.
      const w = globalThis as unknown as { sessionStorage: { getItem(k: string): string | null }; location: { host: string } };
      const token = w.sessionStorage.getItem('lamplight.token') ?? '';
      const ws = new WebSocket(`ws://${w.location.host}/ws?token=${encodeURIComponent(token)}`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const reply = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
        ws.onmessage = (ev) => {
          const msg = JSON.parse(String(ev.data)) as { id?: number; ok: boolean };
          if (msg.id === 1) resolve(msg);
        };
        ws.send(JSON.stringify({ id: 1, name, input }));
      });
      ws.close();
      if (!reply.ok) throw new Error(reply.error?.message ?? 'failed');
      return reply.value;
    },
    { name, input },
  ) as Promise<T>;
}

async function chooseModel(page: Page, needle: string): Promise<void> {
  const select = page.getByTestId('playground-model-select');
  await expect(select.locator('option', { hasText: needle }).first()).toBeAttached();
  const options = await select.locator('option').evaluateAll((els) => els.map((o) => ({ text: o.textContent ?? '', value: o.getAttribute('value') ?? '' })));
  const option = options.find((o) => o.text.includes(needle));
  if (!option) throw new Error(`no model option containing "${needle}"`);
  await select.selectOption(option.value);
}

async function addTarget(page: Page, name: string, url: string, acceptsImages: 'auto' | 'yes' | 'no', maxPixels?: string): Promise<void> {
  const targets = new TargetsPage(page);
  await targets.open();
  await page.getByTestId('target-add').click();
  await page.getByTestId('target-name-input').fill(name);
  await page.getByTestId('target-urls-input').fill(url);
  await page.getByTestId('target-accepts-images').selectOption(acceptsImages);
  await expect(page.getByTestId('target-max-pixels')).toHaveValue('1,003,520');
  if (maxPixels) await page.getByTestId('target-max-pixels').fill(maxPixels);
  await page.getByTestId('target-save').click();
  await expect(targets.row(name)).toBeVisible();
}

let host: RunningHost;
let recorder: Recorder;
let fx: VisionFixture;
let photo: Buffer;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await ensureVisionFixture(); // the Qwen2-VL pair (model + projector)
  photo = await photoWithGps();
  recorder = await startRecorder();
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
  await recorder?.close();
});

test('an image dropped in the Playground runs locally, on a recording server without its EXIF, and a text-only target refuses it', async ({ page }) => {
  test.setTimeout(240_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const pg = new PlaygroundPage(page);

  // (a) The local vision fixture: the model in the library, loaded with its projector on the vision engine.
  const models = new ModelsPage(page);
  await models.open();
  await models.add(fx.model);
  await expect(models.row('vision')).toBeVisible();
  const [model] = await invoke<{ id: string }[]>(page, 'models.list', {});
  await invoke(page, 'vision.load', { modelId: model?.id, projectorPath: fx.projector, settings: { threads: 1, contextSize: 2048 } });

  await pg.open();
  await pg.typeInto('user-editor', 'What is in this picture?');
  // Something that is not an image is refused by the core, naming the file; nothing is attached.
  await dropFiles(page, 'message-drop', [{ name: 'scan.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n') }]);
  await expect(page.getByTestId('image-error')).toContainText('scan.pdf');
  await expect(page.getByTestId('image-item')).toHaveCount(0);
  await dropFiles(page, 'message-drop', [{ name: 'holiday.jpg', type: 'image/jpeg', data: photo }]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('image-item')).toContainText('holiday.jpg');
  await expect(page.getByTestId('image-item')).toContainText('96×64');
  await expect(page.getByTestId('image-item').locator('img')).toBeVisible();
  await expect(page.getByTestId('rendered-image-part')).toContainText(/≈\d+ tokens/);
  await page.getByTestId('run-button').click();
  await expect(pg.metrics()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('metric-images')).toContainText('1');
  await expect(page.getByTestId('metric-image-tokens')).toContainText(/\d/);
  await expect(page.getByTestId('metric-image-prepare')).toBeVisible();
  // The encode time llama-server logged for this image.
  await expect(page.getByTestId('metric-image-encode')).toContainText(/\d/);
  await page.screenshot({ path: shot('vision-1-playground-local') });
  // A reload keeps the draft: the message and its image (by hash) are still there.
  await page.reload();
  await pg.open();
  await expect(page.getByTestId('image-item')).toContainText('holiday.jpg');
  await expect(page.getByTestId('image-item').locator('img')).toBeVisible();
  // A pasted screenshot joins it, and its remove button takes it off again.
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 90, b: 200 } } }).png().toBuffer();
  await pasteImage(page, '[data-testid="user-editor"] textarea', { name: 'image.png', type: 'image/png', data: png });
  await expect(page.getByTestId('image-item')).toHaveCount(2);
  await expect(page.getByTestId('image-item').nth(1)).toContainText('40×30');
  await page.getByTestId('image-item').nth(1).getByTestId('image-remove').click();
  await expect(page.getByTestId('image-item')).toHaveCount(1);

  // (b) The same image to a loopback server that records it: it arrives, decodes, and its EXIF is gone. Its
  // pixel budget (1,536) is below the photo's 6,144 pixels, so what is sent is downscaled as the preview says.
  await addTarget(page, 'recorder', recorder.baseUrl, 'yes', '1,536');
  await page.getByTestId('target-check').click();
  await expect(page.getByTestId('target-models')).toContainText('vl-7b');
  await page.screenshot({ path: shot('vision-2-target') });
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByTestId('target-accepts-images')).toHaveValue('yes');
  await page.screenshot({ path: shot('vision-3-target-form') });
  await page.getByRole('button', { name: 'Cancel' }).click();

  await pg.open();
  await chooseModel(page, 'vl-7b');
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('rendered-image-sent')).toContainText(/downscaled to \d+×\d+/);
  const preview = /downscaled to (\d+)×(\d+)/.exec((await page.getByTestId('rendered-image-sent').textContent()) ?? '');
  await page.getByTestId('run-button').click();
  await expect(pg.output()).toContainText('A red square.', { timeout: 60_000 });
  await expect(page.getByTestId('metric-images')).toContainText('1');
  await page.screenshot({ path: shot('vision-4-playground-remote') });
  expect(recorder.bodies).toHaveLength(1);
  const user = recorder.bodies[0]?.messages.find((m) => m.role === 'user');
  const parts = user?.content as { type: string; text?: string; image_url?: { url: string } }[];
  expect(Array.isArray(parts)).toBe(true);
  const image = parts.find((p) => p.type === 'image_url');
  expect(parts.some((p) => p.type === 'text' && p.text?.includes('What is in this picture?'))).toBe(true);
  const m = /^data:(image\/[a-z]+);base64,(.+)$/.exec(image?.image_url?.url ?? '');
  expect(m).not.toBeNull();
  const sent = Buffer.from(m?.[2] ?? '', 'base64');
  const meta = await sharp(sent).metadata();
  expect([meta.width, meta.height]).toEqual([Number(preview?.[1]), Number(preview?.[2])]);
  expect((meta.width ?? 0) * (meta.height ?? 0)).toBeLessThanOrEqual(1536);
  expect(meta.exif).toBeUndefined();
  expect(sent.includes(Buffer.from('E2E Phone'))).toBe(false);
  expect(sent.includes(Buffer.from('Jane Doe'))).toBe(false);

  // (c) A text-only target: Run is disabled with the reason, and nothing is sent.
  await addTarget(page, 'text only box', recorder.baseUrl, 'no');
  await pg.open();
  await chooseModel(page, 'text only box');
  await expect(page.getByTestId('run-button')).toBeDisabled();
  await expect(page.getByTestId('run-image-refusal')).toContainText('text only');
  // The core refuses too, with the reason, if asked directly.
  const targets = await invoke<{ id: string; name: string }[]>(page, 'targets.list', {});
  const textOnly = targets.find((t) => t.name === 'text only box');
  const hashes = await invoke<{ hash: string }>(page, 'images.addData', { name: 'holiday.jpg', dataBase64: photo.toString('base64') });
  const refused = await invoke(page, 'runs.start', {
    target: { kind: 'remote', targetId: textOnly?.id, model: 'vl-7b' },
    userMessage: 'What is this?',
    images: [{ hash: hashes.hash, name: 'holiday.jpg' }],
  }).then(
    () => null,
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/image/i);
  expect(recorder.bodies).toHaveLength(1);

  // Compare: the same image to both columns; the text-only column says why before and after running.
  const compare = new ComparePage(page);
  await compare.open();
  await compare.typeInto('compare-user-editor', 'What is in this picture?');
  await dropFiles(page, 'compare-message-drop', [{ name: 'holiday.jpg', type: 'image/jpeg', data: photo }]);
  await expect(page.getByTestId('compare-image-item')).toHaveCount(1);
  await compare.choose(0, 'recorder');
  await compare.choose(1, 'text only box');
  await expect(page.getByTestId('compare-image-refusal-1')).toContainText('text only');
  await page.getByTestId('compare-run').click();
  await compare.allFinished();
  await expect(page.getByTestId('compare-output-0')).toContainText('A red square.');
  await expect(page.getByTestId('compare-error-1')).toContainText(/image/i);
  await page.screenshot({ path: shot('vision-5-compare') });

  // An image variable gets a slot, filled from the picker; the rendered request places it after the attached image.
  await pg.open();
  await pg.typeInto('user-editor', 'Total of {{image:receipt}}?');
  await expect(page.getByTestId('image-slot-receipt')).toContainText('drop an image here');
  await page.getByTestId('image-slot-receipt-file').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('image-slot-receipt').locator('img')).toBeVisible();
  await expect(page.getByTestId('rendered-image-part')).toHaveCount(2);
  await expect(page.getByTestId('rendered-image-part').nth(1)).toContainText(/receipt/);
  await page.screenshot({ path: shot('vision-7-image-slot') });

  // History: the runs' thumbnails; reopening one brings its image back into the Playground.
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-image').first().locator('img')).toBeVisible();
  await page.screenshot({ path: shot('vision-6-history') });
  await page.getByTestId('history-row').filter({ has: page.getByTestId('history-image') }).first().click();
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('image-item')).toContainText('holiday.jpg');
  expect(consoleErrors.filter((e) => !e.includes('favicon'))).toEqual([]);
});
