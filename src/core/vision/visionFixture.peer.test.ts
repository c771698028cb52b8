// The generated Qwen2-VL pair against the real llama-server (`-m text --mmproj projector`): it loads, says it
// takes images, and an image sent as an OpenAI `image_url` part reaches the model, costing exactly the
// tokens the projector's geometry predicts. Output is noise; counts and timings are what is checked.
import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureVisionFixture } from '../fixtures/ensureFixtures';
import { builtServer } from '../llamaServer/buildServer';
import { freePort, startLlamaServer, type LlamaServer } from '../llamaServer/llamaServerProcess';
import { EncodeLogParser } from './encodeTimes';
import { estimateImageTokens, readProjectorInfo } from './projector';

let server: LlamaServer;
let binary: string;
/** The encode times the server logged (the vision engine's own reader). */
const encodes: number[] = [];

beforeAll(async () => {
  const built = builtServer('cpu');
  if (!built) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server` (~5 min once, then cached)');
  binary = built;
  const fx = await ensureVisionFixture();
  // -lv 4 (trace) adds the timestamped "encoding mtmd batch" line the encode time is read from.
  server = await startLlamaServer({
    binary, model: fx.model, threads: 2, contextSize: 2048, parallel: 1, lifetimeMs: 300_000,
    args: ['--mmproj', fx.projector, '-lv', '4'],
  });
  const parser = new EncodeLogParser((e) => encodes.push(e.ms));
  server.onLine((line) => parser.line(line));
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

describe('the vision fixture on llama-server', () => {
  it('is healthy and reports that it takes images', async () => {
    expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    const props = (await (await fetch(`${server.origin}/props`)).json()) as { modalities?: { vision?: boolean } };
    expect(props.modalities?.vision).toBe(true);
    const models = (await (await fetch(`${server.origin}/v1/models`)).json()) as { models?: Array<{ capabilities?: string[] }> };
    expect(models.models?.[0]?.capabilities).toContain('multimodal');
  });

  it.each([
    [112, 84, 12], // multiples of 28: one token per 28×28 block
    [224, 112, 32],
    [100, 75, 12], // rounded to 112×84
    [20, 20, 9], // below the 8-token minimum: scaled up to 84×84
  ])('a %d×%d PNG costs its %d image tokens plus the two delimiters', async (width, height, expected) => {
    const projector = await readProjectorInfo((await ensureVisionFixture()).projector);
    const imageTokens = estimateImageTokens(projector, width, height);
    expect(imageTokens).toBe(expected);
    const text = { type: 'text', text: 'Describe this picture' };
    const textOnly = await chat([text]);
    encodes.length = 0; // only this request's encode counts
    const withImage = await chat([text, { type: 'image_url', image_url: { url: await pngDataUri(width, height) } }]);
    // <|vision_start|> and <|vision_end|> are one control token each in the fixture's vocabulary.
    expect(withImage.usage.prompt_tokens).toBe(textOnly.usage.prompt_tokens + expected + 2);
    expect(withImage.usage.completion_tokens).toBeGreaterThan(0);
    // The server's log reaches us through its stderr pipe, which can lag behind the HTTP reply on a busy machine.
    await vi.waitFor(() => expect(encodes).toHaveLength(1), { timeout: 15_000, interval: 20 });
    const encodeMs = encodes[0] ?? null;
    expect(encodeMs).not.toBeNull();
    expect(encodeMs).toBeGreaterThanOrEqual(0);
    // The image's encode is part of the prompt time the server reports.
    expect(withImage.timings.prompt_ms).toBeGreaterThanOrEqual(encodeMs!);
    console.log(`vision fixture ${width}x${height}: ${imageTokens} image tokens, encode ${encodeMs!.toFixed(2)} ms, prompt ${withImage.timings.prompt_ms.toFixed(1)} ms`);
  });


  it('refuses the mismatched projector itself, as checkProjectorPair does before starting it', async () => {
    const fx = await ensureVisionFixture();
    // Spawned directly: the whole output is needed, and the server must exit without serving.
    const args = ['-m', fx.model, '--mmproj', fx.mismatchedProjector, '-t', '1', '-c', '512', '--host', '127.0.0.1', '--port', String(await freePort())];
    const result = await new Promise<{ code: number | null; out: string }>((done) => {
      execFile(binary, args, { timeout: 60_000 }, (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: stdout + stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('mismatch between text model (n_embd = 128) and mmproj (n_embd = 96)');
  });
});
