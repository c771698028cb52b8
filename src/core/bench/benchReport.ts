// A benchmark run as files: a self-contained HTML report (tables and inline SVG charts, no external URLs),
// a CSV with one row per cell, and the BenchRun as JSON. Text building is pure; writing is in benchExport.
import type { BenchResult, BenchRun, Dist } from '../../shared/bench.schema';
import { loadConcurrency, loadLabel } from './benchJob';

/** Extra per-cell columns (e.g. cost), computed by the caller. */
export type ExtraColumns = { header: string[]; cells: (r: BenchResult) => string[] };

const DIST_KEYS = ['mean', 'median', 'p90', 'p95', 'p99'] as const;
const METRICS = ['ttftMs', 'tpotMs', 'itlMs', 'e2elMs'] as const;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const num = (n: number | null, digits = 2) => (n === null || !Number.isFinite(n) ? '' : n.toFixed(digits));
const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Image workloads: images per request and in all, their size, and per-request preparation and encode times. */
const IMAGE_COLUMNS: ExtraColumns = {
  header: ['images_per_request', 'images_total', 'image_width', 'image_height', 'image_mean_bytes', 'image_prepare_median_ms', 'image_prepare_p99_ms', 'image_encode_median_ms', 'image_encode_p99_ms'],
  cells: (r) => {
    const i = r.images;
    if (!i) return ['', '', '', '', '', '', '', '', ''];
    return [String(i.perRequest), String(i.total), num(i.width, 0), num(i.height, 0), num(i.meanBytes, 0), num(i.prepareMs?.median ?? null, 2), num(i.prepareMs?.p99 ?? null, 2), num(i.encodeMs?.median ?? null, 2), num(i.encodeMs?.p99 ?? null, 2)];
  },
};

/** The caller's extra columns, after the image columns when the workload has images. */
function withImages(run: BenchRun, extra?: ExtraColumns): ExtraColumns | undefined {
  if (run.definition.workload.kind !== 'images') return extra;
  if (!extra) return IMAGE_COLUMNS;
  return { header: [...IMAGE_COLUMNS.header, ...extra.header], cells: (r) => [...IMAGE_COLUMNS.cells(r), ...extra.cells(r)] };
}

export function benchCsv(run: BenchRun, extraGiven?: ExtraColumns): string {
  const extra = withImages(run, extraGiven);
  const header = [
    'target',
    'target_key',
    'load',
    'completed',
    'failed',
    'duration_s',
    'total_input_tokens',
    'total_output_tokens',
    'request_throughput',
    'output_throughput',
    'total_token_throughput',
    'goodput',
    'goodput_pct',
    ...METRICS.flatMap((m) => DIST_KEYS.map((k) => `${m.replace(/Ms$/, '')}_${k}_ms`)),
    'pp_tok_per_s',
    'tg_tok_per_s',
    ...(extra?.header ?? []),
  ];
  const rows = run.results.map((r) =>
    [
      r.targetLabel,
      r.targetKey,
      loadLabel(r.load),
      String(r.completed),
      String(r.failed),
      num(r.durationSec, 3),
      String(r.totalInputTokens),
      String(r.totalOutputTokens),
      num(r.requestThroughput, 4),
      num(r.outputThroughput, 4),
      num(r.totalTokenThroughput, 4),
      num(r.goodput, 4),
      num(r.goodputPct, 2),
      ...METRICS.flatMap((m) => DIST_KEYS.map((k) => num((r[m] as Dist)[k], 3))),
      num(r.ppTokPerSec, 2),
      num(r.tgTokPerSec, 2),
      ...(extra?.cells(r) ?? []),
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#7c3aed', '#b45309', '#0f766e', '#64748b'];

interface Series {
  name: string;
  points: [number, number][];
}

/** A line chart as inline SVG: axes with min/max labels, one polyline per series, a legend. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], opts: { step?: boolean } = {}): string {
  const W = 640;
  const H = 320;
  const L = 60;
  const R = 160;
  const T = 30;
  const B = 40;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p>No data.</p></figure>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs) || 1;
  const y0 = 0;
  const y1 = Math.max(...ys) || 1;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const lines = series.map((s, i) => {
    const pts: string[] = [];
    s.points.forEach(([x, y], j) => {
      if (opts.step && j > 0) pts.push(`${sx(x).toFixed(1)},${sy(s.points[j - 1]![1]).toFixed(1)}`);
      pts.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    });
    const color = COLORS[i % COLORS.length] as string;
    const marks = opts.step ? '' : s.points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>${marks}<text x="${W - R + 10}" y="${T + 16 * i + 10}" font-size="12" fill="${color}">${esc(s.name)}</text>`;
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>
<text x="${L}" y="${H - B + 16}" font-size="11">${num(x0, 0)}</text><text x="${W - R}" y="${H - B + 16}" font-size="11" text-anchor="end">${num(x1, 1)}</text>
<text x="${L - 6}" y="${H - B}" font-size="11" text-anchor="end">${num(y0, 0)}</text><text x="${L - 6}" y="${T + 4}" font-size="11" text-anchor="end">${num(y1, 2)}</text>
<text x="${(L + W - R) / 2}" y="${H - 6}" font-size="12" text-anchor="middle">${esc(xLabel)}</text><text x="14" y="${(T + H - B) / 2}" font-size="12" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>
${lines.join('\n')}</svg></figure>`;
}

const cdf = (samples: readonly number[]): [number, number][] => samples.map((v, i) => [v, (i + 1) / samples.length]);

function distRow(name: string, d: Dist): string {
  return `<tr><th>${name}</th>${DIST_KEYS.map((k) => `<td>${num(d[k])}</td>`).join('')}</tr>`;
}

function cellTable(r: BenchResult, extra?: ExtraColumns): string {
  const kv: [string, string][] = [
    ['Completed / failed', `${r.completed} / ${r.failed}`],
    ['Duration (s)', num(r.durationSec, 3)],
    ['Input / output tokens', `${r.totalInputTokens} / ${r.totalOutputTokens}`],
    ['Request throughput (req/s)', num(r.requestThroughput, 3)],
    ['Output token throughput (tok/s)', num(r.outputThroughput, 2)],
    ['Total token throughput (tok/s)', num(r.totalTokenThroughput, 2)],
    ['Goodput (req/s)', r.goodput === null ? '—' : `${num(r.goodput, 3)} (${num(r.goodputPct, 1)}%)`],
  ];
  if (r.ppTokPerSec !== null || r.tgTokPerSec !== null) kv.push(['pp / tg (tok/s)', `${num(r.ppTokPerSec, 1)} / ${num(r.tgTokPerSec, 1)}`]);
  if (extra) extra.header.forEach((h, i) => kv.push([h, extra.cells(r)[i] ?? '']));
  return `<section><h3>${esc(r.targetLabel)} · ${esc(loadLabel(r.load))}</h3>
<table><tbody>${kv.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>
<table><thead><tr><th>ms</th>${DIST_KEYS.map((k) => `<th>${k}</th>`).join('')}</tr></thead><tbody>
${distRow('TTFT', r.ttftMs)}${distRow('TPOT', r.tpotMs)}${distRow('ITL', r.itlMs)}${distRow('E2EL', r.e2elMs)}</tbody></table>
${r.errors.length ? `<ul class="errors">${r.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}</section>`;
}

export function benchHtml(run: BenchRun, extraGiven?: ExtraColumns): string {
  const extra = withImages(run, extraGiven);
  const byTarget = new Map<string, BenchResult[]>();
  for (const r of run.results) byTarget.set(r.targetLabel, [...(byTarget.get(r.targetLabel) ?? []), r]);
  const charts: string[] = [];
  for (const [label, cells] of byTarget) {
    charts.push(lineChart(`TTFT CDF — ${label}`, 'TTFT (ms)', 'fraction of requests', cells.map((c) => ({ name: loadLabel(c.load), points: cdf(c.ttftSamples) })), { step: true }));
    charts.push(lineChart(`E2E latency CDF — ${label}`, 'E2EL (ms)', 'fraction of requests', cells.map((c) => ({ name: loadLabel(c.load), points: cdf(c.e2elSamples) })), { step: true }));
  }
  const sweep = [...byTarget].map(([label, cells]) => ({
    name: label,
    points: cells
      .filter((c) => loadConcurrency(c.load) !== null)
      .map((c): [number, number] => [loadConcurrency(c.load) as number, c.outputThroughput])
      .sort((a, b) => a[0] - b[0]),
  }));
  if (sweep.some((s) => s.points.length > 0)) charts.push(lineChart('Output throughput vs concurrency', 'concurrency', 'output tok/s', sweep));
  const d = run.definition;
  const slo = `TTFT ≤ ${d.slo.ttftMs ?? '—'} ms, TPOT ≤ ${d.slo.tpotMs ?? '—'} ms, E2EL ≤ ${d.slo.e2elMs ?? '—'} ms`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(run.name)} — Lamplight benchmark</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{text-align:left;background:#f6f6f6}figure{display:inline-block;margin:8px}figcaption{font-weight:600}.errors{color:#b91c1c}</style></head>
<body><h1>${esc(run.name)}</h1>
<p>State: ${esc(run.state)} · created ${new Date(run.createdAt).toISOString()}${run.finishedAt ? ` · finished ${new Date(run.finishedAt).toISOString()}` : ''}</p>
<p>Workload: ${esc(d.workload.kind)}, ${d.durationSec !== null ? `${d.durationSec} s per cell` : `${d.requests} requests per cell`}, ${d.warmupRequests} warm-up · SLO: ${esc(slo)}</p>
<p>Metrics follow vLLM benchmark_serving: TTFT to the first chunk with choices, TPOT = (E2EL − TTFT)/(output tokens − 1), ITL = every gap between chunks, throughput over the cell's first send to last finish.</p>
${run.error ? `<p class="errors">${esc(run.error)}</p>` : ''}
<h2>Charts</h2>${charts.join('\n')}
<h2>Cells</h2>${run.results.map((r) => cellTable(r, extra)).join('\n')}
</body></html>
`;
}
