// Image runs against the real llama-server (the vision engine's) with the generated Qwen2-VL fixture: a target set to 'auto'
// is detected as taking images when the server has the projector and as text-only when it has not; a local
// image run goes to the vision engine and reports the image's prompt tokens and encode time. Output is noise; counts matter.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import { SamplingParams } from '../../shared/runs.schema';
import { imagePart } from '../remote/openaiClient';
import type { Core } from '../createCore';
import { ensureVisionFixture, type VisionFixture } from '../fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../testing/testCore';
import { runOnVisionEngine } from './visionRun';

/** A 112×84 image on the fixture's Qwen2-VL projector: (112/28)×(84/28) merged patches. */
const IMAGE_TOKENS = 12;

let fx: VisionFixture;
let core: Core;
let hash: string;
const greedy = { temperature: 0, maxTokens: 4 };

beforeAll(async () => {
  fx = await ensureVisionFixture();
  // The vision engine finds llama-server as the app does (Settings, PATH, the built cache).
  core = openTestCore();
  const file = join(tempDir(), 'square.png');
  writeFileSync(file, await sharp({ create: { width: 112, height: 84, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer());
  hash = (await core.invoke('images.add', { path: file })).hash;
}, 180_000);

afterAll(async () => {
  await core?.close();
});

/** The vision engine's own llama-server (with or without the projector), used here as a remote target. */
async function withServer<T>(projector: boolean, fn: (s: { baseUrl: string; apiKey: string }) => Promise<T>): Promise<T> {
  const m = await core.invoke('models.add', { path: fx.model });
  await core.vision.load(m.id, projector ? fx.projector : null, LoadSettings.parse({ threads: 2, contextSize: 2048 }));
  try {
    const ep = core.vision.endpoint(m.id);
    if (!ep) throw new Error(`the vision engine is not ready: ${JSON.stringify(core.vision.status())}`);
    return await fn(ep);
  } finally {
    await core.invoke('vision.unload', {});
  }
}

describe('image runs on llama-server', () => {
  it("'auto' detects a server with the projector as taking images, and one without as text-only", async () => {
    await withServer(true, async (s) => {
      const t = await core.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], apiKey: s.apiKey });
      const check = await core.invoke('targets.check', { targetId: t.id });
      const model = check.models[0]!;
      expect(model.vision).toBe(true);
      const { runId } = await core.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: model.id }, userMessage: 'Describe', images: [{ hash, name: 'square.png' }], params: greedy });
      const run = await core.runs.wait(runId);
      expect(run.error).toBeNull();
      expect(run.promptTokens).toBeGreaterThan(IMAGE_TOKENS);
    });
    await withServer(false, async (s) => {
      const t = await core.invoke('targets.add', { name: 'text', baseUrls: [s.baseUrl], apiKey: s.apiKey });
      const check = await core.invoke('targets.check', { targetId: t.id });
      const model = check.models[0]!;
      expect(model.vision).toBe(false);
      await expect(
        core.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: model.id }, userMessage: 'Describe', images: [{ hash, name: 'square.png' }] }),
      ).rejects.toThrow(/says model .* does not accept images/);
    });
  }, 180_000);

  it('a local image run goes to the vision engine and counts the image tokens', async () => {
    const m = await core.invoke('models.add', { path: fx.model });
    const req = { target: { kind: 'local' as const, modelId: m.id }, userMessage: 'Describe', images: [{ hash, name: 'square.png' }], params: greedy };
    await expect(core.invoke('runs.start', req)).rejects.toThrow(/with its projector for images \(Models → Vision\)/);
    await core.invoke('vision.load', { modelId: m.id, projectorPath: fx.projector, settings: { threads: 2, contextSize: 2048 } });
    const { runId } = await core.invoke('runs.start', req);
    const run = await core.runs.wait(runId);
    expect(run.error).toBeNull();
    expect(run.completionTokens).toBeGreaterThan(0);
    // 4×3 patches of 28 pixels, plus <|vision_start|> and <|vision_end|>.
    expect(run.imageTokens).toBe(IMAGE_TOKENS + 2);
    expect(run.images?.[0]).toMatchObject({ hash, width: 112, height: 84 });
    expect(run.ttftMs).toBeGreaterThan(0);
    // Read from the server's trace log: the projector's encode of this one image.
    expect(run.imageEncodeMs).toBeGreaterThan(0);
    expect(run.imageEncodeMs!).toBeLessThanOrEqual(run.ttftMs!);
    // A text run on the same server (as a remote target) has no image and no encode time.
    const ep = core.vision.endpoint(m.id)!;
    const t = await core.invoke('targets.add', { name: 'vl-text', baseUrls: [ep.baseUrl], apiKey: ep.apiKey });
    const text = await core.runs.wait((await core.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: ep.model }, userMessage: 'Describe', params: greedy })).runId);
    expect(text.error).toBeNull();
    expect(text.imageEncodeMs ?? null).toBeNull();
    await core.invoke('vision.unload', {});
  }, 180_000);

  it('two image requests in flight at once get no encode time (whose line is whose is unknown); one alone gets its own', async () => {
    const m = await core.invoke('models.add', { path: fx.model });
    await core.invoke('vision.load', { modelId: m.id, projectorPath: fx.projector, settings: { threads: 2, contextSize: 2048, sequences: 2 } });
    const ep = core.vision.endpoint(m.id)!;
    const png = (c: number) => sharp({ create: { width: 56, height: 56, channels: 3, background: { r: c, g: 0, b: 0 } } }).png().toBuffer();
    // Different pixels each time, so the server's prompt cache cannot skip the encode.
    const send = async (c: number) => ({
      systemPrompt: '', userMessage: 'Describe', params: SamplingParams.parse({ temperature: 0, maxTokens: 8 }), jsonSchema: null,
      userParts: [{ type: 'text' as const, text: 'Describe' }, imagePart('image/png', await png(c))],
    });
    const [a, b] = await Promise.all([send(10), send(20)]);
    const both = await Promise.all([a, b].map((req) => runOnVisionEngine(ep, req, new AbortController().signal, () => undefined)));
    expect(both.map((r) => r.imageEncodeMs)).toEqual([null, null]);
    const alone = await runOnVisionEngine(ep, await send(30), new AbortController().signal, () => undefined);
    expect(alone.imageEncodeMs).toBeGreaterThan(0);
    await core.invoke('vision.unload', {});
  }, 180_000);
});
