// `lamplight bench` — serving benchmarks measured as vLLM's benchmark_serving measures them. Either an
// OpenAI-compatible URL given on the command line (no stored target needed), or a BenchDefinition file.
//
// --target-url: the core is opened on the CLI's data folder with an in-memory key store, a temporary remote
// target is added for the run and removed afterwards; the key lives only in this process's memory (never
// in SQLite, the key file, the output or the stored runs).
import { readFileSync, writeFileSync } from 'node:fs';
import { BenchDefinition, type BenchDefinitionInput, type BenchResult, type BenchRun, type LoadShapeInput, type WorkloadInput } from '../shared/bench.schema';
import { createCore, type Core } from '../core/createCore';
import { FileSecretStore } from '../core/secrets/secretStore';
import { adHocSecrets } from './adHocSecrets';
import { parseFlags, UsageError, type CliContext, type Command } from './main';

function num(name: string, v: string | undefined, int = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'}, got "${v}"`);
  return n;
}

/** A JSON array of strings, JSONL of strings or {prompt}, or one prompt per non-empty line. */
export function readPrompts(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const arr = JSON.parse(trimmed) as unknown[];
    return arr.map((x) => (typeof x === 'string' ? x : String((x as { prompt?: unknown }).prompt ?? '')));
  }
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      if (!/^\s*[{"]/.test(l)) return l;
      try {
        const v = JSON.parse(l) as unknown;
        return typeof v === 'string' ? v : String((v as { prompt?: unknown }).prompt ?? l);
      } catch {
        return l;
      }
    });
}

/** The per-cell JSON: vLLM's result keys where it has them. */
export function cellJson(r: BenchResult) {
  return {
    target: r.targetLabel,
    targetKey: r.targetKey,
    load: r.load,
    completed: r.completed,
    failed: r.failed,
    durationSec: r.durationSec,
    totalInputTokens: r.totalInputTokens,
    totalOutputTokens: r.totalOutputTokens,
    requestThroughput: r.requestThroughput,
    outputThroughput: r.outputThroughput,
    totalTokenThroughput: r.totalTokenThroughput,
    goodput: r.goodput,
    goodputPct: r.goodputPct,
    ttftMs: r.ttftMs,
    tpotMs: r.tpotMs,
    itlMs: r.itlMs,
    e2elMs: r.e2elMs,
    ppTokPerSec: r.ppTokPerSec,
    tgTokPerSec: r.tgTokPerSec,
    errors: r.errors,
  };
}

function summaryText(run: BenchRun): string {
  const f = (n: number | null, d = 2) => (n === null ? '—' : n.toFixed(d));
  const out: string[] = [];
  for (const r of run.results) {
    const load = r.load.kind === 'concurrency' ? `concurrency ${r.load.concurrency}` : `${r.load.requestsPerSec} req/s`;
    out.push(
      `============ ${r.targetLabel} · ${load} ============`,
      `Successful requests:            ${r.completed}`,
      `Failed requests:                ${r.failed}`,
      `Benchmark duration (s):         ${f(r.durationSec)}`,
      `Total input tokens:             ${r.totalInputTokens}`,
      `Total generated tokens:         ${r.totalOutputTokens}`,
      `Request throughput (req/s):     ${f(r.requestThroughput)}`,
      `Output token throughput (tok/s): ${f(r.outputThroughput)}`,
      `Total token throughput (tok/s): ${f(r.totalTokenThroughput)}`,
      `Request goodput (req/s):        ${f(r.goodput)}`,
      ...(['ttftMs', 'tpotMs', 'itlMs', 'e2elMs'] as const).map((k) => `${k.replace('Ms', '').toUpperCase().padEnd(5)} ms  mean ${f(r[k].mean)}  median ${f(r[k].median)}  p99 ${f(r[k].p99)}`),
      ...(r.ppTokPerSec !== null ? [`pp / tg (tok/s):                ${f(r.ppTokPerSec, 1)} / ${f(r.tgTokPerSec, 1)}`] : []),
      ...r.errors.map((e) => `! ${e}`),
    );
  }
  out.push(`State: ${run.state}${run.error ? ` (${run.error})` : ''}`);
  return out.join('\n') + '\n';
}

async function runBench(core: Core, def: BenchDefinitionInput, ctx: CliContext, json: boolean, outFile: string | undefined): Promise<number> {
  const parsed = BenchDefinition.safeParse(def);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`).join('; '));
  const off = json
    ? () => undefined
    : core.on('bench.progress', (p) => {
        if (p.cell) ctx.err(`\r${p.cell}: ${p.done}${p.total !== null ? `/${p.total}` : ''} requests`);
      });
  const { benchId } = await core.invoke('bench.start', parsed.data);
  const stop = () => void core.invoke('bench.cancel', { benchId });
  process.once('SIGINT', stop);
  let run: BenchRun;
  try {
    run = await core.bench.wait(benchId);
  } finally {
    process.off('SIGINT', stop);
    off();
  }
  if (!json) ctx.err('\n');
  const report = { benchId, name: run.name, state: run.state, error: run.error, results: run.results.map(cellJson) };
  if (outFile) writeFileSync(outFile, JSON.stringify({ ...report, run }, null, 2) + '\n');
  ctx.out(json ? JSON.stringify(report, null, 2) + '\n' : summaryText(run));
  const ok = run.state === 'done' && run.results.every((r) => r.completed > 0);
  return ok ? 0 : 1;
}

export const benchCommand: Command = {
  summary: 'benchmark a serving endpoint or local model (vLLM benchmark_serving metrics)',
  usage: [
    'Usage: lamplight bench --target-url URL --model NAME [--key K] --requests N --concurrency C',
    '                       [--input-len L --output-len L | --prompts FILE] [--rate R] [--json] [--out FILE]',
    '       lamplight bench --config FILE.json [--json] [--out FILE]',
    '',
    '  --target-url URL   an OpenAI-compatible base URL (e.g. http://host:8000/v1); nothing is stored',
    '  --model NAME       the model name the server serves',
    '  --key K            API key (or set LAMPLIGHT_BENCH_KEY); kept in memory only, never printed',
    '  --requests N       measured requests (default 50)      --warmup N   warm-up requests (default 2)',
    '  --concurrency C    requests in flight (default 1); with --rate: the cap',
    '  --rate R           Poisson arrivals at R requests/s (seeded by --seed, default 0)',
    '  --input-len L      synthetic prompts of L tokens, counted by the server (/tokenize) where it can (default 128)',
    '  --output-len L     tokens asked per request (max_tokens; default 64)',
    '  --prompts FILE     prompts instead: JSON array, JSONL ({"prompt": …} or strings), or one per line',
    '  --slo-ttft MS --slo-tpot MS --slo-e2el MS   goodput SLOs (defaults 1000 / 50 / none)',
    '  --config FILE      a BenchDefinition (JSON) naming stored targets or local models',
    '  --json             print the results as JSON     --out FILE   also write the JSON report there',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, {
      'target-url': { type: 'string' },
      model: { type: 'string' },
      key: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      'input-len': { type: 'string' },
      'output-len': { type: 'string' },
      prompts: { type: 'string' },
      'slo-ttft': { type: 'string' },
      'slo-tpot': { type: 'string' },
      'slo-e2el': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
    });
    const json = values.json === true;
    if (values.config) {
      if (values['target-url']) throw new UsageError('give --config or --target-url, not both');
      let def: BenchDefinitionInput;
      try {
        def = JSON.parse(readFileSync(values.config, 'utf8')) as BenchDefinitionInput;
      } catch (e) {
        throw new UsageError(`--config: ${(e as Error).message}`);
      }
      return runBench(ctx.openCore(), def, ctx, json, values.out);
    }
    const url = values['target-url'];
    if (!url) throw new UsageError('give --target-url URL (with --model) or --config FILE');
    if (!values.model) throw new UsageError('--model is required with --target-url');
    if (values.prompts && values['input-len']) throw new UsageError('give --prompts or --input-len, not both');
    const outputLen = num('output-len', values['output-len'], true);
    const workload: WorkloadInput = values.prompts
      ? { kind: 'prompts', prompts: readPrompts(values.prompts), ...(outputLen !== undefined ? { outputLen } : {}) }
      : { kind: 'synthetic', inputLen: num('input-len', values['input-len'], true), outputLen: outputLen ?? 64, seed: num('seed', values.seed, true) ?? 0 };
    const concurrency = num('concurrency', values.concurrency, true);
    const rate = num('rate', values.rate);
    const load: LoadShapeInput = rate !== undefined ? { kind: 'rate', requestsPerSec: rate, maxConcurrency: concurrency ?? null, seed: num('seed', values.seed, true) ?? 0 } : { kind: 'concurrency', concurrency: concurrency ?? 1 };
    const key = values.key ?? process.env.LAMPLIGHT_BENCH_KEY ?? null;

    const core = createCore({ dataDir: ctx.dataDir, version: ctx.version, transport: 'browser-host', secrets: adHocSecrets(new FileSecretStore(ctx.dataDir)) });
    let targetId: string | null = null;
    try {
      const t = await core.invoke('targets.add', { name: `bench ${new URL(url).host}`, baseUrls: [url], apiKey: key, maxRetries: 0 });
      targetId = t.id;
      return await runBench(
        core,
        {
          name: `bench ${values.model} @ ${new URL(url).host}`,
          targets: [{ target: { kind: 'remote', targetId: t.id, model: values.model }, label: values.model }],
          workload,
          loads: [load],
          requests: num('requests', values.requests, true),
          warmupRequests: num('warmup', values.warmup, true),
          slo: { ttftMs: num('slo-ttft', values['slo-ttft']) ?? 1000, tpotMs: num('slo-tpot', values['slo-tpot']) ?? 50, e2elMs: num('slo-e2el', values['slo-e2el']) ?? null },
        },
        ctx,
        json,
        values.out,
      );
    } finally {
      if (targetId) await core.invoke('targets.remove', { targetId }).catch(() => undefined);
      await core.close();
    }
  },
};
