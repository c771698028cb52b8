import { ErrorNote } from './ErrorNote';
import type { ShownError } from '../client/errors';
import { formatTime } from './format';
import './recordList.css';

export interface RecordListItem {
  id: string;
  name: string;
  /** Shown as "state · time". */
  state: string;
  createdAt: number;
  /** An optional third line, e.g. the targets of a benchmark run. */
  detail?: string;
}

interface Props {
  /** Class prefix of the view's styles: `${prefix}-list`, `${prefix}-item`, … */
  prefix: string;
  label: string;
  title: string;
  items: readonly RecordListItem[];
  currentId: string | null;
  loadError: ShownError | null;
  errorTitle: string;
  newTestId: string;
  rowTestId: string;
  onNew: () => void;
  onOpen: (id: string) => void;
}

/** The side panel of saved runs: a "+ New" button and one row per record, the open one marked. */
export function RecordList({ prefix, label, title, items, currentId, loadError, errorTitle, newTestId, rowTestId, onNew, onOpen }: Props): React.JSX.Element {
  return (
    <aside className={`record-list ${prefix}-list`} aria-label={label}>
      <div className={`record-list-head ${prefix}-list-head`}>
        <span className="card-title">{title}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-primary btn-small" data-testid={newTestId} onClick={onNew}>
          + New
        </button>
      </div>
      <ErrorNote error={loadError} title={errorTitle} />
      <ul>
        {items.map((r) => (
          <li key={r.id}>
            <button type="button" className={r.id === currentId ? `record-item ${prefix}-item current` : `record-item ${prefix}-item`} data-testid={rowTestId} onClick={() => onOpen(r.id)}>
              <span className={`${prefix}-item-name`}>{r.name}</span>
              <span className="muted">
                {r.state} · {formatTime(r.createdAt)}
              </span>
              {r.detail !== undefined ? <span className={`muted ${prefix}-item-detail`}>{r.detail}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      {items.length === 0 ? <p className="hint">None yet.</p> : null}
    </aside>
  );
}
