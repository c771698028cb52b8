import { describeLabel, type RowConflict } from './rowConflict';
import { useLabelingStore } from './labeling.store';

/**
 * A label save refused because someone saved the row after this labeler opened it: both values side by side,
 * who saved the stored one and when, and an explicit choice; nothing is overwritten without it.
 */
export function ConflictNote({ seq, rowLabel, conflict }: { seq: number; rowLabel: string; conflict: RowConflict }): React.JSX.Element {
  const when = conflict.savedAt ? new Date(conflict.savedAt).toLocaleString() : null;
  return (
    <li className="lb-conflict" data-testid="labeling-conflict">
      <span className="lb-failed-text">
        {rowLabel} changed while you were labeling it: {conflict.savedBy} saved it{when ? ` at ${when}` : ''}.
      </span>
      <dl className="lb-conflict-values">
        <dt>Yours</dt>
        <dd data-testid="labeling-conflict-yours">{describeLabel(conflict.yours)}</dd>
        <dt>Stored ({conflict.savedBy})</dt>
        <dd data-testid="labeling-conflict-stored">{describeLabel(conflict.stored)}</dd>
      </dl>
      <span className="lb-conflict-actions">
        <button type="button" className="btn btn-small" onClick={() => useLabelingStore.getState().keepMine(seq)}>
          Keep mine
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => void useLabelingStore.getState().takeTheirs(seq)}>
          Take theirs
        </button>
      </span>
    </li>
  );
}
