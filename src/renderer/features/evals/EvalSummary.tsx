// The summary of an evaluation per (version, target): pass rate, invalid outputs where a fields check
// scores extraction, scores and latency, and the pass-rate bars.
import type { EvalColumn, EvalColumnStats } from '../../../shared/evals.schema';
import { formatMs, formatPercent } from '../../ui/format';

export function columnName(c: EvalColumn): string {
  return `${c.promptName} v${c.versionNumber} · ${c.targetName}`;
}

export function SummaryRow({ stats, column, invalid }: { stats: EvalColumnStats; column: EvalColumn | undefined; invalid: boolean }): React.JSX.Element {
  const scores = Object.entries(stats.meanScores);
  return (
    <tr data-testid="eval-summary-row">
      <td>{column ? columnName(column) : stats.targetKey}</td>
      <td className="right num">
        {formatPercent(stats.passRate)}
        {stats.pending ? <span className="muted"> ({stats.pending} pending)</span> : null}
      </td>
      <td className="right num">
        {stats.passed}/{stats.n}
        {stats.errors ? <span className="text-danger"> · {stats.errors} err</span> : null}
      </td>
      <td className="num">{scores.length ? scores.map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`).join(' · ') : '—'}</td>
      {invalid ? (
        <td className={stats.invalid ? 'right num text-danger' : 'right num'} data-testid="eval-invalid">
          {stats.invalid}/{stats.n}
        </td>
      ) : null}
      <td className="right num">{formatMs(stats.meanTtftMs)}</td>
      <td className="right num">{formatMs(stats.meanE2eMs)}</td>
      <td className="right num">{stats.meanCompletionTokens == null ? '—' : stats.meanCompletionTokens.toFixed(1)}</td>
    </tr>
  );
}

/** Pass rate per column as horizontal bars: plain SVG, scaled to 0–100%. */
export function PassRateChart({ stats, columns }: { stats: readonly EvalColumnStats[]; columns: readonly EvalColumn[] }): React.JSX.Element {
  const barH = 18;
  const gap = 8;
  const labelW = 170;
  const width = 420;
  const plotW = width - labelW - 44;
  const height = stats.length * (barH + gap) + gap;
  return (
    <svg className="ev-chart" data-testid="eval-chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Pass rate per version and target">
      {stats.map((s, i) => {
        const y = gap + i * (barH + gap);
        const rate = s.passRate ?? 0;
        const c = columns[i];
        const label = c ? `v${c.versionNumber} · ${c.targetName}` : s.targetKey;
        return (
          <g key={`${s.versionId}-${s.targetKey}`}>
            <text x={labelW - 8} y={y + barH / 2} textAnchor="end" dominantBaseline="middle" className="ev-chart-label">
              {label.length > 26 ? `${label.slice(0, 25)}…` : label}
            </text>
            <rect x={labelW} y={y} width={plotW} height={barH} className="ev-chart-track" rx={3} />
            <rect x={labelW} y={y} width={plotW * rate} height={barH} className="ev-chart-bar" rx={3} />
            <text x={labelW + plotW + 6} y={y + barH / 2} dominantBaseline="middle" className="ev-chart-value">
              {s.passRate == null ? '—' : `${Math.round(rate * 100)}%`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
