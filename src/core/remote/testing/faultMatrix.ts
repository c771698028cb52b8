// The remote fault matrix: every way a server, a proxy or the network can misbehave, played by a loopback
// server against streamChatWithReplicas (what TargetsService.run, and so every remote run, goes through).
// Each fault must end in a recovery or a typed error that names the URL, what happened and what to check;
// and Stop must end a run stuck in that fault, both there and through the core (runs.start / runs.cancel).
// The rows live in one test file per fault family (faultMatrix.*.test.ts); this runs them. Each file prints
// its part of the matrix as a markdown table for the closing note. Tests only: it registers vitest hooks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../createCore';
import { openTestCore } from '../../testing/testCore';
import { RemoteError, hintFor, type RemoteErrorKind } from '../remoteError';
import { ReplicaPool, streamChatWithReplicas, type ReplicaChatRequest, type ReplicaChatResult } from '../replicas';
import { chunkJson, frame, sseStream, startFaultServer, type FaultServer, type ScriptedResponse } from './faultServer';

export const SSE = { 'content-type': 'text/event-stream' };
export const RESET_HINT = "the server may have crashed or restarted, or a proxy in between dropped the request; check the server's log";
/** Longer than any run here may take: a run that ends before it ended because of Stop, not of the fault. */
export const STALL_END_MS = 20_000;
export const LONG = { connectMs: STALL_END_MS, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS };

export const ok = (tokens = ['Tides', ' rise']) => sseStream({ tokens });
export const times = (n: number, r: ScriptedResponse) => Array.from({ length: n }, () => r);
export const UTF8_TEXT = ['长江', '后浪', '推前浪', ' 🌊🚀', ' 👩‍💻 done'];
export const TEN_MB = 10 * 1024 * 1024;
let bigFrame: string | null = null;
export const tenMbEvent = () => (bigFrame ??= frame(chunkJson({ content: 'x'.repeat(TEN_MB) })));

/** Stop is pressed `delayMs` after the server received request number `request`, or after the first delta. */
export type StopAt = { request: number; delayMs: number } | { firstDelta: true; delayMs: number };

export interface Row {
  fault: string;
  script: () => ScriptedResponse[];
  req?: Partial<ReplicaChatRequest>;
  /** Runs one request to completion first, so the measured one goes out on a reused keep-alive socket. */
  warm?: boolean;
  /** A recovery: the text it ends with; or an error: its kind and what its message must say. */
  text?: string;
  kind?: RemoteErrorKind;
  says?: RegExp;
  /** What the message tells the user to check, where it is not the kind's usual hint. */
  hint?: string;
  attempts: number;
  check?: (s: FaultServer, r: ReplicaChatResult | RemoteError) => void | Promise<void>;
  /** The same fault, made to last: Stop must end it. */
  stop: { script: () => ScriptedResponse[]; at: StopAt; req?: Partial<ReplicaChatRequest> };
}

/** What a family's extra through-the-core tests get: the suite's core, a fault server, a remote run. */
export interface CoreTools {
  core(): Core;
  serve(row: Row, script: ScriptedResponse[]): Promise<FaultServer>;
  remoteRun(row: Row, s: FaultServer, maxRetries: number): Promise<string>;
}

const BASE: ReplicaChatRequest = {
  model: 'test-model',
  messages: [{ role: 'user', content: 'Tell me about tides' }],
  timeouts: { connectMs: 10_000, firstTokenMs: 10_000, idleMs: 10_000 },
  maxRetries: 2,
  retry: { baseDelayMs: 20, maxDelayMs: 40 },
};

let servers: FaultServer[] = [];

async function serve(row: Row, script: ScriptedResponse[]): Promise<FaultServer> {
  const s = await startFaultServer(script, row.warm ? { keepAliveTimeoutMs: 5_000 } : {});
  servers.push(s);
  return s;
}

async function run(row: Row, s: FaultServer, extra: Partial<ReplicaChatRequest>, signal?: AbortSignal, onDelta?: (d: string) => void): Promise<unknown> {
  const pool = new ReplicaPool([s.baseUrl], { cooldownMs: 0 });
  const req = { ...BASE, ...row.req, ...extra, signal };
  if (row.warm) {
    await streamChatWithReplicas(pool, { ...req, signal: undefined });
    // The warm-up's connection is back in the pool once its answer ended on the server.
    await expect.poll(() => s.requests[0]?.finished).toBe(true);
  }
  return streamChatWithReplicas(pool, req, onDelta).catch((e: unknown) => e);
}

interface Outcome {
  outcome: string;
  requests: number;
  said: string;
  stopMs?: number;
  coreStopMs?: number;
}
const matrix = new Map<string, Outcome>();
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');

export function runFaultMatrix(family: string, rows: Row[], more: { throughCore?: (t: CoreTools) => void } = {}): void {
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  describe(`remote fault matrix, ${family} (streamChatWithReplicas)`, () => {
    it.each(rows)('$fault', async (row) => {
      // 1. The fault as it happens: a recovery, or a typed error naming the URL, what happened and what to check.
      const s = await serve(row, row.script());
      const out = await run(row, s, {});
      const url = `POST ${s.baseUrl}/chat/completions`;
      if (row.kind) {
        expect(out).toBeInstanceOf(RemoteError);
        const e = out as RemoteError;
        expect({ kind: e.kind, attempts: e.attempts }).toEqual({ kind: row.kind, attempts: row.attempts });
        expect(e.message.startsWith(`${url}: `)).toBe(true);
        expect(e.message).toMatch(row.says!);
        // What to check: the kind's hint, or one more specific to the fault.
        const hint = row.hint ?? hintFor(e.kind);
        if (hint) expect(e.message.toLowerCase()).toContain(hint.toLowerCase());
        const outcome = `error \`${e.kind}\` (${e.code}${e.status ? `, HTTP ${e.status}` : ''})`;
        matrix.set(row.fault, { outcome, requests: e.attempts, said: cell(e.message) });
      } else {
        if (out instanceof Error) throw out;
        const r = out as ReplicaChatResult;
        expect({ text: r.text, attempts: r.attempts }).toEqual({ text: row.text, attempts: row.attempts });
        const outcome = `recovered (${r.ending === 'done' ? '[DONE]' : r.ending === 'eof' ? 'end of body' : 'cut at max_tokens'})`;
        matrix.set(row.fault, { outcome, requests: r.attempts, said: `text "${cell(r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text)}"` });
      }
      await row.check?.(s, out as ReplicaChatResult | RemoteError);

      // 2. The same fault, made to last: Stop ends it, well before the server or a timer would.
      const ac = new AbortController();
      let stoppedAt = 0;
      const stop = () => {
        stoppedAt = performance.now();
        ac.abort();
      };
      const at = row.stop.at;
      let firstDelta = false;
      const onDelta = () => {
        if ('firstDelta' in at && !firstDelta) setTimeout(stop, at.delayMs);
        firstDelta = true;
      };
      const s2 = await serve(row, row.stop.script());
      const stopRun = run(row, s2, { ...LONG, ...row.stop.req }, ac.signal, onDelta);
      if ('request' in at) {
        await expect.poll(() => s2.requests.length, { timeout: 10_000, interval: 5 }).toBeGreaterThanOrEqual(at.request);
        setTimeout(stop, at.delayMs);
      }
      const stopped = await stopRun;
      const stopMs = performance.now() - stoppedAt;
      expect(stoppedAt).toBeGreaterThan(0);
      expect(stopped).toBeInstanceOf(RemoteError);
      expect((stopped as RemoteError).kind).toBe('cancelled');
      expect(stopMs).toBeLessThan(STALL_END_MS / 2);
      matrix.get(row.fault)!.stopMs = stopMs;
    });
  });

  describe(`the same ${family} faults through the core: runs.start on a remote target, Stop = runs.cancel`, () => {
    let c: Core;
    // Subscribed once, before any run starts: when each run's first chunk and its end were seen.
    const firstChunkAt = new Map<string, number>();
    const finishedAt = new Map<string, number>();
    beforeAll(() => {
      c = openTestCore();
      c.on('runs.chunk', (p) => void (firstChunkAt.has(p.runId) || firstChunkAt.set(p.runId, performance.now())));
      c.on('runs.finished', (p) => void finishedAt.set(p.id, performance.now()));
    });
    afterAll(() => c.close());

    const remoteRun = async (row: Row, s: FaultServer, maxRetries: number) => {
      const t = await c.invoke('targets.add', { name: 'fault matrix', baseUrls: [s.baseUrl], timeouts: LONG, maxRetries });
      const start = async (userMessage: string) => (await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'test-model' }, userMessage })).runId;
      if (row.warm) {
        await c.runs.wait(await start('warm up'));
        await expect.poll(() => s.requests[0]?.finished).toBe(true);
      }
      return start('Tell me about tides');
    };

    it.each(rows)('$fault: a run stuck in it is stopped', async (row) => {
      const s = await serve(row, row.stop.script());
      const runId = await remoteRun(row, s, row.stop.req?.maxRetries ?? row.req?.maxRetries ?? 2);
      const at = row.stop.at;
      if ('request' in at) await expect.poll(() => s.requests.length, { timeout: 10_000, interval: 5 }).toBeGreaterThanOrEqual(at.request);
      else await expect.poll(() => firstChunkAt.has(runId), { timeout: 10_000, interval: 5 }).toBe(true);
      await new Promise((r) => setTimeout(r, at.delayMs));
      const t0 = performance.now();
      await c.invoke('runs.cancel', { runId });
      const rec = await c.runs.wait(runId);
      const ms = finishedAt.get(runId)! - t0;
      expect({ stopReason: rec.stopReason, error: rec.error }).toEqual({ stopReason: 'abort', error: null });
      // Stop keeps what streamed before it, and drops the request so the server stops generating.
      if ('firstDelta' in at) expect(rec.output.length).toBeGreaterThan(0);
      expect(ms).toBeLessThan(STALL_END_MS / 2);
      const last = s.requests.at(-1)!;
      if (!last.finished) await expect.poll(() => last.closedByClient, { timeout: 5_000 }).toBe(true);
      matrix.get(row.fault)!.coreStopMs = ms;
    });

    more.throughCore?.({ core: () => c, serve, remoteRun });

  });

  afterAll(() => {
    const ms = (v?: number) => (v === undefined ? '–' : `${v.toFixed(1)} ms`);
    const lines = [...matrix].map(([fault, o]) => `| ${cell(fault)} | ${o.outcome} | ${o.requests} | ${o.said} | ${ms(o.stopMs)} | ${ms(o.coreStopMs)} |`);
    const header = '| fault | outcome | requests | error message / result | Stop → cancelled (client) | Stop → run ended (runs.cancel) |';
    console.log(['', header, '|---|---|---|---|---|---|', ...lines].join('\n'));
  });
}
