import { Chart, LogarithmicScale, type ChartData, type ChartDataset, type ChartOptions, type Plugin } from 'chart.js';
import { useMemo, useState } from 'react';
import type { BenchResult, Slo } from '../../../shared/bench.schema';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { formatCount } from '../../ui/format';
import { cdfColors, cdfPoints, cdfRange, colorAt, formatCalls, formatMoney, loadLabel, sweepCurves, type XY } from './benchCharts';
import { costLatencyPoints, type BreakEvenView, type CostPoint } from './benchCosts';
import { useBenchStore } from './bench.store';

// Writes each cost point's load ("c=4") beside it. Registered once, drawn only where a chart's options ask
// (plugins.benchPointLabels), so other charts are untouched.
const pointLabels: Plugin<'scatter'> = {
  id: 'benchPointLabels',
  afterDatasetsDraw(chart) {
    if (!(chart.options.plugins as Record<string, unknown> | undefined)?.benchPointLabels) return;
    const { ctx } = chart;
    ctx.save();
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#b7bfcb';
    // Labels of nearby points would print over each other: a label that would overlap one already drawn
    // moves higher, or below its point.
    const drawn: { x: number; y: number; w: number }[] = [];
    const overlaps = (x: number, y: number, w: number): boolean => drawn.some((d) => x < d.x + d.w && d.x < x + w && Math.abs(d.y - y) < 10);
    chart.data.datasets.forEach((ds, i) => {
      if (!chart.isDatasetVisible(i)) return;
      chart.getDatasetMeta(i).data.forEach((el, j) => {
        const load = (ds.data[j] as Partial<CostPoint> | undefined)?.load;
        if (!load) return;
        // Beside the point, or to its left where the label would run past the plot's right edge.
        const w = ctx.measureText(load).width;
        const x = el.x + 7 + w > chart.chartArea.right ? el.x - 7 - w : el.x + 7;
        const { top, bottom } = chart.chartArea;
        const ys = [el.y - 6, el.y - 17, el.y + 14, el.y - 28].map((v) => Math.min(bottom - 2, Math.max(top + 9, v)));
        const y = ys.find((v) => !overlaps(x, v, w)) ?? (ys[0] as number);
        drawn.push({ x, y, w });
        ctx.fillText(load, x, y);
      });
    });
    ctx.restore();
  },
};
Chart.register(LogarithmicScale, pointLabels);

type Scatter = ChartData<'scatter', XY[]>;
type ScatterOptions = ChartOptions<'scatter'>;
type ScatterSet = ChartDataset<'scatter', XY[]>;

const SLO_COLOR = '#f07178';

/** Room for the legend below the plot: each series past three adds a legend line, not a smaller plot. */
function heightFor(series: number): number {
  return 250 + Math.max(0, series - 3) * 18;
}

function axes(x: string, y: string, extra?: { xInt?: boolean; yPercent?: boolean; yPct100?: boolean; yMin0?: boolean }): ScatterOptions {
  return {
    parsing: false,
    plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10 } } },
    scales: {
      x: { type: 'linear', title: { display: true, text: x }, grid: { color: '#1e232b' }, ...(extra?.xInt ? { ticks: { precision: 0 } } : {}) },
      y: {
        title: { display: true, text: y },
        grid: { color: '#1e232b' },
        ...(extra?.yMin0 ? { min: 0 } : {}),
        ...(extra?.yPercent ? { min: 0, max: 1, ticks: { callback: (v: number | string) => `${Math.round(Number(v) * 100)}%` } } : {}),
        ...(extra?.yPct100 ? { min: 0, max: 100, ticks: { callback: (v: number | string) => `${v}%` } } : {}),
      },
    },
  };
}

function line(label: string, points: XY[], color: string, extra?: Partial<ScatterSet>): ScatterSet {
  return { label, data: points, showLine: true, borderColor: color, backgroundColor: color, pointRadius: 2, borderWidth: 1.5, tension: 0, ...extra };
}

/** Colors by target, stable across charts (the order results arrived in). */
function useColors(results: readonly BenchResult[]): Map<string, string> {
  return useMemo(() => {
    const m = new Map<string, string>();
    for (const r of results) if (!m.has(r.targetKey)) m.set(r.targetKey, colorAt(m.size));
    return m;
  }, [results]);
}

export function LatencyCdf({ results }: { results: readonly BenchResult[] }): React.JSX.Element {
  const [metric, setMetric] = useState<'ttft' | 'e2el'>('ttft');
  const [log, setLog] = useState(false);
  const colors = useMemo(() => cdfColors(results), [results]);
  const range = useMemo(() => cdfRange(results.map((r) => (metric === 'ttft' ? r.ttftSamples : r.e2elSamples))), [results, metric]);
  const data = useMemo<Scatter>(() => {
    const loads = new Set(results.map((r) => loadLabel(r.load)));
    const dashes = [[], [6, 3], [2, 2], [8, 2, 2, 2]];
    const loadIndex = new Map([...loads].map((l, i) => [l, i]));
    return {
      datasets: results.map((r) =>
        line(`${r.targetLabel} · ${loadLabel(r.load)}`, cdfPoints(metric === 'ttft' ? r.ttftSamples : r.e2elSamples), colors.get(`${r.targetKey}|${loadLabel(r.load)}`) ?? '#888', {
          pointRadius: 0,
          stepped: 'before',
          borderDash: dashes[(loadIndex.get(loadLabel(r.load)) ?? 0) % dashes.length],
        }),
      ),
    };
  }, [results, metric, colors]);
  const clipped = !log && range.max !== null;
  const options = useMemo(() => {
    const o = axes(metric === 'ttft' ? 'TTFT (ms)' : 'End-to-end latency (ms)', 'Requests at or below', { yPercent: true });
    const x = o.scales?.x ?? {};
    o.scales = { ...o.scales, x: log ? { ...x, type: 'logarithmic' } : clipped ? { ...x, max: Math.ceil(range.max as number) } : x } as ScatterOptions['scales'];
    return o;
  }, [metric, log, clipped, range.max]);
  const hint = clipped
    ? `Share of requests at or below a latency; each line is one target at one load. ${formatCount(range.hidden)} slow request${range.hidden === 1 ? ' lies' : 's lie'} past the right edge (slowest ${formatCount(Math.round(range.slowest))} ms): Log scale shows ${range.hidden === 1 ? 'it' : 'them'}.`
    : 'Share of requests at or below a latency; each line is one target at one load (colour and dashes).';
  return (
    <ChartCard title="Latency CDF" hint={hint} hintTestId="bench-cdf-hint"
      controls={
      <>
        <label className="bn-check" title="Logarithmic latency axis: outliers stay on the chart without squashing the rest">
          <input type="checkbox" data-testid="bench-cdf-log" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        <div className="segmented" role="group" aria-label="CDF latency">
          <button type="button" className={metric === 'ttft' ? 'on' : ''} data-testid="bench-cdf-ttft" onClick={() => setMetric('ttft')}>
            TTFT
          </button>
          <button type="button" className={metric === 'e2el' ? 'on' : ''} data-testid="bench-cdf-e2el" onClick={() => setMetric('e2el')}>
            E2E
          </button>
        </div>
      </>
      }
    >
      <ChartCanvas type="scatter" data={data} options={options} label={`Latency CDF (${metric === 'ttft' ? 'TTFT' : 'E2E'}) per target and load`} testId="bench-chart-cdf" height={heightFor(data.datasets.length)} />
    </ChartCard>
  );
}

const THROUGHPUT: Record<'output' | 'request' | 'total' | 'goodput', { label: string; y: (r: BenchResult) => number | null }> = {
  output: { label: 'Output tok/s', y: (r) => r.outputThroughput },
  total: { label: 'Total tok/s', y: (r) => r.totalTokenThroughput },
  request: { label: 'Requests/s', y: (r) => r.requestThroughput },
  goodput: { label: 'Goodput req/s', y: (r) => r.goodput },
};

export function ThroughputCurves({ results, xLabel }: { results: readonly BenchResult[]; xLabel: string }): React.JSX.Element {
  const [metric, setMetric] = useState<keyof typeof THROUGHPUT>('output');
  const colors = useColors(results);
  const data = useMemo<Scatter>(() => ({ datasets: sweepCurves(results, THROUGHPUT[metric].y).map((s) => line(s.label, s.points, colors.get(s.key) ?? '#888', { pointRadius: 3 })) }), [results, metric, colors]);
  const options = useMemo(() => axes(xLabel, THROUGHPUT[metric].label, { yMin0: true, xInt: xLabel === 'Concurrency' }), [metric, xLabel]);
  return (
    <ChartCard title="Throughput" hint={`Per target across the sweep (${xLabel.toLowerCase()}).`}
      controls={
      <select className="input" aria-label="Throughput measure" data-testid="bench-throughput-metric" value={metric} onChange={(e) => setMetric(e.target.value as keyof typeof THROUGHPUT)}>
        {Object.entries(THROUGHPUT).map(([k, v]) => (
          <option key={k} value={k}>
            {v.label}
          </option>
        ))}
      </select>
      }
    >
      <ChartCanvas type="scatter" data={data} options={options} label={`${THROUGHPUT[metric].label} against ${xLabel}`} testId="bench-chart-throughput" height={heightFor(data.datasets.length)} />
    </ChartCard>
  );
}

export function GoodputCurves({ results, xLabel }: { results: readonly BenchResult[]; xLabel: string }): React.JSX.Element {
  const colors = useColors(results);
  const data = useMemo<Scatter>(() => ({ datasets: sweepCurves(results, (r) => r.goodputPct).map((s) => line(s.label, s.points, colors.get(s.key) ?? '#888', { pointRadius: 3 })) }), [results, colors]);
  const options = useMemo(() => axes(xLabel, 'Met every SLO', { yPct100: true, xInt: xLabel === 'Concurrency' }), [xLabel]);
  return (
    <ChartCard title="Goodput" hint="Share of requests that met every SLO.">
      <ChartCanvas type="scatter" data={data} options={options} label="Goodput percent per target" testId="bench-chart-goodput" height={heightFor(data.datasets.length)} />
    </ChartCard>
  );
}

export function CostLatency({ results, slo }: { results: readonly BenchResult[]; slo: Slo }): React.JSX.Element {
  const metric = useBenchStore((s) => s.latencyMetric);
  const profiles = useBenchStore((s) => s.profiles);
  const colors = useColors(results);
  const sloMs = metric === 'ttft' ? slo.ttftMs : slo.e2elMs;
  const groups = useMemo(() => costLatencyPoints(results, profiles, metric), [results, profiles, metric]);
  const currency = groups[0]?.currency ?? '';
  const data = useMemo<Scatter>(() => {
    const datasets: ScatterSet[] = groups.map((g) => ({ label: g.label, data: g.points, backgroundColor: colors.get(g.key) ?? '#888', borderColor: colors.get(g.key) ?? '#888', pointRadius: 5 }));
    if (sloMs != null && datasets.length) {
      const ys = datasets.flatMap((d) => d.data.map((p) => p.y));
      const top = Math.max(...ys, 0) * 1.1 || 1;
      datasets.push(line(`SLO ${metric === 'ttft' ? 'TTFT' : 'E2E'} ≤ ${sloMs} ms`, [{ x: sloMs, y: 0 }, { x: sloMs, y: top }], SLO_COLOR, { borderDash: [5, 4], pointRadius: 0 }));
    }
    return { datasets };
  }, [groups, metric, colors, sloMs]);
  const options = useMemo<ScatterOptions>(() => {
    const o = axes(`p95 ${metric === 'ttft' ? 'TTFT' : 'E2E latency'} (ms)`, `Cost per 1k requests${currency ? ` (${currency})` : ''}`, { yMin0: true });
    const loadOf = (raw: unknown): string => ((raw as Partial<CostPoint>)?.load ? ` at ${(raw as CostPoint).load}` : '');
    o.plugins = {
      ...o.plugins,
      benchPointLabels: true,
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}${loadOf(c.raw)}: p95 ${Math.round(c.parsed.x ?? 0)} ms, ${formatMoney(c.parsed.y, currency)} / 1k requests` } },
    } as ScatterOptions['plugins'];
    o.layout = { padding: { top: 8, right: 8 } };
    return o;
  }, [metric, currency]);
  const { setLatencyMetric } = useBenchStore.getState();
  if (groups.length === 0) {
    return (
      <ChartCard title="Cost vs latency" hint="">
        <p className="bn-chart-empty" data-testid="bench-cost-empty">
          No target has a price yet. Set one under <b>Costs</b> below (an API's price per token, or a server's purchase and running costs) and each load is placed here by what it costs and how fast it answers.
        </p>
      </ChartCard>
    );
  }
  return (
    <ChartCard title="Cost vs latency" hint={`One point per load (labelled c=… or req/s); lower left is better.${sloMs == null ? ` No ${metric === 'ttft' ? 'TTFT' : 'E2E'} SLO was set for this run.` : ' The dashed line is the SLO.'}`}
      controls={
      <div className="segmented" role="group" aria-label="Latency axis">
        <button type="button" className={metric === 'e2el' ? 'on' : ''} onClick={() => setLatencyMetric('e2el')}>
          p95 E2E
        </button>
        <button type="button" className={metric === 'ttft' ? 'on' : ''} onClick={() => setLatencyMetric('ttft')}>
          p95 TTFT
        </button>
      </div>
      }
    >
      <ChartCanvas type="scatter" data={data} options={options} label="Cost per 1,000 requests against p95 latency, one point per load" testId="bench-chart-cost" height={heightFor(data.datasets.length)} />
    </ChartCard>
  );
}

export function BreakEvenChart({ view, currency, callsPerMonth }: { view: BreakEvenView; currency: string; callsPerMonth: number }): React.JSX.Element {
  const colors = useMemo(() => {
    const m = new Map<string, string>();
    view.series.forEach((s, i) => m.set(s.key, colorAt(i)));
    return m;
  }, [view.series]);
  const data = useMemo<Scatter>(() => {
    const datasets: ScatterSet[] = view.series.map((s) => line(s.label, s.points, colors.get(s.key) ?? '#888', { pointRadius: 0, stepped: false }));
    if (view.crossings.length) datasets.push({ label: 'Break-even', data: view.crossings.map((c) => ({ x: c.x, y: c.y })), pointStyle: 'crossRot', pointRadius: 9, borderWidth: 2, borderColor: '#e4e8ee', backgroundColor: '#e4e8ee' });
    const top = Math.max(0, ...view.series.flatMap((s) => s.points.map((p) => p.y))) * 1.05 || 1;
    datasets.push(line(`${formatCalls(callsPerMonth)} calls/month`, [{ x: callsPerMonth, y: 0 }, { x: callsPerMonth, y: top }], '#8a94a3', { borderDash: [3, 3], pointRadius: 0 }));
    return { datasets };
  }, [view, colors, callsPerMonth]);
  const options = useMemo<ScatterOptions>(() => {
    const o = axes('Calls per month', `Monthly cost (${currency})`, { yMin0: true });
    o.scales = { ...o.scales, x: { type: 'linear', title: { display: true, text: 'Calls per month' }, grid: { color: '#1e232b' }, min: 0, max: view.maxCalls, ticks: { callback: (v: number | string) => formatCalls(Number(v)) } } };
    o.plugins = { ...o.plugins, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatCalls(c.parsed.x)} calls → ${formatMoney(c.parsed.y, currency)}` } } };
    return o;
  }, [currency, view.maxCalls]);
  return <ChartCanvas type="scatter" data={data} options={options} label="Monthly cost against calls per month, per target" testId="bench-chart-breakeven" height={260} />;
}

export function ChartCard({ title, hint, hintTestId, controls, children }: { title: string; hint: string; hintTestId?: string; controls?: React.ReactNode; children: React.ReactNode }): React.JSX.Element {
  return (
    <div className="card bn-chart">
      <div className="section-head">
        <span className="card-title">{title}</span>
        <span className="spacer" />
        {controls}
      </div>
      {children}
      {hint ? <p className="hint" data-testid={hintTestId}>{hint}</p> : null}
    </div>
  );
}
