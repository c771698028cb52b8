// `lamplight eval`: runs a stored evaluation, or one defined in a JSON file, headless over createCore();
// prints a summary table and the A/B verdicts, writes JSON/CSV, and exits 1 when a threshold fails — a CI
// gate for prompts.
import { writeFileSync } from 'node:fs';
import type { EvalColumn, EvalProgress } from '../shared/evals.schema';
import { CoreError } from '../core/errors';
import type { EvalExport } from '../core/evals/evalResults';
import { definitionFromConfig, readEvalConfig } from './evalConfig';
import { parseFlags, UsageError, type CliContext, type Command } from './main';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? '—' : `${Math.round(x)} ms`);
const num = (x: number | null) => (x === null ? '—' : x.toFixed(1));

function table(head: string[], rows: string[][], right: ReadonlySet<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export function summaryText(r: EvalExport): string {
  const cols = r.eval.columns;
  const rows = r.stats.map((s, i) => {
    const c = cols[i] as EvalColumn;
    return [c.promptName, `v${c.versionNumber}`, c.targetName, `${s.passed}/${s.n}`, pct(s.passRate), String(s.errors), ms(s.meanTtftMs), ms(s.meanE2eMs), num(s.meanCompletionTokens)];
  });
  let out = table(['PROMPT', 'VERSION', 'TARGET', 'PASSED', 'PASS RATE', 'ERRORS', 'TTFT', 'E2E', 'TOKENS'], rows, new Set([3, 4, 5, 6, 7, 8]));
  const name = (versionId: string) => {
    const c = cols.find((x) => x.versionId === versionId);
    return c ? `"${c.promptName}" v${c.versionNumber}` : versionId;
  };
  for (const c of r.comparisons) {
    const target = cols.find((x) => x.targetKey === c.targetKeyA)?.targetName ?? c.targetKeyA;
    out += `\nA/B ${name(c.versionA)} (A) vs ${name(c.versionB)} (B) on ${target}: ${c.verdict}\n  ${c.explanation}\n`;
  }
  return out;
}

function progressLine(p: EvalProgress): string {
  const width = 24;
  const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}  ${p.passed} passed  ${p.failed} failed  ${p.errors} errors  ${p.running} running `;
}

function rate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--min-pass-rate must be a number from 0 to 1, got "${v}"`);
  return n;
}

async function runEval(ctx: CliContext, values: { config?: string; id?: string; json?: string; csv?: string; minPassRate?: number }): Promise<number> {
  // Read and check the file before opening the database: a usage error changes nothing.
  const config = values.config !== undefined ? readEvalConfig(values.config) : null;
  const core = ctx.openCore();
  // Waiting for the end and the results with a threshold override have no command; the rest goes through the contract.
  const evals = core.evals;
  let evalId = values.id as string;
  if (config && values.config !== undefined) {
    const definition = await definitionFromConfig(core, config, values.config);
    try {
      evalId = (await core.invoke('evals.create', definition)).id;
    } catch (e) {
      // The file describes something that cannot run (missing variables, no target, …): a usage error.
      if (e instanceof CoreError && (e.code === 'BAD_INPUT' || e.code === 'NOT_FOUND')) throw new UsageError(`--config "${values.config}": ${e.message}`);
      throw e;
    }
  } else {
    try {
      await core.invoke('evals.get', { evalId });
    } catch (e) {
      if (e instanceof CoreError && e.code === 'NOT_FOUND') throw new UsageError(`--id: ${e.message}`);
      throw e;
    }
  }

  const tty = process.stderr.isTTY === true;
  const off = core.on('evals.progress', (p) => {
    if (p.evalId === evalId && tty) ctx.err(progressLine(p));
  });
  const stop = () => void core.invoke('evals.cancel', { evalId });
  process.once('SIGINT', stop);
  let info;
  try {
    const started = await core.invoke('evals.start', { evalId });
    ctx.err(`Evaluation ${evalId}: ${started.total} cells${started.skipped ? `, ${started.skipped} already stored` : ''}\n`);
    info = await evals.wait(evalId);
  } finally {
    process.off('SIGINT', stop);
    off();
    if (evals.isRunning(evalId)) evals.close();
  }
  if (tty) ctx.err('\n');

  const results = evals.resultsJson(evalId, values.minPassRate);
  ctx.out(summaryText(results));
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
  if (values.csv) await core.invoke('evals.export', { evalId, format: 'csv', path: values.csv });

  const resume = `resume with: lamplight eval --id ${evalId}`;
  if (info.status === 'cancelled') {
    ctx.err(`Cancelled; ${resume}\n`);
    return 1;
  }
  const t = results.thresholds;
  if (!t.complete) {
    const errors = results.stats.reduce((s, x) => s + x.errors, 0);
    ctx.err(`FAIL: ${errors} cell(s) failed to run (see "error" in the results); ${resume}\n`);
  }
  for (const f of t.failures) ctx.err(`FAIL: threshold minPassRate: ${f.message}\n`);
  if (t.passed) ctx.err(t.minPassRate === null ? 'OK: every cell ran (no threshold set)\n' : `OK: every version × target passes at least ${pct(t.minPassRate)}\n`);
  return t.passed ? 0 : 1;
}

export const evalCommand: Command = {
  summary: 'run an evaluation (prompt versions × targets × test rows) and gate on its thresholds',
  usage: [
    'Usage: lamplight eval --config FILE.json [--json OUT] [--csv OUT] [--min-pass-rate X]',
    '       lamplight eval --id EVAL_ID [--json OUT] [--csv OUT] [--min-pass-rate X]',
    '',
    'Runs every prompt version on every target for every test row, checks each output, and prints pass',
    'rate, latency and tokens per version × target, plus an A/B verdict (McNemar + paired bootstrap) of',
    'each later version against the first. Each --config run is stored as a new evaluation; --id runs a',
    'stored one, skipping cells already stored (so it resumes one that was cancelled or interrupted).',
    '',
    '  --config FILE        the evaluation, as JSON (below)',
    '  --id EVAL_ID         a stored evaluation',
    '  --json OUT           write stats, thresholds, comparisons and every row with its outputs as JSON',
    '  --csv OUT            write one CSV line per cell',
    '  --min-pass-rate X    every version × target must pass at least X (0–1); overrides the file',
    '',
    'Exit status: 0 every cell ran and every threshold passed; 1 a threshold failed (named on stderr), a',
    'cell failed to run, or the run was cancelled; 2 a usage error (flags, or a config that cannot run).',
    '',
    'Config file (paths are relative to it):',
    '  {',
    '    "name": "summaries",',
    '    "prompts": [',
    '      { "name": "Summarizer", "messages": [{ "role": "system", "content": "Be brief." },',
    '                                           { "role": "user", "content": "Summarize {{text}}" }],',
    '        "params": { "temperature": 0, "maxTokens": 128 } },',
    '      { "versionId": "01J…" }',
    '    ],',
    '    "targets": [',
    '      { "model": "models/qwen.gguf", "settings": { "contextSize": 4096 } },',
    '      { "targetUrl": "http://gpu-1:8000/v1", "model": "qwen", "keyEnv": "VLLM_KEY" }',
    '    ],',
    '    "tests": [{ "vars": { "text": "…" }, "expected": "…", "label": "…" }],',
    '    "assertions": [{ "type": "contains", "value": "{{keyword}}" }, { "type": "maxLatency", "ms": 5000 }],',
    '    "judge": { "rubric": "Faithful and brief?", "min": 7, "target": { "model": "models/judge.gguf" } },',
    '    "concurrency": { "local": 1, "remote": 4 },',
    '    "thresholds": { "minPassRate": 0.8 }',
    '  }',
    '',
    '  prompts     a prompt by name with its content (messages, and optionally params, persona, context,',
    '              output, examples, chainOfThought, target) is created, or gets a new version when its',
    '              latest differs, or is reused as is; or { "versionId" } of a stored version',
    '  targets     { "model": FILE_OR_ID } adds and loads a local GGUF model (CPU unless settings say);',
    '              { "targetUrl", "model", "key" | "keyEnv" } adds (or reuses) an OpenAI-compatible server;',
    '              omit targets to run each version on the target saved in it',
    '  tests       inline rows, or { "testSetPath": FILE }: .csv or .jsonl read like a test set import',
    '              (columns named expected/answer/output and label/class are not variables), or .json',
    '              holding an array of { "vars", "expected", "label" }',
    '  assertions  equals, contains, notContains, regex, isJson, jsonSchema, numeric, classification,',
    '              maxLatency, bleu, rouge — values may use the row\'s {{variables}}',
    '  judge       a rubric scored "SCORE: N/10" by a model (target spec as above); a reply without a',
    '              readable score fails the check',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, {
      config: { type: 'string' },
      id: { type: 'string' },
      json: { type: 'string' },
      csv: { type: 'string' },
      'min-pass-rate': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if ((values.config === undefined) === (values.id === undefined)) throw new UsageError('give --config FILE or --id EVAL_ID (one of them)');
    return runEval(ctx, { config: values.config, id: values.id, json: values.json, csv: values.csv, minPassRate: rate(values['min-pass-rate']) });
  },
};
