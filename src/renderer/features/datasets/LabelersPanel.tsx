import type { LabelerProgress, RowStatus } from '../../../shared/datasets.schema';
import { formatCount, formatTime } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';

const STATUSES: RowStatus[] = ['new', 'accepted', 'rejected', 'skipped'];

export function LabelersPanel(): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const { setFilter, setTab } = useDatasetsStore.getState();
  if (!info) return null;
  return (
    <div className="ds-panels">
      <div className="card">
        <div className="card-title">Status</div>
        <div className="ds-status-counts">
          {STATUSES.map((st) => (
            <button
              key={st}
              type="button"
              className="ds-stat"
              aria-label={`Show ${st} rows`}
              onClick={() => {
                setFilter({ status: st });
                setTab('rows');
              }}
            >
              <span className={`tag ds-status-${st}`}>{st}</span>
              <strong className="num">{formatCount(info.statusCounts[st] ?? 0)}</strong>
            </button>
          ))}
        </div>
      </div>
      <div className="card">
        <div className="card-title">Labelers</div>
        {info.labelers.length ? <LabelerChart labelers={info.labelers} /> : <p className="hint">Nobody has labeled a row yet.</p>}
      </div>
    </div>
  );
}

/** One stacked bar per labeler: accepted, rejected, skipped, scaled to the busiest labeler. */
function LabelerChart({ labelers }: { labelers: readonly LabelerProgress[] }): React.JSX.Element {
  const labelW = 140;
  const plotW = 360;
  const barH = 16;
  const gap = 10;
  const width = labelW + plotW + 240;
  const height = gap + labelers.length * (barH + gap);
  const max = Math.max(1, ...labelers.map((l) => l.labeled));
  const parts = ['accepted', 'rejected', 'skipped'] as const;
  return (
    <figure className="ds-figure">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Rows labeled per labeler" data-testid="dataset-labeler-chart">
        {labelers.map((l, i) => {
          const y = gap + i * (barH + gap);
          let x = labelW;
          return (
            <g key={l.labelerId}>
              <title>{`${l.name}: ${l.labeled} labeled (${l.accepted} accepted, ${l.rejected} rejected, ${l.skipped} skipped)${l.lastAt ? `, last ${formatTime(l.lastAt)}` : ''}`}</title>
              <text x={labelW - 8} y={y + barH / 2} textAnchor="end" dominantBaseline="middle" className="ds-chart-label">
                {l.name.length > 18 ? `${l.name.slice(0, 17)}…` : l.name}
              </text>
              <rect x={labelW} y={y} width={plotW} height={barH} rx={3} className="ds-chart-track" />
              {parts.map((p) => {
                const w = (l[p] / max) * plotW;
                const r = <rect key={p} x={x} y={y} width={w} height={barH} className={`ds-bar-${p}`} />;
                x += w;
                return r;
              })}
              <text x={labelW + plotW + 8} y={y + barH / 2} dominantBaseline="middle" className="ds-chart-value">
                {`${formatCount(l.labeled)} labeled · ${formatCount(l.accepted)} acc · ${formatCount(l.rejected)} rej · ${formatCount(l.skipped)} skip`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="ds-legend">
        <span className="ds-key ds-key-accepted" /> accepted <span className="ds-key ds-key-rejected" /> rejected <span className="ds-key ds-key-skipped" /> skipped
      </figcaption>
    </figure>
  );
}
