// bench:server — Lamplight's OpenAI-compatible API server against llama.cpp's llama-server: same model,
// threads, parallel slots and context per request, greedy, a fixed max_tokens with end-of-sequence ignored,
// the same plain streaming client. Both servers stay up; only one is loaded at a time (rounds interleaved,
// the median of the rounds reported).
// The native kernels must match for a fair figure: node-llama-cpp runs its prebuilt AVX-512 kernels on CPUs
// that have them, while the default llama-server build is portable (AVX2). With
// `--llama-cpu auto` (default) the bench takes the avx512 build when it exists (`npx lamplight engine
// build-server --cpu avx512`) and says which one it used; the portable one is several times slower per token.
//   npm run bench:server -- [--json] [--rounds 3] [--requests N] [--concurrency 1,2,4,8] [--max-tokens 64]
//                           [--threads 2] [--parallel 4] [--context 1024] [--model FILE] [--servers lamplight,lamplight-nogate,llama-server]
//                           [--llama-cpu auto|portable|avx512]
//   npm run bench:server -- --soak [--soak-requests 250]   250 requests at each of concurrency 1, 2, 4, 8 through
//                                    Lamplight's own remote client, to each server (see serverSoak.ts)
import { parseArgs } from 'node:util';
import { ensureBenchModel } from '../src/core/fixtures/benchModel';
import { round } from './benchUtil';
import { llamaBinary, startLamplight, startLlama, type RunningServer, type ServerSpec } from './benchServers';
import { connectionAgent, median, runLevel, streamChat, type LevelResult } from './serverClient';
import { soak } from './serverSoak';

const USAGE = `Usage: npm run bench:server -- [--json] [--rounds 3] [--requests N] [--concurrency 1,2,4,8] [--max-tokens 64]
       [--threads 2] [--parallel 4] [--context 1024] [--model FILE] [--servers lamplight,lamplight-nogate,llama-server]
       [--llama-cpu auto|portable|avx512]   llama-server's CPU kernels (auto: avx512 when built, as node-llama-cpp)
       [--repeat-penalty P]   sent to both servers (left out: each one's default, Lamplight 1.1, llama-server 1 = off)
       npm run bench:server -- --soak [--soak-requests 250]
Needs llama-server: npx lamplight engine build-server (npm test builds it too).`;

function parse() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (e) {
    process.stderr.write(`bench:server: ${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const OPTIONS = {
  json: { type: 'boolean', default: false },
  soak: { type: 'boolean', default: false },
  'soak-requests': { type: 'string', default: '250' },
  rounds: { type: 'string', default: '3' },
  requests: { type: 'string' },
  concurrency: { type: 'string', default: '1,2,4,8' },
  'max-tokens': { type: 'string', default: '64' },
  threads: { type: 'string', default: '2' },
  parallel: { type: 'string', default: '4' },
  context: { type: 'string', default: '1024' },
  model: { type: 'string' },
  servers: { type: 'string', default: 'lamplight,llama-server' },
  'llama-cpu': { type: 'string', default: 'auto' },
  'repeat-penalty': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;
const { values } = parse();
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

// Progress goes to stderr with the time of day, also with --json (stdout stays the one JSON report): the
// figures on a shared machine are read against what else ran then.
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const spec: ServerSpec = {
  model: values.model ?? (await ensureBenchModel()),
  threads: positiveInt('threads', values.threads),
  parallel: positiveInt('parallel', values.parallel),
  contextPerSlot: positiveInt('context', values.context),
  llamaCpu: llamaCpuOption(values['llama-cpu']),
};

function llamaCpuOption(v: string): ServerSpec['llamaCpu'] {
  if (v === 'auto' || v === 'portable' || v === 'avx512') return v;
  process.stderr.write(`bench:server: --llama-cpu must be auto, portable or avx512 (got "${v}")\n${USAGE}\n`);
  process.exit(2);
}

if (values.soak) {
  // process.exit runs the servers' exit hooks (they kill their children); a plain SIGINT death would not.
  process.once('SIGINT', () => process.exit(130));
  const report = await soak(spec, log, positiveInt('soak-requests', values['soak-requests']));
  console.log(JSON.stringify(report, null, values.json ? 0 : 2));
  process.exit(report.every((r) => r.failed === 0) ? 0 : 1);
}

const rounds = positiveInt('rounds', values.rounds);
const levels = values.concurrency.split(',').map((c) => positiveInt('concurrency', c.trim()));
const maxTokens = positiveInt('max-tokens', values['max-tokens']);
// Left out, each server samples with its own default (Lamplight 1.1, llama-server 1 = off); given, both get it.
const repeatPenalty = values['repeat-penalty'] !== undefined ? Number(values['repeat-penalty']) : undefined;
const requestsFor = (c: number) => (values.requests ? positiveInt('requests', values.requests) : Math.max(4, 2 * c));
const prompt = (round: number, c: number) => (i: number) => `Request ${round}.${c}.${i}: describe the tides of the northern sea in detail.`;

const llamaCpu = values.servers.includes('llama-server') ? llamaBinary(spec).cpu : null;
log(`llama-server kernels: ${llamaCpu ?? 'not measured'}`);
log(`model ${spec.model}, ${spec.threads} threads, ${spec.parallel} slots × ${spec.contextPerSlot} tokens, max_tokens ${maxTokens}, concurrency ${levels.join(',')}, ${rounds} rounds`);
const servers: RunningServer[] = [];
// Ctrl+C stops the servers too (they are child processes of this one).
process.once('SIGINT', () => void Promise.all(servers.map((s) => s.stop())).finally(() => process.exit(130)));
try {
  // Started one after the other so neither loads its model while the other is busy.
  const which = values.servers.split(',').map((x) => x.trim());
  if (which.includes('lamplight')) servers.push(await startLamplight(spec));
  // The engine without its decode gate (LAMPLIGHT_DECODE_GATE=0): the "before" of the batching fix.
  if (which.includes('lamplight-nogate')) servers.push(await startLamplight(spec, { name: 'lamplight-nogate', env: { LAMPLIGHT_DECODE_GATE: '0' } }));
  if (which.includes('llama-server')) servers.push(await startLlama(spec));
  // The CPU goes to one server at a time: the other is stopped (SIGSTOP) while this one is measured.
  const only = (s: RunningServer) => {
    for (const o of servers) if (o !== s) o.pause();
    s.resume();
  };
  for (const s of servers) {
    only(s);
    // A warm-up request each: first-use costs (page faults, allocations) are not part of the figures.
    const r = await streamChat({ baseUrl: s.baseUrl, key: s.key, model: s.model, prompt: 'warm up', maxTokens: 8, agent: connectionAgent(1) });
    if (!r.ok) throw new Error(`${s.name}: the warm-up request failed: ${r.error}`);
  }
  const samples = new Map<string, LevelResult[]>();
  for (let r = 0; r < rounds; r++) {
    // Alternate which server goes first, so a drift in machine load does not favour one.
    const order = r % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      only(s);
      for (const c of levels) {
        const res = await runLevel({ baseUrl: s.baseUrl, key: s.key, model: s.model, maxTokens, repeatPenalty }, c, requestsFor(c), prompt(r, c));
        log(`round ${r + 1} ${s.name.padEnd(12)} c=${c}: ${res.outputTokPerSec.toFixed(1)} tok/s, TTFT p50 ${res.ttftP50Ms?.toFixed(0) ?? '—'} ms${res.serverMsPerTokenP50 !== null ? ` (server timings: ${res.serverMsPerTokenP50.toFixed(1)} ms/token, prompt ${res.serverPromptMsP50?.toFixed(0) ?? '—'} ms)` : ''}${res.retries ? `, ${res.retries} resent` : ''}${res.failed ? `, ${res.failed} failed: ${res.errors.join(' | ')}` : ''}`);
        const key = `${s.name}:${c}`;
        samples.set(key, [...(samples.get(key) ?? []), res]);
      }
    }
  }
  const cell = (name: string, c: number) => {
    const xs = samples.get(`${name}:${c}`) ?? [];
    return {
      outputTokPerSec: round(median(xs.map((x) => x.outputTokPerSec)) ?? 0, 1),
      ttftP50Ms: round(median(xs.flatMap((x) => (x.ttftP50Ms === null ? [] : [x.ttftP50Ms]))) ?? NaN, 1),
      failed: xs.reduce((s, x) => s + x.failed, 0),
      resent: xs.reduce((s, x) => s + x.retries, 0),
      rounds: xs.map((x) => round(x.outputTokPerSec, 1)),
      ...(xs.some((x) => x.serverMsPerTokenP50 !== null)
        ? { serverMsPerTokenP50: round(median(xs.flatMap((x) => (x.serverMsPerTokenP50 === null ? [] : [x.serverMsPerTokenP50]))) ?? NaN, 2) }
        : {}),
    };
  };
  const table = levels.map((c) => {
    const lp = cell('lamplight', c);
    const ls = cell('llama-server', c);
    const before = samples.has(`lamplight-nogate:${c}`) ? cell('lamplight-nogate', c) : undefined;
    return {
      concurrency: c,
      lamplight: lp,
      llamaServer: ls,
      ...(before ? { lamplightNoGate: before } : {}),
      tokPerSecRatio: round(lp.outputTokPerSec / ls.outputTokPerSec, 2),
      ttftRatio: round(lp.ttftP50Ms / ls.ttftP50Ms, 2),
    };
  });
  const base = table[0];
  const gain = (name: 'lamplight' | 'llamaServer' | 'lamplightNoGate') => Object.fromEntries(table.map((t) => [`c${t.concurrency}`, base?.[name] && t[name] ? round(t[name].outputTokPerSec / base[name].outputTokPerSec, 2) : null]));
  const report = {
    model: spec.model,
    threads: spec.threads,
    parallel: spec.parallel,
    contextPerSlot: spec.contextPerSlot,
    maxTokens,
    rounds,
    /** Which llama-server build was measured: 'avx512' matches node-llama-cpp's kernels, 'portable' does not. */
    llamaServerCpu: llamaCpu,
    table,
    gainOverFirstLevel: { lamplight: gain('lamplight'), llamaServer: gain('llamaServer'), ...(table[0]?.lamplightNoGate ? { lamplightNoGate: gain('lamplightNoGate') } : {}) },
    goal: {
      tokPerSecAtLeast90pct: table.every((t) => t.tokPerSecRatio >= 0.9),
      ttftWithin10pct: table.every((t) => t.ttftRatio <= 1.1),
    },
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log('conc  lamplight tok/s  llama-server tok/s  ratio   TTFT p50 ms (lamplight / llama-server)');
    for (const t of table) {
      console.log(`${String(t.concurrency).padEnd(5)} ${String(t.lamplight.outputTokPerSec).padStart(15)} ${String(t.llamaServer.outputTokPerSec).padStart(19)}  ${String(t.tokPerSecRatio).padStart(5)}   ${t.lamplight.ttftP50Ms} / ${t.llamaServer.ttftP50Ms}`);
    }
    for (const t of table) if (t.lamplightNoGate) console.log(`c=${t.concurrency} without the decode gate: ${t.lamplightNoGate.outputTokPerSec} tok/s, TTFT p50 ${t.lamplightNoGate.ttftP50Ms} ms`);
    console.log(JSON.stringify(report.gainOverFirstLevel));
  }
} finally {
  for (const s of servers) await s.stop();
}
