import { ConflictNote } from './ConflictNote';
import { useLabelingStore } from './labeling.store';

/**
 * "Saved" only once datasets.label has resolved (the core has it on disk then); "Saving…" while any save is
 * in flight; a failed save keeps its change on screen with Retry and Discard.
 */
export function SaveIndicator(): React.JSX.Element {
  const jobs = useLabelingStore((s) => s.jobs);
  const lastSaved = useLabelingStore((s) => s.lastSaved);
  const rows = useLabelingStore((s) => s.rows);
  // "#" is a row's number in the import everywhere (grid, header); the id only where the row is unknown.
  const num = (rowId: number): string => (rows[rowId] ? `#${rows[rowId].ord + 1}` : `row id ${rowId}`);
  const pending = jobs.some((j) => j.state === 'pending');
  const failed = jobs.filter((j) => j.state === 'failed');
  let state: 'idle' | 'saving' | 'saved' | 'error' = 'idle';
  if (pending) state = 'saving';
  else if (failed.length) state = 'error';
  else if (lastSaved) state = 'saved';

  return (
    <div className="lb-save" aria-live="polite">
      <span className={`lb-save-state lb-save-${state}`} data-testid="labeling-save-state" data-state={state}>
        {state === 'saving' ? 'Saving…' : null}
        {state === 'error' ? `Not saved (${failed.length})` : null}
        {state === 'saved' && lastSaved ? `Saved · ${num(lastSaved.rowId)} ${lastSaved.what}` : null}
        {state === 'idle' ? 'No changes yet' : null}
      </span>
      {failed.length ? (
        <ul className="lb-failed" role="alert" data-testid="labeling-save-errors">
          {failed.slice(0, 3).map((j) =>
            j.conflict ? (
              <ConflictNote key={j.seq} seq={j.seq} rowLabel={num(j.rowId)} conflict={j.conflict} />
            ) : (
              <li key={j.seq}>
                <span className="lb-failed-text">
                  {j.kind === 'undo' ? 'Undo' : `${num(j.rowId)} ${j.what}`}: {j.error?.message}
                </span>
                <button type="button" className="btn btn-small" onClick={() => useLabelingStore.getState().retry(j.seq)}>
                  Retry
                </button>
                <button type="button" className="btn btn-small btn-ghost" aria-label={`Discard the unsaved change to ${num(j.rowId)}`} onClick={() => useLabelingStore.getState().dismiss(j.seq)}>
                  Discard
                </button>
              </li>
            ),
          )}
        </ul>
      ) : null}
    </div>
  );
}
