import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabelPatch, RowFilterInput } from '../../../../shared/datasets.schema';
import { ErrorNote } from '../../../ui/ErrorNote';
import { KeyLegend } from './KeyLegend';
import { actionForKey, isEditableTarget, optionKeys, toggleLabel, type LabelingAction, type TargetLike } from './keymap';
import { LabelerProgress } from './LabelerProgress';
import { LabelSidebar } from './LabelSidebar';
import { shownRow, useLabelingStore } from './labeling.store';
import { PreferencePicker } from './PreferencePicker';
import { ProfilePicker } from './ProfilePicker';
import { RecordView } from './RecordView';
import { SaveIndicator } from './SaveIndicator';
import './labeling.css';
import './labelRecord.css';
import './labelSidebar.css';

export interface LabelingPanelProps {
  datasetId: string;
  filter: RowFilterInput;
  startOffset: number;
  onClose: () => void;
}

const NO_FIELDS = { fields: [] };

/** The keyboard record view: one row of the filtered list at a time, labeled with single keys. */
export function LabelingPanel({ datasetId, filter, startOffset, onClose }: LabelingPanelProps): React.JSX.Element {
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    void useLabelingStore.getState().open(datasetId, JSON.parse(filterKey) as RowFilterInput, startOffset);
  }, [datasetId, filterKey, startOffset]);

  const info = useLabelingStore((s) => s.info);
  const win = useLabelingStore((s) => s.window);
  const position = useLabelingStore((s) => s.position);
  const loading = useLabelingStore((s) => s.loading);
  const loadError = useLabelingStore((s) => s.loadError);
  const profileId = useLabelingStore((s) => s.profileId);
  const profiles = useLabelingStore((s) => s.profiles);
  const notice = useLabelingStore((s) => s.notice);
  const mode = useLabelingStore((s) => s.mode);
  const autoAdvance = useLabelingStore((s) => s.autoAdvance);
  const shownId = useLabelingStore((s) => s.shownId);
  const rows = useLabelingStore((s) => s.rows);
  const jobs = useLabelingStore((s) => s.jobs);
  const row = useMemo(() => shownRow({ shownId, rows, jobs }), [shownId, rows, jobs]);

  const schema = info?.labelSchema ?? NO_FIELDS;
  const bindings = useMemo(() => optionKeys(schema), [schema]);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const tagRef = useRef<HTMLInputElement>(null);
  const [tagging, setTagging] = useState(false);
  const disabled = !profileId;

  useEffect(() => {
    if (tagging) tagRef.current?.focus();
  }, [tagging]);
  useEffect(() => setTagging(false), [shownId]);

  const onLabel = useCallback((patch: LabelPatch, what: string, advance?: boolean) => useLabelingStore.getState().label(patch, what, advance), []);
  // Keys pressed while the row they are meant for is still loading (a fast labeler outruns the prefetch):
  // kept in order and applied as soon as it shows, never dropped.
  const waiting = useRef<LabelingAction[]>([]);
  useEffect(() => {
    waiting.current = [];
  }, [datasetId, filterKey]);

  const dispatch = useCallback(
    (action: LabelingAction): void => {
      const s = useLabelingStore.getState();
      const current = shownRow(s);
      switch (action.type) {
        case 'next':
          void s.move(1);
          return;
        case 'prev':
          void s.move(-1);
          return;
        case 'escape':
          if (s.mode !== 'view') s.setMode('view');
          else onClose();
          return;
      }
      if (!s.profileId) {
        s.setNotice('Choose a labeler profile first: every label records who gave it.');
        return;
      }
      if (!current) {
        if (s.shownId != null && !s.loadError) waiting.current.push(action);
        return;
      }
      switch (action.type) {
        case 'status':
          s.label({ status: action.status }, action.status, true);
          break;
        case 'rate':
          s.label({ rating: action.rating }, `rating ${action.rating}`);
          break;
        case 'label':
          s.label({ labels: toggleLabel(schema, current.labels, action.field, action.option) }, `${action.field}=${action.option}`);
          break;
        case 'edit':
          s.setMode('edit');
          break;
        case 'acceptDraft':
          if (current.draft == null) s.setNotice('This row has no draft.');
          else s.label({ response: current.draft }, 'draft taken');
          break;
        case 'note':
          noteRef.current?.focus();
          break;
        case 'tag':
          setTagging(true);
          break;
        case 'undo':
          s.undo();
          break;
        case 'preference':
          s.setMode(s.mode === 'preference' ? 'view' : 'preference');
          break;
        case 'choose':
          s.choose(action.which);
          break;
      }
    },
    [onClose, schema],
  );

  useEffect(() => {
    if (!row || waiting.current.length === 0) return;
    // One at a time: an action that moves on leaves the rest for the next row.
    const next = waiting.current.shift() as LabelingAction;
    dispatch(next);
  }, [row, dispatch]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.isComposing) return;
      if (isEditableTarget(e.target as TargetLike | null)) return;
      // While Monaco is open its own keys (Ctrl+Enter, Escape) decide; nothing else fires.
      if (useLabelingStore.getState().mode === 'edit') return;
      const action = actionForKey(e, { bindings, preference: useLabelingStore.getState().mode === 'preference' });
      if (!action) return;
      e.preventDefault();
      dispatch(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [bindings, dispatch]);

  const total = win ? `${win.total}${win.totalExact ? '' : '+'}` : '…';
  const labelerName = (id: string | null): string | null => profiles.find((p) => p.id === id)?.name ?? null;

  return (
    <section className="lb-panel" aria-label={info ? `Labeling ${info.name}` : 'Labeling'} data-testid="labeling-panel">
      <header className="lb-head">
        <div className="lb-title">
          <span className="num lb-position" data-testid="labeling-position">
            {win && win.entries.length ? `row ${position + 1} of ${total}` : loading ? 'loading…' : 'no rows'}
          </span>
          {row ? (
            <span className="muted num" data-testid="labeling-row-number" title="This row's number in the import, the same under every search and filter">
              #{row.ord + 1}
            </span>
          ) : null}
        </div>
        <ProfilePicker />
        <label className="lb-advance" title="On: after A (accept), R (reject) or S (skip) the next row shows. Off: the row stays; J moves on">
          <input
            type="checkbox"
            data-testid="labeling-auto-advance"
            checked={autoAdvance}
            onChange={(e) => {
              useLabelingStore.getState().setAutoAdvance(e.target.checked);
              // Focus left on the box would swallow the labeling keys (typing targets are ignored).
              e.currentTarget.blur();
            }}
          />
          Auto-advance
        </label>
        {info ? <LabelerProgress labelers={info.labelers} profileId={profileId} rowCount={info.rowCount} /> : null}
        <span className="spacer" />
        <SaveIndicator />
        <button type="button" className="btn btn-small btn-ghost" aria-label="Close labeling" data-testid="labeling-close" onClick={onClose}>
          Close
        </button>
      </header>

      {disabled ? (
        <div className="lb-hint-bar" data-testid="labeling-need-profile">
          Choose or create a labeler profile to label: every label records who gave it. J/K still move through the rows.
        </div>
      ) : null}
      {notice ? (
        <div className="lb-notice" role="status" data-testid="labeling-notice">
          {notice}
        </div>
      ) : null}
      <ErrorNote error={loadError} title="Could not load rows" />

      {row ? (
        <div className="lb-body">
          <RecordView
            row={row}
            editing={mode === 'edit'}
            onSaveEdit={(text) => {
              useLabelingStore.getState().setMode('view');
              if (text !== (row.record.response ?? '')) onLabel({ response: text }, 'edited response');
            }}
            onCancelEdit={() => useLabelingStore.getState().setMode('view')}
            preference={mode === 'preference' ? <PreferencePicker rowId={row.id} disabled={disabled} /> : null}
          />
          <LabelSidebar
            row={row}
            schema={schema}
            bindings={bindings}
            disabled={disabled}
            labelerName={labelerName(row.labelerId)}
            onLabel={onLabel}
            noteRef={noteRef}
            tagRef={tagRef}
            tagging={tagging}
            setTagging={setTagging}
          />
        </div>
      ) : !loading && win && win.entries.length === 0 ? (
        <p className="lb-empty muted">No rows match this filter.</p>
      ) : null}

      <KeyLegend bindings={bindings} preference={mode === 'preference'} />
    </section>
  );
}
