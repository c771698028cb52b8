// bench:vision's TTFT sections: one image prompt through Lamplight's path (runs.start on the vision engine:
// llama-server --mmproj with the generated Qwen2-VL fixture) and as a raw HTTP request to the same server,
// one of each per round, back to back, alternating which goes first, N rounds after a warm-up.
//   warm: the same prompt every time, so llama-server's prompt cache answers (image and text cached).
//   cold: a unique nonce text part before the image in every request (the same scheme on both paths), so
//     the server encodes the image and prefills the prompt each time: the case of a new image per request.
// The clock starts after preparation: the image is prepared before both clocks (Lamplight's run subtracts
// its own cached preparation, as stored in imagePrepareMs); the raw client's JSON body is ready before its
// clock, so Lamplight's building of its request (text, guard, stored run, JSON) counts as its overhead.
// After every request, outside the clocks, llama-server's log says how many prompt tokens it processed (the
// rest came from its cache; checked against the raw reply's own timings) and whether the image was encoded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jpegWithExif } from '../src/core/images/testing/sampleImages';
import { createCore } from '../src/core/createCore';
import { ensureVisionFixture } from '../src/core/fixtures/ensureFixtures';
import { builtServer } from '../src/core/llamaServer/buildServer';
import { chatRequestBody, imagePart, type ChatContentPart } from '../src/core/remote/openaiClient';
import { chatMessages, chatParams } from '../src/core/runs/chatRun';
import { ulid } from '../src/shared/ids';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../src/shared/images.schema';
import { SamplingParams } from '../src/shared/runs.schema';
import { pct, round } from './benchUtil';
import { adjustedOverhead, overheadReport } from './visionStats';

export interface TtftOptions {
  rounds: number;
  warmup: number;
  threads: number;
  imageWidth: number;
  imageHeight: number;
  log: (s: string) => void;
}

/** One request's TTFT and what the server did for it. */
interface Sample {
  ttftMs: number;
  /** All prompt tokens, image included. */
  promptTokens: number | null;
  /** Of those, taken from the slot's cache and processed (from the server's log). */
  cacheN: number | null;
  promptN: number | null;
  /** The projector's encode time from the server's log; null when no image was encoded. */
  encodeMs: number | null;
  /** The server's own prompt time for it (encode and prefill, to the first token), from its log. */
  serverPromptMs: number;
  /** Lamplight only: its TTFT less the run record's (from the request leaving its I/O thread to the first chunk there). */
  ownMs?: number;
}

/** llama-server's per-request line at the end of each reply: prompt tokens processed (not from its cache). */
const PROMPT_EVAL = /\| task (-?\d+) \| prompt eval time = +([\d.]+) ms \/ +(\d+) tokens/;

/**
 * Collects the vision engine's log lines between requests. The service has no public hook for them (only the
 * encode watch), so the bench reaches the running server through the service's private field, and says so
 * when that shape changes.
 */
function serverLog(vision: unknown): { take(): string[]; stop(): void } {
  const server = (vision as { running?: { server?: { onLine?: (f: (l: string) => void) => () => void } } | null }).running?.server;
  if (typeof server?.onLine !== 'function') throw new Error("bench: cannot read the vision engine's log (VisionService.running.server.onLine is gone)");
  let lines: string[] = [];
  const stop = server.onLine((l) => lines.push(l));
  return {
    take: () => {
      const out = lines;
      lines = [];
      return out;
    },
    stop,
  };
}

/** Prompt tokens processed and the server's prompt time for the one request whose log lines these are. */
function promptEval(lines: string[]): { tokens: number; ms: number } {
  const hits = lines.map((l) => PROMPT_EVAL.exec(l)).filter((m) => m !== null);
  if (hits.length !== 1) throw new Error(`the server's log has ${hits.length} "prompt eval time" lines for one request (expected 1)`);
  return { tokens: Number(hits[0]?.[3]), ms: Number(hits[0]?.[2]) };
}

/** A raw request that failed before any answer (llama-server closes idle keep-alive sockets): its round is redone. */
class NoAnswer extends Error {}

/** Milliseconds from sending the body (built before the clock) to the first streamed text, read as a plain client would. */
async function rawTtft(url: string, apiKey: string, body: string): Promise<{ ttftMs: number; promptTokens: number | null; cacheN: number | null; promptN: number | null }> {
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body });
  } catch (e) {
    const c = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
    throw new NoAnswer(`raw request: ${(e as Error).message} (${String(c?.code ?? c?.message ?? 'no cause')})`);
  }
  if (!res.ok || !res.body) throw new Error(`raw request: HTTP ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let ttftMs: number | null = null;
  let promptTokens: number | null = null;
  let cacheN: number | null = null;
  let promptN: number | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let at: number;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const frame = buf.slice(0, at).replace(/^data: /, '');
      buf = buf.slice(at + 2);
      if (frame.trim() === '[DONE]' || frame.trim() === '') continue;
      const j = JSON.parse(frame) as { choices?: { delta?: { content?: string | null } }[]; timings?: { cache_n?: number; prompt_n?: number }; usage?: { prompt_tokens?: number } };
      if (ttftMs === null && j.choices?.[0]?.delta?.content) ttftMs = performance.now() - t0;
      if (j.timings?.cache_n !== undefined) cacheN = j.timings.cache_n;
      if (j.timings?.prompt_n !== undefined) promptN = j.timings.prompt_n;
      if (j.usage?.prompt_tokens !== undefined) promptTokens = j.usage.prompt_tokens;
    }
  }
  if (ttftMs === null) throw new Error('raw request: no text in the reply');
  return { ttftMs, promptTokens, cacheN, promptN };
}

const range = (xs: (number | null)[]): [number, number] | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : [Math.min(...v), Math.max(...v)];
};
/** The median of the requests that encoded an image (none: null, the image came from the cache). */
const p50OrNull = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length > 0 ? round(pct(v, 50), 1) : null;
};

/**
 * The overhead with the server's own time taken out of each request: TTFT minus the prompt time llama-server
 * logged for it. On a loaded machine encode and prefill vary by tens of ms from one request to the next; what
 * is left (client, HTTP, image decode, sampling) varies far less, so the paired difference is much tighter.
 */
function adjustedReport(ours: Sample[], theirs: Sample[]) {
  return {
    serverPromptP50Ms: { lamplight: round(pct(ours.map((s) => s.serverPromptMs), 50), 2), raw: round(pct(theirs.map((s) => s.serverPromptMs), 50), 2) },
    ...adjustedOverhead(ours.map((s) => s.ttftMs - s.serverPromptMs), theirs.map((s) => s.ttftMs - s.serverPromptMs), pct(theirs.map((s) => s.ttftMs), 50)),
  };
}

/** What the server did with the prompts of one section, from its log (and the raw replies' timings). */
function cacheReport(all: Sample[], imageTokens: number | null) {
  const encoded = all.every((s) => s.encodeMs !== null);
  const prefilled = imageTokens !== null && all.every((s) => s.promptN !== null && s.promptN >= imageTokens);
  return {
    source: "raw: the reply's timings (cache_n, prompt_n); Lamplight: the server's 'prompt eval time … N tokens' log line for its request, which matched the reply on every raw request",
    requests: all.length,
    promptTokens: range(all.map((s) => s.promptTokens)),
    /** Prompt tokens taken from the slot's cache: the chat template's opening and the nonce's shared start when cold. */
    cacheN: range(all.map((s) => s.cacheN)),
    /** Prompt tokens processed (prefilled) per request. */
    promptN: range(all.map((s) => s.promptN)),
    imageTokens,
    imageEncodedEveryRequest: encoded,
    imagePrefilledEveryRequest: prefilled,
    /** Nothing of the image came from a cache: encoded by the projector and its tokens prefilled every time. */
    nothingCached: encoded && prefilled,
  };
}

export async function ttftSections(o: TtftOptions) {
  const binary = builtServer('cpu');
  if (!binary) return { skipped: 'llama-server is not built: run `npx lamplight engine build-server` first' };
  const fx = await ensureVisionFixture();
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-bench-vision-ttft-'));
  const core = createCore({ dataDir: dir, version: 'bench', transport: 'browser-host', serverBin: binary });
  try {
    const model = await core.invoke('models.add', { path: fx.model });
    o.log(`starting llama-server with the vision fixture (${o.threads} threads)…`);
    await core.invoke('vision.load', { modelId: model.id, projectorPath: fx.projector, settings: { threads: o.threads, contextSize: 4096 } });
    const ep = core.vision.endpoint(model.id);
    if (!ep) throw new Error('the vision engine is not ready');
    // A photo-like JPEG (real bytes to carry, not a flat colour): stored and prepared as Lamplight does.
    const jpeg = await jpegWithExif(o.imageWidth, o.imageHeight);
    const img = await core.invoke('images.addData', { name: 'bench.jpg', dataBase64: jpeg.toString('base64') });
    // Prepared once, outside both clocks; Lamplight's runs find it prepared again (cached or fitting as is).
    const prepared = await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    const image = imagePart(prepared.mime, prepared.data);
    const params = SamplingParams.parse({ maxTokens: 2, temperature: 0, seed: 1 });
    const question = 'Describe this picture';
    const url = `${ep.baseUrl}/chat/completions`;
    let nonce = 0;
    // A fixed-width counter: every request's text differs before the image, and all prompts are one length.
    const nextNonce = () => `Request ${String(++nonce).padStart(5, '0')}.`;

    // Warm: the image attached, then the question (Lamplight puts attached images first). Cold: the nonce,
    // the image where {{image:pic}} stands, then the question.
    type Ours = { userMessage: string; images?: { hash: string; name: string }[]; imageVariables?: Record<string, string> };
    type Shape = { ours: () => Ours; raw: () => ChatContentPart[] };
    const warm: Shape = {
      ours: () => ({ userMessage: question, images: [{ hash: img.hash, name: 'bench.jpg' }] }),
      raw: () => [image, { type: 'text', text: question }],
    };
    const cold: Shape = {
      ours: () => ({ userMessage: `${nextNonce()}\n{{image:pic}}\n${question}`, imageVariables: { pic: img.hash } }),
      raw: () => [{ type: 'text', text: `${nextNonce()}\n` }, image, { type: 'text', text: `\n${question}` }],
    };

    let imageTokens: number | null = null;
    const log = serverLog(core.vision);
    const lamplight = async (shape: Shape): Promise<Sample> => {
      const runId = ulid();
      let first = 0;
      const off = core.on('runs.chunk', (c) => {
        if (c.runId === runId && first === 0) first = performance.now();
      });
      const input = { runId, target: { kind: 'local' as const, modelId: model.id }, ...shape.ours(), params };
      log.take();
      const t0 = performance.now();
      await core.invoke('runs.start', input);
      const rec = await core.runs.wait(runId);
      off();
      if (rec.error || first === 0) throw new Error(`Lamplight run: ${rec.error ?? 'no text'}`);
      imageTokens = rec.imageTokens ?? imageTokens;
      const server = promptEval(log.take());
      const cacheN = rec.promptTokens === null ? null : rec.promptTokens - server.tokens;
      // From runs.start to the first text event, less the run's own (cached) preparation inside it.
      const ttftMs = first - t0 - (rec.imagePrepareMs ?? 0);
      const ownMs = rec.ttftMs === null ? undefined : ttftMs - rec.ttftMs;
      return { ttftMs, promptTokens: rec.promptTokens, cacheN, promptN: server.tokens, encodeMs: rec.imageEncodeMs ?? null, serverPromptMs: server.ms, ownMs };
    };
    const raw = async (shape: Shape): Promise<Sample> => {
      const body = JSON.stringify(chatRequestBody({ model: ep.model, messages: chatMessages('', '', shape.raw()), params: chatParams(params, null) }));
      const watch = ep.watchEncode();
      log.take();
      let r: Awaited<ReturnType<typeof rawTtft>>;
      try {
        r = await rawTtft(url, ep.apiKey, body);
      } catch (e) {
        // An open watch would make every later request count as sharing the server (no encode time at all).
        void watch.done(0);
        throw e;
      }
      const encodeMs = await watch.done();
      // The log's count, read as for Lamplight's runs, must be what the reply itself says.
      const server = promptEval(log.take());
      const promptN = server.tokens;
      if (promptN !== r.promptN || r.promptTokens === null || r.cacheN !== r.promptTokens - promptN) {
        throw new Error(`raw request: the server's log says ${promptN} prompt tokens processed, its reply prompt_n ${r.promptN}, cache_n ${r.cacheN} of ${r.promptTokens}`);
      }
      return { ttftMs: r.ttftMs, promptTokens: r.promptTokens, cacheN: r.cacheN, promptN, encodeMs, serverPromptMs: server.ms };
    };

    const section = async (name: string, shape: Shape) => {
      o.log(`${name}: ${o.warmup} warm-up pair(s), then ${o.rounds} rounds…`);
      for (let i = 0; i < o.warmup; i++) {
        await raw(shape);
        await lamplight(shape);
      }
      const ours: Sample[] = [];
      const theirs: Sample[] = [];
      let redone = 0;
      for (let i = 0; i < o.rounds; i++) {
        for (let tries = 0; ; tries++) {
          try {
            // Alternating which goes first, so drift on a shared machine hits both alike.
            const l = i % 2 === 0 ? await lamplight(shape) : null;
            const r = await raw(shape);
            ours.push(l ?? (await lamplight(shape)));
            theirs.push(r);
            break;
          } catch (e) {
            if (!(e instanceof NoAnswer) || tries >= 2) throw e;
            o.log(`${name} round ${i + 1} sent again: ${e.message}`);
            redone++;
          }
        }
      }
      const all = [...ours, ...theirs];
      return {
        rounds: o.rounds,
        /** Rounds sent again because the raw request got no answer (a keep-alive socket the server had closed). */
        roundsRedone: redone,
        ...overheadReport(ours.map((s) => s.ttftMs), theirs.map((s) => s.ttftMs)),
        serverAdjusted: adjustedReport(ours, theirs),
        /** Time in Lamplight's process around the request: runs.start to the request leaving, first chunk to the event. */
        lamplightOwnP50Ms: p50OrNull(ours.map((s) => s.ownMs ?? null)),
        imageEncodeP50Ms: { lamplight: p50OrNull(ours.map((s) => s.encodeMs)), raw: p50OrNull(theirs.map((s) => s.encodeMs)) },
        cache: cacheReport(all, imageTokens),
      };
    };

    const warmSection = await section('warm', warm);
    const coldSection = await section('cold', cold);
    log.stop();
    return {
      threads: o.threads,
      maxTokens: params.maxTokens,
      image: { width: prepared.width, height: prepared.height, bytes: prepared.bytes, mime: prepared.mime },
      imageTokens,
      warm: { prompt: 'the same image and text every request: llama-server answers from its prompt cache', ...warmSection },
      cold: {
        prompt: 'a unique nonce before the image every request: the image encoded and the prompt prefilled every time',
        ...coldSection,
        cacheCheckPassed: coldSection.cache.nothingCached,
      },
    };
  } finally {
    await core.invoke('vision.unload', {}).catch(() => undefined);
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
