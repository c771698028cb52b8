// The image guard with real OCR (tesseract.js, the English model from node_modules) and real sharp: a
// rendered ID is found and painted so that OCR of the output finds no valid ID; negatives are left alone;
// metadata is gone; bad files are refused by name; the policy picks allow/block/redact per target; and OCR
// runs with every fetch and socket refused in every thread.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPii } from '../../shared/pii';
import type { Core } from '../createCore';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { OcrEngine } from './ocr';
import { textImage, validId } from './testing/render';

let core: Core;
let reader: OcrEngine;
const dir = tempDir('lamplight-imageguard-');
beforeAll(() => {
  core = openTestCore();
  // A second, independent reader for the output: what the receiving server could read.
  reader = new OcrEngine({ cacheDir: join(dir, 'reader') });
});
afterAll(async () => {
  await reader?.close();
  await core?.close();
});

async function readBack(image: Buffer): Promise<string> {
  return (await reader.recognize(image)).lines.map((l) => l.text).join('\n');
}

describe('redact', () => {
  it('paints a rendered ID number so that OCR of the output reads no valid ID', { timeout: 120_000 }, async () => {
    const id = validId();
    const img = await textImage([`Name: Zhang Wei  ID: ${id}`, 'Order No. 2025100112345678']);
    expect(findPii(await readBack(img)).map((m) => m.kind)).toContain('id_card'); // readable before
    const r = await core.imageGuard.redact(img, 'id.png');
    expect(r.counts).toEqual({ id_card: 1 });
    expect(r.regions).toHaveLength(1);
    expect(r.mime).toBe('image/png');
    expect(r.sentHash).not.toBe(r.originalHash);
    const after = await readBack(r.data);
    expect(findPii(after).filter((m) => m.kind === 'id_card')).toEqual([]);
    expect(after.replace(/\s/g, '')).not.toContain(id.slice(0, 14));
    expect(after).toMatch(/Order/); // the rest of the image is still there
  });

  it('finds a card number OCR reads as groups, and a phone and e-mail', { timeout: 120_000 }, async () => {
    const img = await textImage(['Card 6222 0212 3456 7890 128', 'Tel 138 1234 5678', 'Mail zhang.wei@example.cn']);
    const scan = await core.imageGuard.scan(img, 'mixed.png');
    expect(scan.counts).toEqual({ bank_card: 1, phone: 1, email: 1 });
    for (const f of scan.findings) expect(f.masked).toMatch(/\*/); // masked, never raw
    expect(JSON.stringify(scan)).not.toContain('6222 0212 3456 7890 128');
  });

  it('leaves hard negatives alone: order and invoice numbers, dates, amounts, 16-digit non-Luhn', { timeout: 120_000 }, async () => {
    const img = await textImage(['Order No. 2025100112345678', 'Invoice 04400190011112345678', 'Date 2025-10-01  Total CNY 1,280.00', 'Code 6222021234567891']);
    const r = await core.imageGuard.redact(img, 'negatives.png');
    expect(r.regions).toEqual([]);
    expect(r.counts).toEqual({});
  });

  it('writes no metadata: EXIF in a JPEG does not survive', { timeout: 120_000 }, async () => {
    const plain = await textImage([`ID ${validId('456')}`], { jpeg: 85 });
    const withExif = await sharp(plain).withExif({ IFD0: { Artist: 'Zhang Wei', ImageDescription: 'secret place' } }).jpeg().toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const r = await core.imageGuard.redact(withExif, 'exif.jpg');
    const meta = await sharp(r.data).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(r.data.includes(Buffer.from('Zhang Wei'))).toBe(false);
  });
});

describe('bad input', () => {
  it('refuses what is not an image, naming it and why', async () => {
    const text = await failureOf(core.imageGuard.scan(Buffer.from('just some text, not an image'), 'notes.png'));
    expect(text.code).toBe('BAD_INPUT');
    expect(text.message).toMatch(/^notes\.png: /);
    const png = await textImage(['x']);
    const cut = await failureOf(core.imageGuard.redact(png.subarray(0, 60), 'cut.png'));
    expect(cut.code).toBe('BAD_INPUT');
    expect(cut.message).toMatch(/^cut\.png: /);
  });
});

describe('policy', () => {
  it('redacts for remote targets by default, allows local, blocks where told', async () => {
    expect(core.imageGuard.actionFor({ kind: 'local' })).toBe('allow');
    expect(core.imageGuard.actionFor({ kind: 'remote', targetId: '01JTARGET0000000000000000' })).toBe('redact');
    const policy = await core.invoke('guard.getPolicy', {});
    expect(policy.images).toEqual({ remoteDefault: 'redact', local: 'allow', targets: {}, chiSimPath: null });
    const t = '01JTARGET0000000000000001';
    await core.invoke('guard.setPolicy', { policy: { ...policy, images: { ...policy.images, targets: { [t]: 'block' } } } });
    expect(core.imageGuard.actionFor({ kind: 'remote', targetId: t })).toBe('block');
    const img = await core.images.addData('id.png', await textImage(['x']));
    const f = await failureOf(core.imageGuard.forTarget(img.hash, 1_000_000, { kind: 'remote', targetId: t }, 'id.png'));
    expect(f.code).toBe('BLOCKED');
    expect(f.message).toMatch(/^id\.png: /);
  });

  it('guard.previewImage shows the redacted image for a remote target', { timeout: 120_000 }, async () => {
    const target = await core.invoke('targets.add', { name: 'remote vl', baseUrls: ['http://127.0.0.1:9/'] });
    const img = await core.images.addData('card.png', await textImage([`ID ${validId('789')}`]));
    const p = await core.invoke('guard.previewImage', { hash: img.hash, targetId: target.id });
    expect(p.action).toBe('redact');
    expect(p.counts).toEqual({ id_card: 1 });
    expect(p.dataUrl).toMatch(/^data:image\/png;base64,/);
    const sent = Buffer.from(p.dataUrl.split(',')[1] as string, 'base64');
    expect(findPii(await readBack(sent)).filter((m) => m.kind === 'id_card')).toEqual([]);
  });
});

describe('send path', () => {
  it('storeFor(remote) prepares redacted bytes and lists hashes, action and counts for the audit', { timeout: 120_000 }, async () => {
    const img = await core.images.addData('send.png', await textImage([`ID ${validId('654')}`]));
    const store = core.imageGuard.storeFor({ kind: 'remote', targetId: '01JTARGET0000000000000002' });
    const p = await store.prepare(img.hash, 1_000_000);
    expect(p.sentHash).not.toBe(img.hash);
    expect(findPii(await readBack(p.data)).filter((m) => m.kind === 'id_card')).toEqual([]);
    expect(store.audit()).toEqual([{ hash: img.hash, sentHash: p.sentHash, action: 'redact', counts: { id_card: 1 } }]);
    const local = core.imageGuard.storeFor({ kind: 'local' });
    const same = await local.prepare(img.hash, 1_000_000);
    expect(same.sentHash).toBe((await core.images.prepare(img.hash, 1_000_000)).sentHash);
    expect(local.audit()[0]).toMatchObject({ action: 'allow', counts: {} });
    // Redact with nothing found sends the prepared bytes unchanged (no needless re-encode).
    const blank = await core.images.addData('blank.png', await textImage(['Date 2025-10-01']));
    const plain = await store.prepare(blank.hash, 1_000_000);
    expect(plain.sentHash).toBe((await core.images.prepare(blank.hash, 1_000_000)).sentHash);
    expect(store.audit()[1]).toMatchObject({ hash: blank.hash, action: 'redact', counts: {} });
  });
});

describe('offline', () => {
  it('OCR works with every fetch and socket refused, in the main thread and the OCR worker', { timeout: 120_000 }, () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const log = join(dir, 'network.log');
    const image = join(dir, 'offline.png');
    writeFileSync(log, '');
    return textImage([`ID ${validId('321')}`]).then((png) => {
      writeFileSync(image, png);
      const script = join(dir, 'offline.mts');
      writeFileSync(
        script,
        `import { OcrEngine } from ${JSON.stringify(join(here, 'ocr.ts'))};\n` +
          `const o = new OcrEngine({ cacheDir: ${JSON.stringify(join(dir, 'offline-cache'))} });\n` +
          `const r = await o.recognize((await import('node:fs')).readFileSync(${JSON.stringify(image)}));\n` +
          `await o.close();\nconsole.log(JSON.stringify(r.lines.map((l) => l.text)));\n`,
      );
      const out = execFileSync(process.execPath, ['--require', join(here, 'testing', 'noNetwork.cjs'), '--import', 'tsx', script], {
        env: { ...process.env, NONET_LOG: log },
        encoding: 'utf8',
      });
      expect(out).toContain(validId('321'));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toContain('worker loaded'); // the guard was in the OCR worker thread too
      expect(lines.filter((l) => !l.endsWith(' loaded'))).toEqual([]);
    });
  });
});

describe('OCR misreads (joined view)', () => {
  it('reads "name§163.com" and "name@corp. com.cn" as addresses, "6222 O212" as digits', async () => {
    const { findInLines } = await import('./redact');
    const word = (text: string, x: number) => ({ text, box: { x, y: 0, w: 10, h: 10 } });
    const lines = [
      { text: '', words: [word('chen.jie§163.com', 0)] },
      { text: '', words: [word('liu.yang@corp.', 0), word('com.cn', 20)] },
      { text: '', words: ['6222', 'O212', '3456', '7890', '128'].map((t, i) => word(t, i * 20)) },
    ];
    expect(findInLines(lines).map((f) => [f.type, f.box.w])).toEqual([
      ['email', 10],
      ['email', 30],
      ['bank_card', 90],
    ]);
  });
});
