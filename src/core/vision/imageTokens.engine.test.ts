// Token estimates against a real llama-server with the Qwen2-VL fixture projector (-t 1): for six sizes the
// projector-aware estimate is within ±10% or ±2 tokens of what the engine counts, and the default one
// (Qwen2-VL's own rules) agrees wherever its 4-token floor is not llama.cpp's 8. And WebP stored by older
// code is sent as the engine can read it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';
import type { Core } from '../createCore';
import { enginePromptTokens, openVisionTestCore } from './testing/visionTestCore';
import { estimateTokens } from '../images/imageTokens';
import { storeWebpTheOldWay } from '../images/testing/oldStore';
import { photoLike } from '../images/testing/sampleImages';
import { estimateImageTokens } from './projector';

let core: Core;
let modelId: string;

beforeAll(async () => {
  ({ core, modelId } = await openVisionTestCore({ load: true }));
}, 180_000);

afterAll(async () => {
  await core?.close();
});

const text = { type: 'text', text: 'What is this?' };
const imagePart = (mime: string, data: Buffer) => ({ type: 'image_url', image_url: { url: `data:${mime};base64,${data.toString('base64')}` } });

const promptTokens = (content: unknown[]) => enginePromptTokens({ core, modelId }, content);

const within = (est: number, engine: number) => Math.abs(est - engine) <= Math.max(2, 0.1 * engine);

describe('image token estimates against the engine', () => {
  it('1×1, 20×20, 112×84, 224×112, 2×3000 and 1400×1000: within ±10% or ±2 tokens', async () => {
    const projector = core.vision.status().projector;
    expect(projector).toMatchObject({ projectorType: 'qwen2vl_merger', patchSize: 14, spatialMerge: 2 });
    const byProjector = (w: number, h: number) => estimateImageTokens(projector!, w, h);
    const without = await promptTokens([text]);
    const rows: Array<{ size: string; sent: string; engine: number; estimate: number | null; qwen2vlRules: number }> = [];
    for (const [w, h] of [[1, 1], [20, 20], [112, 84], [224, 112], [2, 3000], [1400, 1000]] as const) {
      const img = await core.images.addData(`${w}x${h}.png`, await (await photoLike(w, h)).png().toBuffer());
      const p = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS, { projector: byProjector });
      // The image's tokens, less <|vision_start|> and <|vision_end|>.
      const engine = (await promptTokens([text, imagePart(p.mime, p.data)])) - without - 2;
      rows.push({ size: `${w}×${h}`, sent: `${p.width}×${p.height}`, engine, estimate: p.estTokens, qwen2vlRules: estimateTokens(p.width, p.height) });
    }
    const report = JSON.stringify(rows);
    for (const r of rows) {
      expect(r.estimate, report).not.toBeNull();
      expect(within(r.estimate!, r.engine), `${r.size}: ${report}`).toBe(true);
    }
    // llama.cpp gives Qwen2-VL at least 8 tokens (a 1×1 image becomes 84×84: 9); transformers' rules 56×56: 4.
    expect(rows.slice(0, 2).map((r) => [r.engine, r.qwen2vlRules])).toEqual([[9, 4], [9, 4]]);
    for (const r of rows.slice(2)) expect(within(r.qwen2vlRules, r.engine), `${r.size}: ${report}`).toBe(true);
    expect(rows[5]?.sent).not.toBe('1400×1000'); // downscaled under the default budget before it is counted
  }, 300_000);
});

describe('prompt.render', () => {
  it('estimates with the loaded projector for a local model, with Qwen2-VL\'s rules otherwise', async () => {
    const dot = await core.images.addData('dot.png', await (await photoLike(1, 1)).png().toBuffer());
    const input = { systemPrompt: '', userMessage: 'What is this?', variables: {}, images: [{ hash: dot.hash, name: 'dot.png' }] };
    const local = await core.invoke('prompt.render', { ...input, modelId, target: { kind: 'local', modelId } });
    expect(local.parts?.find((p) => p.kind === 'image')).toMatchObject({ estTokens: 9 });
    const other = await core.invoke('prompt.render', { ...input, modelId: null });
    expect(other.parts?.find((p) => p.kind === 'image')).toMatchObject({ estTokens: 4 });
  });
});

describe('WebP stored by older code', () => {
  it('is sent as PNG or JPEG, and the engine reads it (it refuses the WebP bytes themselves)', async () => {
    const lossless = await storeWebpTheOldWay(core, 'old-lossless.webp', await (await photoLike(112, 84)).webp({ lossless: true }).toBuffer());
    const lossy = await storeWebpTheOldWay(core, 'old-lossy.webp', await (await photoLike(640, 480)).webp({ quality: 80 }).toBuffer());
    const raw = readFileSync(core.images.filePath(lossy.hash));
    await expect(promptTokens([text, imagePart('image/webp', raw)])).rejects.toThrow(/HTTP 400.*Failed to load image/);
    for (const [img, mime] of [[lossless, 'image/png'], [lossy, 'image/jpeg']] as const) {
      const p = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
      expect(p.mime).toBe(mime);
      const tokens = await promptTokens([text, imagePart(p.mime, p.data)]);
      expect(tokens, img.name).toBeGreaterThan(8);
    }
  }, 120_000);
});
