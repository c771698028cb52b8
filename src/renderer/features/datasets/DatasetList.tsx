import { useState } from 'react';
import type { DatasetSummary } from '../../../shared/datasets.schema';
import { useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatTime } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';

export function DatasetList(): React.JSX.Element {
  const datasets = useDatasetsStore((s) => s.datasets);
  const listed = useDatasetsStore((s) => s.listed);
  const listError = useDatasetsStore((s) => s.listError);
  const selectedId = useDatasetsStore((s) => s.selectedId);
  const { openImport } = useDatasetsStore.getState();
  const canImport = useCan('datasets.import');
  return (
    <aside className="ds-list" aria-label="Datasets">
      <div className="ds-list-head">
        <span className="card-title">Datasets</span>
        <span className="spacer" />
        {canImport ? (
          <button type="button" className="btn btn-primary btn-small" data-testid="dataset-import-open" onClick={openImport}>
            Import…
          </button>
        ) : null}
      </div>
      <ErrorNote error={listError} title="Dataset list problem" />
      <ul>
        {datasets.map((d) => (
          <DatasetItem key={d.id} dataset={d} current={d.id === selectedId} />
        ))}
      </ul>
      {listed && datasets.length === 0 ? <p className="hint">No datasets yet. Import a JSONL, JSON or CSV file.</p> : null}
    </aside>
  );
}

function DatasetItem({ dataset: d, current }: { dataset: DatasetSummary; current: boolean }): React.JSX.Element {
  const { select, rename, remove } = useDatasetsStore.getState();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(d.name);
  const [confirming, setConfirming] = useState(false);
  const canManage = useCan('datasets.remove');
  const indexing = d.indexedRows < d.rowCount;
  if (editing) {
    return (
      <li>
        <form
          className="ds-item ds-item-edit"
          onSubmit={(e) => {
            e.preventDefault();
            setEditing(false);
            if (name.trim() && name.trim() !== d.name) void rename(d.id, name.trim());
          }}
        >
          <input className="input grow" aria-label={`New name for ${d.name}`} value={name} autoFocus onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="btn btn-small">
            Save
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li className={current ? 'ds-item current' : 'ds-item'}>
      <button type="button" className="ds-item-open" data-testid="dataset-row" aria-current={current ? 'true' : undefined} onClick={() => void select(d.id)}>
        <span className="ds-item-name">{d.name}</span>
        <span className="muted num">
          {formatCount(d.rowCount)} rows · {formatTime(d.createdAt)}
        </span>
        {indexing ? (
          <span className="ds-indexing num" title="Search still finds every row; it is faster once the index catches up.">
            index: {formatCount(d.indexedRows)}/{formatCount(d.rowCount)} rows
          </span>
        ) : null}
      </button>
      <div className="ds-item-actions">
        {!canManage ? null : confirming ? (
          <>
            <button type="button" className="btn btn-danger btn-small" aria-label={`Confirm removing ${d.name}`} onClick={() => void remove(d.id)}>
              Remove
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              className="btn-link"
              aria-label={`Rename ${d.name}`}
              onClick={() => {
                setName(d.name);
                setEditing(true);
              }}
            >
              Rename
            </button>
            <button type="button" className="btn-link" aria-label={`Remove ${d.name}`} onClick={() => setConfirming(true)}>
              Remove
            </button>
          </>
        )}
      </div>
    </li>
  );
}
