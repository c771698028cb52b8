import { useEffect } from 'react';
import type { ComparisonSummary } from '../../../shared/compare.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime, preview } from '../../ui/format';
import { useCompareStore } from './compare.store';

/** Stored comparisons, newest first; opening one shows its runs in the columns. */
export function CompareHistory(): React.JSX.Element {
  const history = useCompareStore((s) => s.history);
  const listed = useCompareStore((s) => s.historyListed);
  const loading = useCompareStore((s) => s.historyLoading);
  const error = useCompareStore((s) => s.historyError);
  const openError = useCompareStore((s) => s.openError);
  const current = useCompareStore((s) => s.comparisonId);
  const refresh = useCompareStore((s) => s.refreshHistory);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Stored comparisons</span>
        <button type="button" className="btn-link" disabled={loading} onClick={() => void refresh()}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNote error={error} title="Could not list comparisons" />
      <ErrorNote error={openError} title="Could not open the comparison" />
      {listed && !error && history.length === 0 ? <p className="hint">Comparisons you run are kept here.</p> : null}
      <ul className="cmp-history">
        {history.map((c) => (
          <HistoryRow key={c.id} item={c} current={c.id === current} />
        ))}
      </ul>
    </section>
  );
}

function HistoryRow({ item, current }: { item: ComparisonSummary; current: boolean }): React.JSX.Element {
  const opening = useCompareStore((s) => s.opening === item.id);
  const open = useCompareStore((s) => s.open);
  return (
    <li>
      <button
        type="button"
        className={`cmp-history-row${current ? ' current' : ''}${opening ? ' busy' : ''}`}
        data-testid="compare-history-row"
        aria-current={current || undefined}
        onClick={() => void open(item.id)}
      >
        <span className="cmp-history-top">
          <span className="num muted">{formatTime(item.createdAt)}</span>
          <span className="muted">{item.columns.length} columns</span>
        </span>
        <span className="cmp-history-msg">{preview(item.userMessage, 80) || <span className="muted">(empty message)</span>}</span>
        <span className="cmp-history-cols">
          {item.columns.map((col, i) => (
            <span key={`${col.runId}-${i}`} className={col.target.kind === 'remote' ? 'chip cmp-chip remote' : 'chip cmp-chip'} title={col.modelName}>
              {col.modelName}
            </span>
          ))}
        </span>
      </button>
    </li>
  );
}
