// Benchmark results shaped for charts and the table: CDF points, sweep curves, cost-vs-latency points and
// break-even lines. Pure, so the shapes are unit-tested; the view only hands them to Chart.js.
import type { BenchResult, LoadShape, LoadShapeInput } from '../../../shared/bench.schema';

export interface XY {
  x: number;
  y: number;
}

export interface Series {
  key: string;
  label: string;
  points: XY[];
}

/** Sorted samples → (value, cumulative fraction) steps, thinned evenly to at most maxPoints (ends kept). */
export function cdfPoints(sortedSamples: readonly number[], maxPoints = 200): XY[] {
  const n = sortedSamples.length;
  if (n === 0) return [];
  const step = n <= maxPoints ? 1 : (n - 1) / (maxPoints - 1);
  const out: XY[] = [];
  const count = Math.min(n, maxPoints);
  for (let k = 0; k < count; k++) {
    const i = k === count - 1 ? n - 1 : Math.round(k * step);
    out.push({ x: sortedSamples[i] as number, y: (i + 1) / n });
  }
  return out;
}

/** The x a load takes on sweep charts: its concurrency, or its request rate. */
export function loadX(load: LoadShape): number {
  return load.kind === 'concurrency' ? load.concurrency : load.requestsPerSec;
}

export function loadLabel(load: LoadShape): string {
  if (load.kind === 'concurrency') return `c=${load.concurrency}`;
  return `${load.requestsPerSec} req/s${load.maxConcurrency ? ` (≤${load.maxConcurrency})` : ''}`;
}

/** Results grouped by target, in first-seen order, each group sorted by load. */
export function byTarget(results: readonly BenchResult[]): { key: string; label: string; cells: BenchResult[] }[] {
  const groups = new Map<string, { key: string; label: string; cells: BenchResult[] }>();
  for (const r of results) {
    let g = groups.get(r.targetKey);
    if (!g) groups.set(r.targetKey, (g = { key: r.targetKey, label: r.targetLabel, cells: [] }));
    g.cells.push(r);
  }
  for (const g of groups.values()) g.cells.sort((a, b) => loadX(a.load) - loadX(b.load));
  return [...groups.values()];
}

/** One curve per target: a throughput figure against the sweep's x. */
export function sweepCurves(results: readonly BenchResult[], y: (r: BenchResult) => number | null): Series[] {
  return byTarget(results).map((g) => ({
    key: g.key,
    label: g.label,
    points: g.cells.flatMap((c) => {
      const v = y(c);
      return v == null || !Number.isFinite(v) ? [] : [{ x: loadX(c.load), y: v }];
    }),
  }));
}

/** "1, 2, 4" → concurrency shapes; "0.5 1" → request-rate shapes. Duplicates dropped, order kept. */
export function parseLoads(text: string, mode: 'concurrency' | 'rate', maxConcurrency: number | null = null): { ok: true; loads: LoadShapeInput[] } | { ok: false; message: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, message: mode === 'concurrency' ? 'Give at least one concurrency, e.g. 1, 2, 4.' : 'Give at least one request rate, e.g. 1, 2.' };
  if (parts.length > 16) return { ok: false, message: 'At most 16 sweep points.' };
  const seen = new Set<number>();
  const loads: LoadShapeInput[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (mode === 'concurrency') {
      if (!Number.isInteger(n) || n < 1 || n > 1024) return { ok: false, message: `“${p}” is not a concurrency from 1 to 1024.` };
      if (!seen.has(n)) loads.push({ kind: 'concurrency', concurrency: n });
    } else {
      if (!Number.isFinite(n) || n <= 0 || n > 10_000) return { ok: false, message: `“${p}” is not a request rate above 0 (requests per second).` };
      if (!seen.has(n)) loads.push({ kind: 'rate', requestsPerSec: n, maxConcurrency });
    }
    seen.add(n);
  }
  return { ok: true, loads };
}

/** An optional number field: '' → null; otherwise a finite number ≥ min, or an error message. */
export function parseOptionalNumber(text: string, label: string, min = 0): { ok: true; value: number | null } | { ok: false; message: string } {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  const n = Number(t);
  if (!Number.isFinite(n) || n < min) return { ok: false, message: `${label}: “${t}” is not a number ≥ ${min}.` };
  return { ok: true, value: n };
}

/** A chart x range that shows every crossing: the calls/month asked about, or twice the furthest crossing. */
export function breakEvenRange(callsPerMonth: number, crossingXs: readonly number[]): number {
  const furthest = Math.max(0, ...crossingXs.filter((x) => Number.isFinite(x)));
  return Math.max(callsPerMonth * 2, furthest * 1.5, 10);
}

/** The cell a fixed-cost machine is priced at: the busiest with ≥ 90% goodput (goodputPct is 0–100), else the busiest. */
export function capacityCell(cells: readonly BenchResult[]): BenchResult | null {
  const ok = cells.filter((c) => c.completed > 0);
  if (ok.length === 0) return null;
  const meeting = ok.filter((c) => c.goodputPct == null || c.goodputPct >= 90);
  const pool = meeting.length ? meeting : ok;
  return pool.reduce((best, c) => (c.requestThroughput > best.requestThroughput ? c : best));
}

/** Two runs overlaid: each result's target is renamed so both runs' lines show side by side. */
export function overlay(a: { name: string; results: readonly BenchResult[] }, b: { name: string; results: readonly BenchResult[] } | null): BenchResult[] {
  if (!b) return [...a.results];
  const tag = (run: { name: string; results: readonly BenchResult[] }, mark: string): BenchResult[] =>
    run.results.map((r) => ({ ...r, targetKey: `${mark}:${r.targetKey}`, targetLabel: `${r.targetLabel} · ${run.name}` }));
  return [...tag(a, 'A'), ...tag(b, 'B')];
}

/** The target key a result's cost profile is stored under (overlaid results carry an "A:"/"B:" mark). */
export function profileKey(resultKey: string): string {
  return /^[AB]:/.test(resultKey) ? resultKey.slice(2) : resultKey;
}

export const PALETTE = ['#f2b85b', '#6cb0ff', '#4cc38a', '#f07178', '#c792ea', '#89ddff', '#e9a23b', '#a3be8c', '#ff9e64', '#7aa2f7', '#d4bfff', '#95e6cb'];

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Money in a profile's currency: whole units from 100, cents from 1, three significant digits below. */
export function formatMoney(value: number | null | undefined, currency: string): string {
  if (value == null || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return '∞';
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 100) text = Math.round(value).toLocaleString('en-US');
  else if (abs >= 1 || abs === 0) text = value.toFixed(2);
  else text = Number(value.toPrecision(3)).toString();
  return `${currency}${text}`;
}

/** Calls per month as people say them: 100k, 2.5M. */
export function formatCalls(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${Number((n / 1e9).toPrecision(3))}B`;
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Math.round(n));
}

/** A colour `amount` of the way to white (amount > 0) or black (< 0): shades of one target's colour. */
export function shade(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number): number => Math.round(amount >= 0 ? c + (255 - c) * amount : c * (1 + amount));
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(mix) as [number, number, number];
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/**
 * One colour per (target, load) line, so the loads of one target are told apart by colour too, not only by
 * dashes: with one target each load takes its own palette colour; with several, each target keeps its
 * colour (the other charts use it) in steps from darker to lighter by load.
 */
export function cdfColors(results: readonly BenchResult[]): Map<string, string> {
  const targets = [...new Set(results.map((r) => r.targetKey))];
  const loadsOf = new Map<string, string[]>();
  for (const r of [...results].sort((a, b) => loadX(a.load) - loadX(b.load))) {
    const l = loadsOf.get(r.targetKey) ?? [];
    if (!l.includes(loadLabel(r.load))) l.push(loadLabel(r.load));
    loadsOf.set(r.targetKey, l);
  }
  const out = new Map<string, string>();
  targets.forEach((t, ti) => {
    const loads = loadsOf.get(t) ?? [];
    loads.forEach((l, li) => {
      const color = targets.length === 1 ? colorAt(li) : loads.length === 1 ? colorAt(ti) : shade(colorAt(ti), -0.35 + (0.8 * li) / (loads.length - 1));
      out.set(`${t}|${l}`, color);
    });
  });
  return out;
}

export interface CdfRange {
  /** The x axis maximum, or null to fit every sample. */
  max: number | null;
  /** Samples past `max`, over all lines, and the slowest of them. */
  hidden: number;
  slowest: number;
}

/**
 * Where to cut a CDF's x axis so one outlier does not squash every line into the left edge: at the largest
 * sample inside Tukey's far-out fence (Q3 + 3·IQR) of its own line. No cut when nothing lies that far out,
 * when the slowest is under twice the rest, or when more than 5% of requests lie past the cut.
 */
export function cdfRange(lines: readonly (readonly number[])[]): CdfRange {
  let inside = 0;
  let slowest = 0;
  for (const sorted of lines) {
    if (sorted.length === 0) continue;
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] as number;
    const fence = q(0.75) + 3 * (q(0.75) - q(0.25));
    for (const v of sorted) if (v <= fence) inside = Math.max(inside, v);
    slowest = Math.max(slowest, sorted[sorted.length - 1] as number);
  }
  // Only an outlier past twice the rest squashes the lines enough to be worth cutting.
  if (slowest <= inside * 2 || inside === 0) return { max: null, hidden: 0, slowest };
  const max = inside * 1.1;
  const hidden = lines.reduce((n, l) => n + l.filter((v) => v > max).length, 0);
  const total = lines.reduce((n, l) => n + l.length, 0);
  // More than 5% that far out is a second mode (a slow target, queueing), not outliers: keep it in view.
  if (hidden > total * 0.05) return { max: null, hidden: 0, slowest };
  return { max, hidden, slowest };
}
