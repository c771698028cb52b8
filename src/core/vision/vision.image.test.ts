// The vision engine with a real projector (h/visionfix's generated Qwen2-VL pair): vision.load starts
// llama-server with --mmproj, and an image sent through endpoint() reaches the model (the prompt grows by the
// image's tokens). A projector that does not fit is refused with both numbers before anything starts.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import type { Core } from '../createCore';
import { enginePromptTokens, openVisionTestCore } from './testing/visionTestCore';
import type { VisionFixture } from '../fixtures/ensureFixtures';
import { estimateImageTokens } from './projector';

const settings = LoadSettings.parse({ gpu: 'cpu', threads: 1, contextSize: 1024 });
let core: Core;
let fx: VisionFixture;
let modelId: string;

beforeAll(async () => {
  ({ core, fx, modelId } = await openVisionTestCore({ load: false }));
}, 180_000);

afterAll(async () => {
  await core?.close();
});

const promptTokens = (content: unknown[]) => enginePromptTokens({ core, modelId }, content, 2);

describe('vision engine with a projector', () => {
  it('finds the projector beside the model and reads its header', async () => {
    const found = await core.invoke('vision.findProjector', { modelId });
    expect(found?.path).toBe(fx.projector);
    expect(found).toMatchObject({ projectorType: 'qwen2vl_merger', hasVisionEncoder: true, projectionDim: 128 });
  });

  it('refuses the mismatched projector with both numbers, and nothing starts', async () => {
    await expect(core.invoke('vision.load', { modelId, projectorPath: fx.mismatchedProjector, settings })).rejects.toThrow(/projects to 96 dimensions but model .* has embedding length 128/);
    expect(core.vision.status()).toMatchObject({ state: 'stopped', pid: null });
  });

  it('loads with --mmproj and an image reaches the model through endpoint()', async () => {
    const st = await core.invoke('vision.load', { modelId, projectorPath: fx.projector, settings });
    expect(st).toMatchObject({ state: 'ready', modelId, projector: { path: fx.projector } });
    const png = await sharp({ create: { width: 112, height: 56, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
    const text = { type: 'text', text: 'What is this?' };
    const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } };
    const without = await promptTokens([text]);
    const withImage = await promptTokens([text, image]);
    // The image's tokens plus <|vision_start|> and <|vision_end|>.
    expect(withImage).toBe(without + estimateImageTokens(st.projector!, 112, 56)! + 2);
    const off = await core.invoke('vision.unload', {});
    expect(off.state).toBe('stopped');
  }, 180_000);
});
