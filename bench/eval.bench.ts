// bench:eval — evaluation throughput: Lamplight's eval runner (createCore → evals.create/start/wait, a remote
// target) against promptfoo's evaluate() on the same N cases, the same zero-latency OpenAI-compatible server
// on loopback, the same concurrency. Each side warms up on a few cases; rounds alternate who goes first.
//   npm run bench:eval -- [--json] [--cases N] [--concurrency N] [--rounds N]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openTestCore } from '../src/core/testing/testCore';
import { progressLog } from './benchUtil';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    cases: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
  },
});
const cases = Number(values.cases);
const concurrency = Number(values.concurrency);
const rounds = Math.max(1, Number(values.rounds));
const TARGET_RATIO = 3;
const WARMUP_CASES = 100; // enough for both sides' JIT and connection pools to settle
const MODEL = 'bench-model';
const REPLY = 'ok, done';
const log = progressLog(values.json);
// promptfoo logs to stdout; with --json only the result goes there.
const writeStdout = process.stdout.write.bind(process.stdout);
if (values.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// promptfoo offline: no telemetry, no update check, no cache, its files in a temp folder.
const pfHome = mkdtempSync(join(tmpdir(), 'lamplight-bench-promptfoo-'));
Object.assign(process.env, {
  PROMPTFOO_DISABLE_TELEMETRY: '1',
  PROMPTFOO_DISABLE_UPDATE: '1',
  PROMPTFOO_CACHE_ENABLED: 'false',
  PROMPTFOO_CONFIG_DIR: pfHome,
  PROMPTFOO_DISABLE_SHARING: '1',
  PROMPTFOO_LOG_LEVEL: process.env.PROMPTFOO_LOG_LEVEL ?? 'error',
  OPENAI_API_KEY: 'sk-bench-dummy',
});

// --- the zero-latency server: counts chat requests, answers at once (SSE when asked to stream) ---
let received = 0;
function answer(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    received++;
    let stream = false;
    try {
      stream = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean }).stream === true;
    } catch {
      // not JSON: answer non-streaming
    }
    const id = `chatcmpl-${received}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 };
    if (stream) {
      const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
      const base = { id, object: 'chat.completion.chunk', created, model: MODEL };
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(
        frame({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: REPLY }, finish_reason: null }] }) +
          frame({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage }) +
          'data: [DONE]\n\n',
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: MODEL,
          choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
          usage,
        }),
      );
    }
  });
}
const server = createServer(answer);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const closeServer = () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ q: `question ${i}` }));

interface Sample {
  seconds: number;
  requests: number;
  passed: number;
}

// --- Lamplight: a real core, a remote target at the loopback server, one prompt version, contains ---
const core = openTestCore();
const target = await core.invoke('targets.add', { name: 'loopback', baseUrls: [baseUrl], maxRetries: 0 });
const created = await core.invoke('prompts.create', {
  name: 'Bench',
  description: '',
  content: { messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0, maxTokens: 16 } },
  message: '',
  author: 'bench',
});
const versionId = created.version.id;

async function lamplightRound(n: number): Promise<Sample> {
  const before = received;
  const t0 = performance.now();
  const ev = await core.evals.create({
    name: `bench ${n}`,
    promptVersionIds: [versionId],
    targets: [{ kind: 'remote', targetId: target.id, model: MODEL }],
    testSetId: null,
    rows: rowsOf(n).map((v) => ({ variables: v, expected: null, label: null })),
    assertions: [{ type: 'contains', value: 'ok', caseSensitive: true }],
    judge: null,
    concurrency: { local: 1, remote: concurrency },
    thresholds: {},
  });
  core.evals.start(ev.id);
  const info = await core.evals.wait(ev.id);
  const seconds = (performance.now() - t0) / 1000;
  if (info.status !== 'done' || info.errors > 0) throw new Error(`lamplight: evaluation ended ${info.status} with ${info.errors} errors`);
  return { seconds, requests: received - before, passed: info.passed };
}

// --- promptfoo: evaluate() with an openai:chat provider at the same server, cache off ---
type PromptfooModule = {
  evaluate: (suite: unknown, options?: unknown) => Promise<unknown>;
  cache?: { disableCache?: () => void };
};
let promptfoo: PromptfooModule | null = null;
let promptfooError: string | null = null;
try {
  const mod = (await import('promptfoo')) as unknown as { default?: PromptfooModule } & PromptfooModule;
  promptfoo = mod.default ?? mod;
  promptfoo.cache?.disableCache?.();
} catch (e) {
  promptfooError = `cannot load promptfoo (npm install -D promptfoo@~0.121): ${e instanceof Error ? e.message : String(e)}`;
}

async function promptfooRound(n: number): Promise<Sample> {
  if (!promptfoo) throw new Error(promptfooError ?? 'promptfoo not loaded');
  const before = received;
  const t0 = performance.now();
  const summary = (await promptfoo.evaluate(
    {
      prompts: ['Answer {{q}}'],
      providers: [{ id: `openai:chat:${MODEL}`, config: { apiBaseUrl: baseUrl, apiKey: 'sk-bench-dummy', temperature: 0, max_tokens: 16 } }],
      tests: rowsOf(n).map((vars) => ({ vars, assert: [{ type: 'contains', value: 'ok' }] })),
      writeLatestResults: false,
    },
    { maxConcurrency: concurrency, cache: false, showProgressBar: false },
  )) as { toEvaluateSummary?: () => Promise<unknown> } & Record<string, unknown>;
  const seconds = (performance.now() - t0) / 1000;
  const s = (typeof summary.toEvaluateSummary === 'function' ? await summary.toEvaluateSummary() : summary) as {
    stats?: { successes?: number; failures?: number; errors?: number };
  };
  const stats = s.stats ?? {};
  if ((stats.errors ?? 0) > 0 || (stats.failures ?? 0) > 0) {
    throw new Error(`promptfoo: ${stats.successes ?? '?'} passed, ${stats.failures ?? '?'} failed, ${stats.errors ?? '?'} errors`);
  }
  return { seconds, requests: received - before, passed: stats.successes ?? 0 };
}

const lamplight: Sample[] = [];
const pf: Sample[] = [];
let exitCode = 0;
let result: Record<string, unknown>;
try {
  await lamplightRound(WARMUP_CASES);
  if (promptfoo) {
    try {
      await promptfooRound(WARMUP_CASES);
    } catch (e) {
      promptfooError = `promptfoo could not run offline: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  for (let i = 0; i < rounds; i++) {
    const pfOk = promptfooError === null;
    if (i % 2 === 1 && pfOk) pf.push(await promptfooRound(cases));
    lamplight.push(await lamplightRound(cases));
    if (i % 2 === 0 && pfOk) pf.push(await promptfooRound(cases));
    const l = lamplight[i] as Sample;
    const p = pf[i];
    log(`round ${i}: lamplight ${l.seconds.toFixed(2)} s (${(cases / l.seconds).toFixed(0)} rps)` + (p ? ` · promptfoo ${p.seconds.toFixed(2)} s (${(cases / p.seconds).toFixed(0)} rps)` : ''));
  }
  const side = (xs: Sample[]) => {
    const seconds = median(xs.map((x) => x.seconds));
    const requests = xs.map((x) => x.requests);
    return { seconds: Number(seconds.toFixed(3)), rps: Number((cases / seconds).toFixed(1)), requests: requests[0] ?? 0, rounds: xs.map((x) => Number(x.seconds.toFixed(3))), allRequests: requests };
  };
  const l = side(lamplight);
  const lamplightComplete = lamplight.every((x) => x.requests === cases && x.passed === cases);
  if (promptfooError !== null) {
    result = { cases, concurrency, lamplight: l, promptfoo: { error: promptfooError }, ratio: null, target: TARGET_RATIO, pass: false };
    exitCode = 1;
  } else {
    const p = side(pf);
    const promptfooComplete = pf.every((x) => x.requests === cases && x.passed === cases);
    const ratio = Number((l.rps / p.rps).toFixed(3));
    const pass = ratio >= TARGET_RATIO && lamplightComplete && promptfooComplete;
    result = { cases, concurrency, lamplight: l, promptfoo: p, ratio, target: TARGET_RATIO, pass, complete: { lamplight: lamplightComplete, promptfoo: promptfooComplete } };
    if (!lamplightComplete || !promptfooComplete) exitCode = 1;
  }
} catch (e) {
  result = { cases, concurrency, error: e instanceof Error ? e.message : String(e), pass: false };
  exitCode = 1;
} finally {
  await core.close();
  await closeServer();
  rmSync(pfHome, { recursive: true, force: true });
}

if (values.json) writeStdout(JSON.stringify(result, null, 2) + '\n');
else log(`\n${JSON.stringify(result)}`);
// promptfoo may leave timers or sockets behind; the bench is over.
process.exit(exitCode);
