// `lamplight run` with images, in-process: on the local vision fixture (llama-server --mmproj, started and
// stopped by the command), on an ad-hoc --target-url (a loopback server that records what it receives),
// and bad image files refused with the file and the reason.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../shared/runs.schema';
import { ensureVisionFixture, type VisionFixture } from '../core/fixtures/ensureFixtures';
import { startFakeVllm, type FakeVllm } from '../core/remote/testing/fakeVllm';
import { tempDir } from '../core/testing/testCore';
import { main } from './main';

/** A 112×84 image on the fixture's Qwen2-VL projector: (112/28)×(84/28) merged patches. */
const IMAGE_TOKENS = 12;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

let fx: VisionFixture;
let png: string;
let server: FakeVllm;

beforeAll(async () => {
  fx = await ensureVisionFixture();
  png = join(tempDir(), 'red.png');
  writeFileSync(png, await sharp({ create: { width: 112, height: 84, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer());
  server = await startFakeVllm();
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('lamplight run --image', () => {
  it('--model --mmproj runs the image on the vision engine and prints the record with its image metrics', async () => {
    const dir = tempDir();
    const r = await cli('--data-dir', dir, 'run', '--model', fx.model, '--mmproj', fx.projector, '--image', png, '--prompt', 'Describe', '--max-tokens', '4', '--threads', '2', '--context', '2048', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out) as RunRecord;
    expect(rec.images?.[0]).toMatchObject({ name: 'red.png', width: 112, height: 84 });
    expect(rec.imageTokens).toBe(IMAGE_TOKENS + 2);
    expect(rec.imagePrepareMs).toBeGreaterThanOrEqual(0);
    expect(rec.completionTokens).toBeGreaterThan(0);
  }, 120_000);

  it('--target-url with --image takes the URL to accept images and sends the image', async () => {
    const r = await cli('--data-dir', tempDir(), 'run', '--target-url', server.baseUrl, '--model', server.baseModel, '--image', png, '--prompt', 'Describe', '--json');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out) as RunRecord;
    expect(rec.output).toBe(`Hello from ${server.baseModel}.`);
    expect(rec.images).toHaveLength(1);
    const chat = server.requests.find((q) => q.path === '/v1/chat/completions')?.body as { messages: { content: Array<{ type: string }> }[] };
    expect(chat.messages[0]?.content.map((p) => p.type)).toEqual(['image_url', 'text']);
  });

  it('refuses a bad image file with its name and the reason, and sends nothing', async () => {
    const dir = tempDir();
    const pdf = join(dir, 'scan.png');
    writeFileSync(pdf, '%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    const before = server.requests.length;
    for (const [file, why] of [
      [pdf, /scan\.png: this is a PDF, not an image/],
      [empty, /empty\.png: the file is empty/],
    ] as const) {
      const r = await cli('--data-dir', dir, 'run', '--target-url', server.baseUrl, '--model', server.baseModel, '--image', file, '--prompt', 'x', '--json');
      expect(r.code).toBe(1);
      expect(r.err).toContain(`--image ${file}`);
      expect(r.err).toMatch(why);
    }
    expect(server.requests.filter((q, i) => i >= before && q.path === '/v1/chat/completions')).toHaveLength(0);
  });
});
