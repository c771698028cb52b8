import { useMemo, useState } from 'react';
import type { BenchResult, Dist } from '../../../shared/bench.schema';
import { formatBytes, formatCount, formatPercent, formatRate } from '../../ui/format';
import { BreakEvenChart, CostLatency, GoodputCurves, LatencyCdf, ThroughputCurves } from './BenchCharts';
import { byTarget, formatCalls, formatMoney, loadLabel, overlay, profileKey } from './benchCharts';
import { breakEvenView, cellCost, targetCosts } from './benchCosts';
import { CostProfiles } from './CostProfiles';
import { useBenchStore } from './bench.store';

export function BenchResults(): React.JSX.Element | null {
  const current = useBenchStore((s) => s.current);
  const other = useBenchStore((s) => s.other);
  const results = useMemo(() => (current ? overlay(current, other) : []), [current, other]);
  // Profiles are per target, not per run: an overlaid run's copy of a target shares it.
  const targets = useMemo(() => byTarget([...(current?.results ?? []), ...(other?.results ?? [])]).map((g) => ({ key: g.key, label: g.label })), [current, other]);
  if (!current) return null;
  if (results.length === 0) return <p className="hint">Results appear here as each (target, load) cell finishes.</p>;
  const kinds = new Set(results.map((r) => r.load.kind));
  const xLabel = kinds.size === 1 && kinds.has('rate') ? 'Request rate (req/s)' : 'Concurrency';
  return (
    <>
      <div className="bn-charts">
        <LatencyCdf results={results} />
        <ThroughputCurves results={results} xLabel={xLabel} />
        <CostLatency results={results} slo={current.definition.slo} />
        <GoodputCurves results={results} xLabel={xLabel} />
      </div>
      <CostPanel results={results} targets={targets} />
      <ResultTable results={results} />
    </>
  );
}

function CostPanel({ results, targets }: { results: readonly BenchResult[]; targets: { key: string; label: string }[] }): React.JSX.Element {
  const profiles = useBenchStore((s) => s.profiles);
  const calls = useBenchStore((s) => s.callsPerMonth);
  const { setCallsPerMonth } = useBenchStore.getState();
  const costs = useMemo(() => targetCosts(results, profiles), [results, profiles]);
  const view = useMemo(() => breakEvenView(costs, calls), [costs, calls]);
  const currencies = new Set(costs.map((c) => c.estimate.currency));
  const currency = currencies.size === 1 ? ([...currencies][0] as string) : '';

  return (
    <div className="card bn-costs">
      <div className="section-head">
        <span className="card-title">Costs</span>
        <span className="spacer" />
        <label className="inline-form">
          <span className="muted">Calls per month</span>
          <input
            className="input bn-narrow num"
            data-testid="bench-calls-input"
            type="number"
            min={0}
            step={1000}
            value={calls}
            onChange={(e) => {
              const n = Number(e.target.value);
              if (e.target.value !== '' && Number.isFinite(n) && n >= 0) setCallsPerMonth(n);
            }}
          />
        </label>
      </div>
      <CostProfiles targets={targets} />
      {costs.length ? (
        <div className="table-wrap">
          <table className="table bn-cost-table" data-testid="bench-cost-summary">
            <thead>
              <tr>
                <th>Target</th>
                <th>Priced at</th>
                <th className="right">Per 1M tokens</th>
                <th className="right">Per 1k requests</th>
                <th className="right">Fixed / month</th>
                <th className="right">Capacity / month</th>
                <th className="right">At {formatCalls(calls)} calls / month</th>
              </tr>
            </thead>
            <tbody>
              {costs.map((c) => (
                <tr key={c.key} data-testid="bench-cost-row" data-target={c.label}>
                  <td>{c.label}</td>
                  <td className="muted">{loadLabel(c.cell.load)}</td>
                  <td className="right num" data-testid="bench-cost-per-1m">{formatMoney(c.estimate.perMillionTokens, c.estimate.currency)}</td>
                  <td className="right num" data-testid="bench-cost-per-1k">{formatMoney(c.estimate.perThousandRequests, c.estimate.currency)}</td>
                  <td className="right num">{formatMoney(c.estimate.fixedPerMonth, c.estimate.currency)}</td>
                  <td className="right num">{Number.isFinite(c.estimate.capacityPerMonth) ? formatCalls(c.estimate.capacityPerMonth) : 'unlimited'}</td>
                  <td className="right num" data-testid="bench-cost-monthly">{formatMoney(c.estimate.monthlyAt(calls), c.estimate.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="hint">Give targets a price to see what they cost per request and per month.</p>
      )}
      {costs.length > 1 ? (
        <>
          <div className="card-title bn-sub">Break-even</div>
          {currency ? <BreakEvenChart view={view} currency={currency} callsPerMonth={calls} /> : null}
          <ul className="bn-pairs">
            {view.pairs.map((p) => (
              <li key={`${p.a}|${p.b}`} data-testid="bench-breakeven" data-calls={p.callsPerMonth ?? ''}>
                {p.problem ? (
                  <span className="text-warn">{p.problem}</span>
                ) : p.callsPerMonth == null ? (
                  <span>
                    {p.a} and {p.b} never cross in cost.
                  </span>
                ) : (
                  <span>
                    <b>{p.cheaperBelow}</b> is cheaper below <b className="num" data-testid="bench-breakeven-value">{formatCalls(p.callsPerMonth)}</b> calls / month ({p.a} vs {p.b}).
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

type DistKey = 'ttftMs' | 'tpotMs' | 'itlMs' | 'e2elMs';
// Four latencies × three percentiles do not fit beside throughput and cost: two at a time, chosen here.
const DIST_SETS: Record<'first' | 'token' | 'all', { label: string; keys: DistKey[] }> = {
  first: { label: 'TTFT and E2E', keys: ['ttftMs', 'e2elMs'] },
  token: { label: 'TPOT and ITL', keys: ['tpotMs', 'itlMs'] },
  all: { label: 'All four', keys: ['ttftMs', 'tpotMs', 'itlMs', 'e2elMs'] },
};
const DISTS_ALL: { key: DistKey; label: string }[] = [
  { key: 'ttftMs', label: 'TTFT' },
  { key: 'tpotMs', label: 'TPOT' },
  { key: 'itlMs', label: 'ITL' },
  { key: 'e2elMs', label: 'E2E' },
];
// p50/p95/p99 fit the view's width; mean and p90 are one click away (and in every export).
const STATS_SHORT: (keyof Dist)[] = ['median', 'p95', 'p99'];
const STATS_ALL: (keyof Dist)[] = ['mean', 'median', 'p90', 'p95', 'p99'];

function ms(v: number): string {
  return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}

function ResultTable({ results }: { results: readonly BenchResult[] }): React.JSX.Element {
  const profiles = useBenchStore((s) => s.profiles);
  const calls = useBenchStore((s) => s.callsPerMonth);
  const rows = byTarget(results).flatMap((g) => g.cells);
  const hasLocal = rows.some((r) => r.ppTokPerSec != null || r.tgTokPerSec != null);
  const hasImages = rows.some((r) => r.images != null);
  // Cost columns only once a target has a price: until then they would be a row of dashes.
  const priced = rows.some((r) => cellCost(profiles[profileKey(r.targetKey)]?.profile, r) !== null);
  const [allStats, setAllStats] = useState(false);
  const [distSet, setDistSet] = useState<keyof typeof DIST_SETS>('first');
  const DISTS = DISTS_ALL.filter((d) => DIST_SETS[distSet].keys.includes(d.key));
  const STATS = allStats ? STATS_ALL : STATS_SHORT;
  const first = STATS[0];
  return (
    <div className="card bn-table-card">
      <div className="section-head">
        <span className="card-title">Comparison</span>
        <span className="muted">latencies in ms · throughputs per second</span>
        <span className="spacer" />
        <select className="input" aria-label="Latencies shown" data-testid="bench-table-latencies" value={distSet} onChange={(e) => setDistSet(e.target.value as keyof typeof DIST_SETS)}>
          {Object.entries(DIST_SETS).map(([k, v]) => (
            <option key={k} value={k}>
              {v.label}
            </option>
          ))}
        </select>
        <label className="bn-check">
          <input type="checkbox" data-testid="bench-table-all-stats" checked={allStats} onChange={(e) => setAllStats(e.target.checked)} /> Mean and p90 too
        </label>
      </div>
      <div className="table-wrap bn-table-wrap">
        <table className="table bn-table" data-testid="bench-table">
          <thead>
            <tr>
              <th rowSpan={2}>Target</th>
              <th rowSpan={2}>Load</th>
              <th rowSpan={2} className="right">OK / failed</th>
              <th rowSpan={2} className="right">req/s</th>
              <th rowSpan={2} className="right">out tok/s</th>
              <th rowSpan={2} className="right">total tok/s</th>
              <th rowSpan={2} className="right">Goodput</th>
              {DISTS.map((d) => (
                <th key={d.key} colSpan={STATS.length} className="bn-group">
                  {d.label}
                </th>
              ))}
              {hasLocal ? (
                <>
                  <th rowSpan={2} className="right">pp tok/s</th>
                  <th rowSpan={2} className="right">tg tok/s</th>
                </>
              ) : null}
              {hasImages ? (
                <>
                  <th rowSpan={2} className="right" title="Images per request / sent in all">images</th>
                  <th rowSpan={2} className="right">image size</th>
                  <th rowSpan={2} className="right" title="Preparing a request's images here (decode, strip, downscale, re-encode), median">prep p50</th>
                  <th rowSpan={2} className="right" title="The server's image-encode time per request, median, where it reports it">encode p50</th>
                </>
              ) : null}
              {priced ? (
                <>
                  <th rowSpan={2} className="right">per 1M tok</th>
                  <th rowSpan={2} className="right">per 1k req</th>
                  <th rowSpan={2} className="right">at {formatCalls(calls)}/mo</th>
                </>
              ) : null}
            </tr>
            <tr>
              {DISTS.flatMap((d) =>
                STATS.map((s) => (
                  <th key={`${d.key}-${s}`} className={`right bn-stat${s === first ? ' bn-group-start' : ''}`}>
                    {s === 'median' ? 'p50' : s}
                  </th>
                )),
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const est = cellCost(profiles[profileKey(r.targetKey)]?.profile, r);
              return (
                <tr key={`${r.targetKey}|${loadLabel(r.load)}`} data-testid="bench-row" data-target={r.targetLabel} title={r.errors.join('\n') || undefined}>
                  <td className="bn-cell-target" title={r.targetLabel}>{r.targetLabel}</td>
                  <td className="nowrap">{loadLabel(r.load)}</td>
                  <td className="right num">
                    {formatCount(r.completed)}
                    {r.failed ? <span className="text-danger"> / {formatCount(r.failed)}</span> : <span className="muted"> / 0</span>}
                  </td>
                  <td className="right num" data-testid="bench-row-rps">{r.requestThroughput.toFixed(2)}</td>
                  <td className="right num">{formatRate(r.outputThroughput)}</td>
                  <td className="right num">{formatRate(r.totalTokenThroughput)}</td>
                  <td className="right num nowrap">{r.goodputPct == null ? '—' : `${formatPercent(r.goodputPct / 100)} (${(r.goodput ?? 0).toFixed(2)})`}</td>
                  {DISTS.flatMap((d) =>
                    STATS.map((s) => (
                      <td key={`${d.key}-${s}`} className={`right num${s === first ? ' bn-group-start' : ''}`}>
                        {ms(r[d.key][s])}
                      </td>
                    )),
                  )}
                  {hasLocal ? (
                    <>
                      <td className="right num">{formatRate(r.ppTokPerSec)}</td>
                      <td className="right num">{formatRate(r.tgTokPerSec)}</td>
                    </>
                  ) : null}
                  {hasImages ? <ImageCells r={r} /> : null}
                  {priced ? (
                    <>
                      <td className="right num">{est ? formatMoney(est.perMillionTokens, est.currency) : '—'}</td>
                      <td className="right num">{est ? formatMoney(est.perThousandRequests, est.currency) : '—'}</td>
                      <td className="right num">{est ? formatMoney(est.monthlyAt(calls), est.currency) : '—'}</td>
                    </>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ImageCells({ r }: { r: BenchResult }): React.JSX.Element {
  const i = r.images;
  if (!i) return <td colSpan={4} className="muted">—</td>;
  return (
    <>
      <td className="right num" data-testid="bench-row-images">
        {i.perRequest} / {formatCount(i.total)}
      </td>
      <td className="right num nowrap">
        {Math.round(i.width)}×{Math.round(i.height)} · {formatBytes(i.meanBytes)}
      </td>
      <td className="right num">{i.prepareMs ? ms(i.prepareMs.median) : '—'}</td>
      <td className="right num">{i.encodeMs ? ms(i.encodeMs.median) : '—'}</td>
    </>
  );
}
