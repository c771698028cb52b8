// The stored and prepared forms of edge-case images, sent to a real llama-server with a Qwen2-VL projector
// (the generated fixture pair): each must be read by the engine (stb_image in mtmd), and its tokens counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { enginePromptTokens, openVisionTestCore } from './testing/visionTestCore';
import { BLUE, flat, halves, RED } from '../images/testing/realWorldImages';
import { noise } from '../images/testing/sampleImages';

let core: Core;
let modelId: string;

beforeAll(async () => {
  ({ core, modelId } = await openVisionTestCore({ load: true }));
}, 180_000);

afterAll(async () => {
  await core?.close();
});

const promptTokens = (content: unknown[]) => enginePromptTokens({ core, modelId }, content);

describe('edge-case images through a real llama-server', () => {
  it('tiny, thin, grey, flattened, CMYK-converted and WebP images are read by the engine', async () => {
    const grey = await flat(64, 32, [90, 90, 90]).toColourspace('b-w').png().toBuffer();
    const rgba = await flat(40, 40, BLUE, 0.3).png().toBuffer();
    const cases: Array<[string, Buffer, number]> = [
      ['dot.png', await flat(1, 1, RED).png().toBuffer(), 1_003_520],
      ['strip.png', await flat(2, 3000, RED).png().toBuffer(), 1_003_520],
      ['strip-small.png', await flat(3000, 2, RED).png().toBuffer(), 784],
      ['grey.png', grey, 1_003_520],
      ['overlay.png', rgba, 1_003_520],
      ['cmyk.jpg', await halves(64, 32).toColourspace('cmyk').jpeg().toBuffer(), 1_003_520],
      ['lossless.webp', await noise(56, 56).webp({ lossless: true }).toBuffer(), 1_003_520],
      ['lossy.webp', await noise(56, 56).webp().toBuffer(), 1_003_520],
      ['big.webp', await noise(1400, 1000).webp().toBuffer(), 1_003_520],
    ];
    const text = { type: 'text', text: 'What is this?' };
    const without = await promptTokens([text]);
    const seen: Record<string, unknown> = {};
    for (const [name, bytes, budget] of cases) {
      const img = await core.images.addData(name, bytes);
      const p = await core.images.prepare(img.hash, budget);
      const url = `data:${p.mime};base64,${p.data.toString('base64')}`;
      seen[name] = await promptTokens([text, { type: 'image_url', image_url: { url } }]).then(
        (n) => ({ size: `${p.width}×${p.height}`, imageTokens: n - without - 2, est: p.estTokens }),
        (e: unknown) => `refused: ${(e as Error).message}`,
      );
    }
    // Before WebP was stored as PNG/JPEG, both WebP cases failed here: "Failed to load image or audio file".
    for (const [name, r] of Object.entries(seen)) {
      expect(typeof r, `${name}: ${JSON.stringify(r)}`).toBe('object');
      expect((r as { imageTokens: number }).imageTokens, name).toBeGreaterThanOrEqual(1);
    }
    expect(seen['strip-small.png']).toMatchObject({ size: '392×2' });
  }, 300_000);
});
