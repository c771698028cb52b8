// The bar over History's table while runs are ticked: how many, Remove… (a confirmation with the counts
// the core gave, saying it is permanent: there is no Undo), and what the last removal did.
import type { RemoveRunsResult } from '../../../shared/runs.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { missingPermission, useCan } from '../../client/session.store';
import { useHistoryStore } from './history.store';

const count = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function RemoveRunsBar(): React.JSX.Element | null {
  const selected = useHistoryStore((s) => s.selection.ids.size);
  const confirm = useHistoryStore((s) => s.confirm);
  const removing = useHistoryStore((s) => s.removing);
  const removeError = useHistoryStore((s) => s.removeError);
  const removed = useHistoryStore((s) => s.removed);
  const askRemove = useHistoryStore((s) => s.askRemove);
  const clear = useHistoryStore((s) => s.clearSelection);
  const canRemove = useCan('runs.remove');

  return (
    <>
      {selected > 0 ? (
        <div className="history-selbar" data-testid="history-selbar">
          <strong data-testid="history-selected">{count(selected, 'run')} selected</strong>
          <span className="muted">Shift-click a box to select a range.</span>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-small btn-danger"
            data-testid="history-remove"
            disabled={removing !== null || confirm !== null || !canRemove}
            title={canRemove ? undefined : missingPermission('runs.remove')}
            onClick={() => void askRemove()}
          >
            {removing === 'checking' ? 'Counting…' : 'Remove…'}
          </button>
          <button type="button" className="btn btn-small" disabled={removing !== null} onClick={clear}>
            Clear selection
          </button>
        </div>
      ) : null}
      {confirm ? <ConfirmRemove confirm={confirm} /> : null}
      <ErrorNote error={removeError} testId="history-remove-error" title="Could not remove the runs" />
      {removed && !confirm ? (
        <p className="hint" data-testid="history-removed" role="status">
          Removed {count(removed.runIds.length, 'run')} and {count(removed.imagesRemoved, 'image')}
          {removed.imagesKept ? ` (${count(removed.imagesKept, 'image')} kept: still used elsewhere)` : ''}.
        </p>
      ) : null}
    </>
  );
}

function ConfirmRemove({ confirm }: { confirm: RemoveRunsResult }): React.JSX.Element {
  const removing = useHistoryStore((s) => s.removing === 'removing');
  const remove = useHistoryStore((s) => s.remove);
  const cancel = useHistoryStore((s) => s.cancelRemove);
  const runs = confirm.runIds.length;
  return (
    <div className="history-confirm" role="alertdialog" aria-label="Confirm removing runs" data-testid="history-confirm">
      <div>
        <strong data-testid="history-confirm-counts">
          Permanently remove {count(runs, 'run')} and {count(confirm.imagesRemoved, 'image')}?
        </strong>
        <p>
          {runs === 1 ? 'Its prompt, output and metrics are' : 'Their prompts, outputs and metrics are'} deleted from this machine
          {confirm.imagesRemoved ? ', and the images only these runs used are deleted from disk now' : ''}. This cannot be undone: there is no Undo.
          {confirm.imagesKept ? ` ${count(confirm.imagesKept, 'image')} ${confirm.imagesKept === 1 ? 'stays' : 'stay'}: still used elsewhere.` : ''}
          {' '}Evaluations keep their scores and show “run removed”; the removal is recorded in the audit log (ids and counts only).
        </p>
      </div>
      <div className="history-confirm-actions">
        <button type="button" className="btn btn-small btn-danger" data-testid="history-remove-confirm" disabled={removing} onClick={() => void remove()}>
          {removing ? 'Removing…' : `Remove ${count(runs, 'run')} permanently`}
        </button>
        <button type="button" className="btn btn-small" disabled={removing} onClick={cancel} autoFocus>
          Cancel
        </button>
      </div>
    </div>
  );
}
