// bench:eval — evaluation throughput: Lamplight's eval runner (createCore → evals.create/start/wait, a remote
// target) against promptfoo's evaluate() on the same N cases, the same zero-latency OpenAI-compatible server
// on loopback, the same concurrency. The server runs in a child process, so neither side shares a thread with
// it. Each side warms up on a few cases; then rounds interleave (Lamplight, promptfoo, Lamplight, …) and the
// ratio is the median of the per-round ratios, so one slow round of either side cannot make it.
//   npm run bench:eval -- [--json] [--cases N] [--concurrency N] [--rounds N≥5] [--only lamplight]
// `--only lamplight` skips promptfoo (for profiling: node --cpu-prof --import tsx bench/eval.bench.ts …).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openTestCore } from '../src/core/testing/testCore';
import { progressLog } from './benchUtil';
import type { FromServer, ToServer } from './loopbackChatServer';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    cases: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const positiveInt = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench:eval: --${name} must be an integer ≥ ${min} (got "${v}")\n`);
    process.exit(2);
  }
  return n;
};
const cases = positiveInt('cases', values.cases, 1);
const concurrency = positiveInt('concurrency', values.concurrency, 1);
// A median of fewer rounds is one noisy round away from any figure.
const rounds = positiveInt('rounds', values.rounds, 5);
if (values.only !== undefined && values.only !== 'lamplight') {
  process.stderr.write(`bench:eval: --only takes "lamplight" (got "${values.only}")\n`);
  process.exit(2);
}
const lamplightOnly = values.only === 'lamplight';
const TARGET_RATIO = 3;
const WARMUP_CASES = 100; // enough for both sides' JIT and connection pools to settle
const MODEL = 'bench-model';
const REPLY = 'ok, done';
const log = progressLog(values.json);
// promptfoo logs to stdout; with --json only the result goes there.
const writeStdout = process.stdout.write.bind(process.stdout);
if (values.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const median = (xs: readonly number[]) => {
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

// --- the zero-latency server, in its own process: neither side shares a thread with it ---
const serverProc: ChildProcess = fork(fileURLToPath(new URL('./loopbackChatServer.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, BENCH_MODEL: MODEL, BENCH_REPLY: REPLY },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const serverExited = new Promise<void>((resolve) => serverProc.once('exit', () => resolve()));
let countSeq = 0;
/** Resolves with the first message the server sends that passes the filter (or rejects when it dies first). */
function fromServer<T extends FromServer>(accept: (m: FromServer) => m is T, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromServer) => {
      if (!accept(m)) return;
      off();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      off();
      reject(new Error(`the loopback server exited (code ${code}) before ${what}`));
    };
    const off = () => {
      serverProc.off('message', onMessage);
      serverProc.off('exit', onExit);
    };
    serverProc.on('message', onMessage);
    serverProc.once('exit', onExit);
  });
}
const { port } = await fromServer((m): m is Extract<FromServer, { type: 'listening' }> => m.type === 'listening', 'it listened');
const baseUrl = `http://127.0.0.1:${port}/v1`;
/** The number of chat requests the server has answered so far. */
async function received(): Promise<number> {
  const seq = ++countSeq;
  const reply = fromServer((m): m is Extract<FromServer, { type: 'count' }> => m.type === 'count' && m.seq === seq, 'it reported its count');
  serverProc.send({ type: 'count', seq } satisfies ToServer);
  return (await reply).count;
}
const closeServer = async () => {
  if (serverProc.connected) serverProc.disconnect();
  await serverExited;
};

const cpuMsSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ q: `question ${i}` }));

interface Sample {
  seconds: number;
  /** CPU time of this process (main thread and its workers; not the server's) during the round. */
  cpuMs: number;
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
  const before = await received();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
  const cpuMs = cpuMsSince(cpu0);
  if (info.status !== 'done' || info.errors > 0) throw new Error(`lamplight: evaluation ended ${info.status} with ${info.errors} errors`);
  return { seconds, cpuMs, requests: (await received()) - before, passed: info.passed };
}

// --- promptfoo: evaluate() with an openai:chat provider at the same server, cache off ---
type PromptfooModule = {
  evaluate: (suite: unknown, options?: unknown) => Promise<unknown>;
  cache?: { disableCache?: () => void };
};
let promptfoo: PromptfooModule | null = null;
let promptfooError: string | null = null;
try {
  if (lamplightOnly) throw new Error('skipped (--only lamplight)');
  const mod = (await import('promptfoo')) as unknown as { default?: PromptfooModule } & PromptfooModule;
  promptfoo = mod.default ?? mod;
  promptfoo.cache?.disableCache?.();
} catch (e) {
  promptfooError = lamplightOnly ? 'not run (--only lamplight)' : `cannot load promptfoo (npm install -D promptfoo@~0.121): ${e instanceof Error ? e.message : String(e)}`;
}

async function promptfooRound(n: number): Promise<Sample> {
  if (!promptfoo) throw new Error(promptfooError ?? 'promptfoo not loaded');
  const before = await received();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
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
  const cpuMs = cpuMsSince(cpu0);
  const s = (typeof summary.toEvaluateSummary === 'function' ? await summary.toEvaluateSummary() : summary) as {
    stats?: { successes?: number; failures?: number; errors?: number };
  };
  const stats = s.stats ?? {};
  if ((stats.errors ?? 0) > 0 || (stats.failures ?? 0) > 0) {
    throw new Error(`promptfoo: ${stats.successes ?? '?'} passed, ${stats.failures ?? '?'} failed, ${stats.errors ?? '?'} errors`);
  }
  return { seconds, cpuMs, requests: (await received()) - before, passed: stats.successes ?? 0 };
}

const lamplight: Sample[] = [];
const pf: Sample[] = [];
const rps = (x: Sample) => cases / x.seconds;
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
    const l = await lamplightRound(cases);
    lamplight.push(l);
    const p = promptfooError === null ? await promptfooRound(cases) : null;
    if (p) pf.push(p);
    log(`round ${i}: lamplight ${l.seconds.toFixed(2)} s (${rps(l).toFixed(0)} rps)` + (p ? ` · promptfoo ${p.seconds.toFixed(2)} s (${rps(p).toFixed(0)} rps) · ratio ${(rps(l) / rps(p)).toFixed(2)}` : ''));
  }
  const side = (xs: Sample[]) => ({
    medianRps: Number(median(xs.map(rps)).toFixed(1)),
    rps: xs.map((x) => Number(rps(x).toFixed(1))),
    seconds: xs.map((x) => Number(x.seconds.toFixed(3))),
    // Less sensitive to other processes than wall time: what one case costs this side in CPU.
    cpuMsPerCase: xs.map((x) => Number((x.cpuMs / cases).toFixed(3))),
    requests: xs.map((x) => x.requests),
  });
  const l = side(lamplight);
  const lamplightComplete = lamplight.every((x) => x.requests === cases && x.passed === cases);
  if (promptfooError !== null) {
    result = { cases, concurrency, rounds, lamplight: l, promptfoo: { error: promptfooError }, ratio: null, target: TARGET_RATIO, pass: false };
    exitCode = lamplightOnly && lamplightComplete ? 0 : 1;
  } else {
    const p = side(pf);
    const promptfooComplete = pf.every((x) => x.requests === cases && x.passed === cases);
    // Round i's ratio compares the two sides run back to back, under the same load.
    const roundRatios = lamplight.map((x, i) => rps(x) / rps(pf[i] as Sample));
    const ratio = Number(median(roundRatios).toFixed(3));
    const pass = ratio >= TARGET_RATIO && lamplightComplete && promptfooComplete;
    result = {
      cases,
      concurrency,
      rounds,
      lamplight: l,
      promptfoo: p,
      roundRatios: roundRatios.map((r) => Number(r.toFixed(3))),
      ratio,
      ratioOfMedians: Number((l.medianRps / p.medianRps).toFixed(3)),
      // CPU per case, promptfoo's over Lamplight's, per round: a cross-check that other processes sway less.
      cpuRatio: Number(median(lamplight.map((x, i) => (pf[i] as Sample).cpuMs / x.cpuMs)).toFixed(3)),
      target: TARGET_RATIO,
      pass,
      complete: { lamplight: lamplightComplete, promptfoo: promptfooComplete },
    };
    if (!lamplightComplete || !promptfooComplete) exitCode = 1;
  }
} catch (e) {
  result = { cases, concurrency, rounds, error: e instanceof Error ? e.message : String(e), pass: false };
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
