// The generated Qwen2-VL pair against the real llama-server (`-m text --mmproj projector`): it loads, says it
// takes images, and an image sent as an OpenAI `image_url` part reaches the model, costing exactly the
// tokens the projector's geometry predicts. Output is noise; counts and timings are what is checked.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVisionFixture } from '../fixtures/ensureFixtures';
import { qwen2vlImageTokens } from '../fixtures/syntheticVision';
import { builtServer } from '../llamaServer/buildServer';
import { startLlamaServer, type LlamaServer } from '../llamaServer/llamaServerProcess';

let server: LlamaServer;

beforeAll(async () => {
  const binary = builtServer('cpu');
  if (!binary) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server` (~5 min once, then cached)');
  const fx = await ensureVisionFixture();
  // -lv 4 (trace) adds the timestamped "encoding mtmd batch" line the encode time is read from.
  server = await startLlamaServer({
    binary, model: fx.model, threads: 2, contextSize: 2048, parallel: 1, lifetimeMs: 300_000,
    args: ['--mmproj', fx.projector, '-lv', '4'],
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

interface ChatResult {
  usage: { prompt_tokens: number; completion_tokens: number };
  timings: { prompt_ms: number; prompt_n: number };
}

async function chat(content: unknown[]): Promise<ChatResult> {
  const r = await fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // cache_prompt off: the image request would otherwise reuse the text-only request's prefix.
    body: JSON.stringify({ messages: [{ role: 'user', content }], max_tokens: 4, temperature: 0, cache_prompt: false }),
  });
  const body = (await r.json()) as ChatResult & { error?: unknown };
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body.error ?? body)}`);
  return body;
}

async function pngDataUri(width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Milliseconds from "encoding mtmd batch" to "decoding image batch": the projector's encode of one image. */
function lastEncodeMs(log: string): number | null {
  // llama.cpp's log prefix is minutes.seconds.milliseconds.microseconds since start.
  const stamp = (line: string): number => {
    const [m = 0, s = 0, ms = 0, us = 0] = (line.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)/) ?? []).slice(1).map(Number);
    return (m * 60 + s) * 1000 + ms + us / 1000;
  };
  const lines = log.split('\n');
  const start = lines.findLastIndex((l) => l.includes('encoding mtmd batch'));
  const end = lines.findIndex((l, i) => i > start && l.includes('decoding image batch'));
  return start < 0 || end < 0 ? null : stamp(lines[end]!) - stamp(lines[start]!);
}

describe('the vision fixture on llama-server', () => {
  it('is healthy and reports that it takes images', async () => {
    expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    const props = (await (await fetch(`${server.origin}/props`)).json()) as { modalities?: { vision?: boolean } };
    expect(props.modalities?.vision).toBe(true);
    const models = (await (await fetch(`${server.origin}/v1/models`)).json()) as { models?: Array<{ capabilities?: string[] }> };
    expect(models.models?.[0]?.capabilities).toContain('multimodal');
  });

  it.each([
    [112, 84],
    [224, 112],
  ])('a %d×%d PNG costs (w/28)×(h/28) image tokens plus the two delimiters', async (width, height) => {
    const text = { type: 'text', text: 'Describe this picture' };
    const textOnly = await chat([text]);
    const withImage = await chat([text, { type: 'image_url', image_url: { url: await pngDataUri(width, height) } }]);
    const imageTokens = qwen2vlImageTokens(width, height);
    expect(imageTokens).toBe((width / 28) * (height / 28));
    // <|vision_start|> and <|vision_end|> are one control token each in the fixture's vocabulary.
    expect(withImage.usage.prompt_tokens).toBe(textOnly.usage.prompt_tokens + imageTokens + 2);
    expect(withImage.usage.completion_tokens).toBeGreaterThan(0);
    const encodeMs = lastEncodeMs(server.log());
    expect(encodeMs).not.toBeNull();
    expect(encodeMs).toBeGreaterThanOrEqual(0);
    // The image's encode is part of the prompt time the server reports.
    expect(withImage.timings.prompt_ms).toBeGreaterThanOrEqual(encodeMs!);
    console.log(`vision fixture ${width}x${height}: ${imageTokens} image tokens, encode ${encodeMs!.toFixed(2)} ms, prompt ${withImage.timings.prompt_ms.toFixed(1)} ms`);
  });

});
