// What an evaluation's stored cells say: stats per (version, target) from SQL, rows with their cells side
// by side, thresholds, paired A/B comparisons, and CSV/JSON exports of all of it.
import { writeFile } from 'node:fs/promises';
import {
  targetKey,
  type CheckResult,
  type EvalColumn,
  type EvalColumnStats,
  type EvalComparison,
  type EvalDefinition,
  type EvalInfo,
  type EvalResults,
  type EvalRowResult,
  type ThresholdCheck,
} from '../../shared/evals.schema';
import type { RunTarget } from '../../shared/runs.schema';
import { mcnemarExact, pairedBootstrap, verdict } from '../../shared/stats';
import { CoreError } from '../errors';
import type { EvalsRepo, StoredEval } from './evals.repo';

/** Significance level for McNemar when the row score is pass/fail. */
const ALPHA = 0.05;
const BOOTSTRAP = { resamples: 10_000, confidence: 0.95, seed: 1 } as const;

/** Judge, BLEU and ROUGE scores, each on 0–1, make the row score; without them it is pass as 0/1. */
const QUALITY_SCALE: Partial<Record<CheckResult['type'], number>> = { bleu: 100, rouge: 1 };

/**
 * The per-row number the A/B bootstrap pairs: the mean of the quality scores (judge score / scale,
 * BLEU / 100, ROUGE F; one that could not be computed counts as 0), or pass as 0/1 when the evaluation
 * has none of those checks. Latency and numeric distance are not quality, so they never count.
 */
export function rowScore(checks: readonly CheckResult[], pass: boolean, judgeScale: number | null): number {
  const quality = checks.flatMap((c) => {
    if (c.type === 'judge') return [(c.score ?? 0) / (judgeScale ?? 10)];
    const scale = QUALITY_SCALE[c.type];
    return scale === undefined ? [] : [(c.score ?? 0) / scale];
  });
  if (quality.length === 0) return pass ? 1 : 0;
  return quality.reduce((s, x) => s + x, 0) / quality.length;
}

export function hasQualityScore(def: Pick<EvalDefinition, 'assertions' | 'judge'>): boolean {
  return def.judge !== null || def.assertions.some((a) => a.type === 'bleu' || a.type === 'rouge');
}

const columnLabel = (c: EvalColumn) => `"${c.promptName}" v${c.versionNumber} on ${c.targetName}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function columnStats(repo: EvalsRepo, e: StoredEval): EvalColumnStats[] {
  const agg = new Map(repo.aggregates(e.id).map((a) => [`${a.versionId}\u0000${a.targetKey}`, a]));
  const means = repo.scoreMeans(e.id);
  const invalid = repo.invalidCounts(e.id);
  return e.columns.map((c) => {
    const a = agg.get(`${c.versionId}\u0000${c.targetKey}`);
    const meanScores: Record<string, number> = {};
    for (const m of means) if (m.versionId === c.versionId && m.targetKey === c.targetKey) meanScores[m.type] = m.mean;
    const n = a?.n ?? 0;
    return {
      versionId: c.versionId,
      targetKey: c.targetKey,
      n,
      passed: a?.passed ?? 0,
      passRate: n > 0 ? (a?.passed ?? 0) / n : null,
      errors: a?.errors ?? 0,
      pending: e.rowCount - n - (a?.errors ?? 0),
      meanScores,
      invalid: invalid.get(`${c.versionId}\u0000${c.targetKey}`) ?? 0,
      meanRowScore: a?.meanRowScore ?? null,
      meanTtftMs: a?.meanTtftMs ?? null,
      meanE2eMs: a?.meanE2eMs ?? null,
      meanCompletionTokens: a?.meanCompletionTokens ?? null,
    };
  });
}

/** Complete means every cell stored without an error; a CI gate should not pass on a partial run. */
export function checkThresholds(e: StoredEval, stats: readonly EvalColumnStats[], minPassRate: number | null): ThresholdCheck {
  const failures: ThresholdCheck['failures'] = [];
  const complete = stats.every((s) => s.pending === 0 && s.errors === 0);
  if (minPassRate !== null) {
    stats.forEach((s, i) => {
      const c = e.columns[i] as EvalColumn;
      if (s.passRate === null) failures.push({ versionId: s.versionId, targetKey: s.targetKey, message: `${columnLabel(c)}: no results, min pass rate ${pct(minPassRate)}` });
      else if (s.passRate < minPassRate) {
        failures.push({ versionId: s.versionId, targetKey: s.targetKey, message: `${columnLabel(c)}: pass rate ${pct(s.passRate)} < min ${pct(minPassRate)} (${s.passed}/${s.n})` });
      }
    });
  }
  return { minPassRate, complete, passed: complete && failures.length === 0, failures };
}

function rowsWithCells(repo: EvalsRepo, e: StoredEval, offset: number, limit: number): EvalRowResult[] {
  const rows = repo.rows(e.id, offset, limit);
  const last = rows.at(-1);
  const cells = last ? repo.cells(e.id, offset, last.position + 1) : [];
  const index = new Map(e.columns.map((c, i) => [`${c.versionId}\u0000${c.targetKey}`, i]));
  const byRow = new Map<string, EvalRowResult['cells']>(rows.map((r) => [r.id, e.columns.map(() => null)]));
  for (const { rowId, ...cell } of cells) {
    const i = index.get(`${cell.versionId}\u0000${cell.targetKey}`);
    const slot = byRow.get(rowId);
    if (i !== undefined && slot) slot[i] = cell;
  }
  return rows.map((r) => ({ ...r, cells: byRow.get(r.id) ?? [] }));
}

export function buildResults(repo: EvalsRepo, e: StoredEval, info: EvalInfo, page: { offset: number; limit: number }, minPassRate?: number | null): EvalResults {
  const stats = columnStats(repo, e);
  return {
    eval: info,
    stats,
    rows: rowsWithCells(repo, e, page.offset, page.limit),
    offset: page.offset,
    rowTotal: e.rowCount,
    thresholds: checkThresholds(e, stats, minPassRate === undefined ? (e.definition.thresholds.minPassRate ?? null) : minPassRate),
  };
}

function pickColumn(e: StoredEval, versionId: string, target: RunTarget | null, side: 'versionA' | 'versionB'): EvalColumn {
  const cols = e.columns.filter((c) => c.versionId === versionId);
  if (cols.length === 0) throw new CoreError('BAD_INPUT', `${side}: version ${versionId} is not part of this evaluation`);
  if (target !== null) {
    const key = targetKey(target);
    const c = cols.find((x) => x.targetKey === key);
    const v = cols[0] as EvalColumn;
    if (!c) throw new CoreError('BAD_INPUT', `target: "${v.promptName}" v${v.versionNumber} did not run on ${key}`);
    return c;
  }
  if (cols.length > 1) throw new CoreError('BAD_INPUT', 'target: this evaluation ran each version on several targets; say which one to compare on');
  return cols[0] as EvalColumn;
}

/**
 * Paired A/B test over the rows where both cells are stored without an error. The verdict claims a
 * difference only when the bootstrap CI of mean(B − A) excludes 0 — and, when the row score is plain
 * pass/fail, McNemar's exact p is also below 0.05: a percentile bootstrap on a few 0/1 pairs is
 * overconfident (4 of 10 rows flipping gives a CI above 0, yet p = 0.125).
 */
export function compareVersions(repo: EvalsRepo, e: StoredEval, input: { versionA: string; versionB: string; target: RunTarget | null }): EvalComparison {
  if (input.versionA === input.versionB) throw new CoreError('BAD_INPUT', 'versionB: compare two different versions');
  const a = pickColumn(e, input.versionA, input.target, 'versionA');
  const b = pickColumn(e, input.versionB, input.target, 'versionB');
  const pairs = repo.pairs(e.id, a, b);
  const n = pairs.length;
  const scoreKind = hasQualityScore(e.definition) ? 'score' : 'passFail';
  const mc = mcnemarExact(
    pairs.map((p) => p.passA),
    pairs.map((p) => p.passB),
  );
  const boot = pairedBootstrap(
    pairs.map((p) => p.scoreA),
    pairs.map((p) => p.scoreB),
    BOOTSTRAP,
  );
  let v = n === 0 ? 'no significant difference' : verdict(boot);
  if (scoreKind === 'passFail' && mc.pValue >= ALPHA) v = 'no significant difference';
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const passA = mc.bothPass + mc.onlyA;
  const passB = mc.bothPass + mc.onlyB;
  const invalid = repo.invalidCounts(e.id);
  const invalidA = invalid.get(`${a.versionId}\u0000${a.targetKey}`) ?? 0;
  const invalidB = invalid.get(`${b.versionId}\u0000${b.targetKey}`) ?? 0;
  // Invalid outputs already fail their row; saying how many keeps "B passes less" from reading as worse fields.
  const invalidNote = e.definition.assertions.some((x) => x.type === 'fields') ? ` Invalid outputs, counted as wrong: A ${invalidA}, B ${invalidB}.` : '';
  const ci = `${Math.round(boot.confidence * 100)}% CI of B − A ${scoreKind === 'passFail' ? 'pass rate' : 'score'}: [${boot.low.toFixed(3)}, ${boot.high.toFixed(3)}]`;
  const explanation =
    n === 0
      ? 'No row has results from both versions yet.'
      : `A passes ${passA}/${n}, B passes ${passB}/${n}; McNemar p = ${mc.pValue.toPrecision(3)} (only A: ${mc.onlyA}, only B: ${mc.onlyB}); ${ci} → ${v}.${invalidNote}`;
  return {
    evalId: e.id,
    versionA: a.versionId,
    versionB: b.versionId,
    targetKeyA: a.targetKey,
    targetKeyB: b.targetKey,
    n,
    scoreKind,
    passRateA: n ? passA / n : null,
    passRateB: n ? passB / n : null,
    meanScoreA: mean(pairs.map((p) => p.scoreA)),
    meanScoreB: mean(pairs.map((p) => p.scoreB)),
    invalidA,
    invalidB,
    mcnemar: mc,
    bootstrap: boot,
    verdict: v,
    explanation,
  };
}

/** The first version is the baseline: each other version is compared with it, on each shared target. */
export function baselineComparisons(repo: EvalsRepo, e: StoredEval): EvalComparison[] {
  const [base, ...others] = e.definition.promptVersionIds;
  if (base === undefined) return [];
  const out: EvalComparison[] = [];
  for (const other of others) {
    if (e.definition.targets.length === 0) out.push(compareVersions(repo, e, { versionA: base, versionB: other, target: null }));
    else for (const target of e.definition.targets) out.push(compareVersions(repo, e, { versionA: base, versionB: other, target }));
  }
  return out;
}

/** RFC 4180: quote a field holding a delimiter, quote, CR or LF (or edge spaces); double the quotes. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsCsv(repo: EvalsRepo, e: StoredEval): { text: string; cells: number } {
  const rows = rowsWithCells(repo, e, 0, Number.MAX_SAFE_INTEGER);
  const varNames = [...new Set(rows.flatMap((r) => Object.keys(r.variables)))];
  const head = [
    'row',
    'row_id',
    ...varNames.map((n) => `var.${n}`),
    'expected',
    'label',
    'prompt',
    'version',
    'version_id',
    'target',
    'target_key',
    'pass',
    'score',
    'error',
    'failed_checks',
    'output',
    'ttft_ms',
    'e2e_ms',
    'completion_tokens',
    'run_id',
  ];
  const lines = [head.map(csvField).join(',')];
  let cells = 0;
  for (const r of rows) {
    r.cells.forEach((cell, i) => {
      if (!cell) return;
      const c = e.columns[i] as EvalColumn;
      const failed = cell.checks.filter((k) => !k.pass).map((k) => `${k.type}: ${k.reason}`);
      const fields = [
        r.position + 1,
        r.id,
        ...varNames.map((n) => r.variables[n] ?? null),
        r.expected,
        r.label,
        c.promptName,
        c.versionNumber,
        c.versionId,
        c.targetName,
        c.targetKey,
        cell.error === null ? cell.pass : null,
        cell.score,
        cell.error,
        failed.join('; '),
        cell.output,
        cell.ttftMs,
        cell.e2eMs,
        cell.completionTokens,
        cell.runId,
      ];
      lines.push(fields.map(csvField).join(','));
      cells++;
    });
  }
  return { text: lines.join('\r\n') + '\r\n', cells };
}

export interface EvalExport {
  eval: EvalInfo;
  stats: EvalColumnStats[];
  thresholds: ThresholdCheck;
  comparisons: EvalComparison[];
  rows: EvalRowResult[];
}

export function resultsJson(repo: EvalsRepo, e: StoredEval, info: EvalInfo, minPassRate?: number | null): EvalExport {
  const r = buildResults(repo, e, info, { offset: 0, limit: Number.MAX_SAFE_INTEGER }, minPassRate);
  return { eval: r.eval, stats: r.stats, thresholds: r.thresholds, comparisons: baselineComparisons(repo, e), rows: r.rows };
}

export async function exportResults(
  repo: EvalsRepo,
  e: StoredEval,
  info: EvalInfo,
  format: 'csv' | 'json',
  path: string,
): Promise<{ path: string; format: 'csv' | 'json'; cells: number; bytes: number }> {
  let text: string;
  let cells: number;
  if (format === 'csv') ({ text, cells } = resultsCsv(repo, e));
  else {
    const j = resultsJson(repo, e, info);
    text = JSON.stringify(j, null, 2) + '\n';
    cells = j.rows.reduce((s, r) => s + r.cells.filter((c) => c !== null).length, 0);
  }
  try {
    await writeFile(path, text, 'utf8');
  } catch (err) {
    throw new CoreError('BAD_INPUT', `path: cannot write ${path}: ${(err as Error).message}`);
  }
  return { path, format, cells, bytes: Buffer.byteLength(text) };
}
