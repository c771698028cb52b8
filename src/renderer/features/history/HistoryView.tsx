import { useEffect, useMemo } from 'react';
import type { RunSearchHit } from '../../../shared/runs.schema';
import type { RunRecord } from '../../../shared/runs.schema';
import { substituteVariables } from '../../../shared/template';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatDuration, formatMs, formatRate, formatTime, preview } from '../../ui/format';
import { isBadStop, stopReasonWords } from '../../ui/stopReason';
import { useHistoryStore } from './history.store';
import { RemoveRunsBar } from './RemoveRuns';
import { useSessionStore } from '../../client/session.store';
import type { SessionInfo } from '../../../shared/profiles.schema';
import { Thumbnail } from '../../ui/images/Thumbnail';
import '../../ui/images/images.css';
import './history.css';

/** Thumbnails shown in a row before "+N". */
const MAX_THUMBS = 4;

interface Props {
  /** Called with the full record when a row is opened; the shell moves it into the Playground. */
  onOpen: (record: RunRecord) => void;
}

export function HistoryView({ onOpen }: Props): React.JSX.Element {
  const runs = useHistoryStore((s) => s.runs);
  const listed = useHistoryStore((s) => s.listed);
  const loading = useHistoryStore((s) => s.loading);
  const error = useHistoryStore((s) => s.error);
  const openError = useHistoryStore((s) => s.openError);
  const refresh = useHistoryStore((s) => s.refresh);
  const query = useHistoryStore((s) => s.query);
  const setQuery = useHistoryStore((s) => s.setQuery);
  const fetchRun = useHistoryStore((s) => s.fetchRun);
  const session = useSessionStore((s) => s.info);
  // The runs this profile may remove, in the order shown: boxes, ranges and "all" cover only these.
  const order = useMemo(() => runs.filter((r) => removable(session, r)).map((r) => r.id), [runs, session]);
  const allSelected = useHistoryStore((s) => order.length > 0 && order.every((id) => s.selection.ids.has(id)));
  const someSelected = useHistoryStore((s) => s.selection.ids.size > 0);
  const toggleAll = useHistoryStore((s) => s.toggleAll);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const open = async (runId: string): Promise<void> => {
    const record = await fetchRun(runId);
    if (record) onOpen(record);
  };

  return (
    <div className="view view-history">
      <div className="section-head">
        <h3>Runs</h3>
        <span className="muted">{runs.length ? `${runs.length} shown, newest first` : ''}</span>
        <span className="spacer" />
        <input
          className="input history-search"
          type="search"
          data-testid="history-search"
          placeholder="Search prompts, values and outputs"
          aria-label="Search runs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" className="btn btn-small" disabled={loading} onClick={() => void refresh()}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNote error={error} title="Could not list runs" />
      <ErrorNote error={openError?.error ?? null} title="Could not open the run" />
      <RemoveRunsBar />
      {listed && !error && runs.length === 0 && query.trim() !== '' ? (
        <p className="hint" data-testid="history-no-match">
          No run matches “{query.trim()}”.
        </p>
      ) : null}
      {listed && !error && runs.length === 0 && query.trim() === '' ? (
        <div className="empty-hero" data-testid="history-empty">
          <h2>No runs yet</h2>
          <p>Every prompt you run in the Playground is kept here with its settings, output and timings.</p>
        </div>
      ) : null}
      {runs.length ? (
        <div className="table-wrap">
          <table className="table history-table">
            <thead>
              <tr>
                <th className="cell-check">
                  <input
                    type="checkbox"
                    aria-label="Select all runs shown"
                    data-testid="history-select-all"
                    checked={allSelected}
                    ref={(el) => {
                      if (el) el.indeterminate = someSelected && !allSelected;
                    }}
                    onChange={() => toggleAll(order)}
                  />
                </th>
                <th>Time</th>
                <th title="Where the run came from">Source</th>
                <th title="Local model file, or remote target · model">Target</th>
                <th title="The user message with its variables filled in">User message</th>
                <th>Output</th>
                <th className="right" title="Completion tokens">Tokens</th>
                <th className="right" title="Time to first token">TTFT</th>
                <th className="right" title="Decode speed">tok/s</th>
                <th className="right" title="End-to-end time">E2E</th>
                <th>Stop</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <HistoryRow key={r.id} run={r} order={order} onOpen={() => void open(r.id)} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** Own runs, or anyone's for an admin; while the session is unknown, all (the core decides). */
function removable(session: SessionInfo | null, run: RunSearchHit): boolean {
  return session === null || session.role === 'admin' || run.profileId === session.profileId;
}

function HistoryRow({ run, order, onOpen }: { run: RunSearchHit; order: readonly string[]; onOpen: () => void }): React.JSX.Element {
  const opening = useHistoryStore((s) => s.opening === run.id);
  const selected = useHistoryStore((s) => s.selection.ids.has(run.id));
  const toggle = useHistoryStore((s) => s.toggle);
  // The file is what the user picked in Models; the GGUF's internal name often says nothing (or "llama").
  const name = run.target.kind === 'local' && run.fileName ? run.fileName : run.modelName;
  const filled = substituteVariables(run.userMessage, run.variables).text;
  const values = Object.entries(run.variables);
  return (
    <tr
      data-testid="history-row"
      className={`clickable${opening ? ' busy' : ''}${selected ? ' selected' : ''}`}
      data-selected={selected}
      tabIndex={0}
      title="Open in the Playground"
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen();
      }}
    >
      {/* The box selects (Shift: a range); the rest of the row opens the run. */}
      <td className="cell-check" onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          data-testid="history-select"
          aria-label={`Select the run of ${formatTime(run.startedAt)}`}
          checked={selected}
          disabled={!order.includes(run.id)}
          title={order.includes(run.id) ? undefined : 'Started by another profile: removing it needs the admin role'}
          onClick={(e) => {
            e.stopPropagation();
            toggle(run.id, e.shiftKey, order);
          }}
          onChange={() => undefined}
          onKeyDown={(e) => e.stopPropagation()}
        />
      </td>
      <td className="num nowrap">{formatTime(run.startedAt)}</td>
      <td>
        <span className={`tag tag-source tag-source-${run.source}`}>{run.source}</span>
      </td>
      <td className="cell-model" title={`${run.target.kind === 'remote' ? 'Remote' : 'Local'}: ${name}${name !== run.modelName ? ` (${run.modelName})` : ''}`}>
        <span className={run.target.kind === 'remote' ? 'kind kind-remote' : 'kind kind-local'}>{run.target.kind}</span>
        <span className="mono" data-testid="history-model">{name}</span>
      </td>
      <td className="cell-preview" title={values.map(([k, v]) => `${k} = ${v}`).join('\n') || undefined}>
        {run.imageHashes?.length ? (
          <span className="img-strip" data-testid="history-images" title={`${run.imageHashes.length} image${run.imageHashes.length === 1 ? '' : 's'}`}>
            {run.imageHashes.slice(0, MAX_THUMBS).map((h, i) => (
              <Thumbnail key={`${h}-${i}`} hash={h} name={`image ${i + 1}`} size={64} className="img-thumb img-thumb-small" testId="history-image" />
            ))}
            {run.imageHashes.length > MAX_THUMBS ? <span className="muted">+{run.imageHashes.length - MAX_THUMBS}</span> : null}
          </span>
        ) : null}
        <span data-testid="history-message">{preview(filled, 90)}</span>
        {values.length ? (
          <div className="history-values" data-testid="history-values">
            {values.map(([k, v]) => (
              <span key={k} className="chip mono">
                {k}={preview(v, 24)}
              </span>
            ))}
          </div>
        ) : null}
      </td>
      <td className="cell-preview muted">{preview(run.outputPreview, 90)}</td>
      <td className="right num">{formatCount(run.completionTokens)}</td>
      <td className="right num">{formatMs(run.ttftMs)}</td>
      <td className="right num">{formatRate(run.decodeTokPerSec)}</td>
      <td className="right num">{formatDuration(run.e2eMs ?? (run.finishedAt != null ? run.finishedAt - run.startedAt : null))}</td>
      <td className={isBadStop(run.stopReason) ? 'text-danger nowrap' : 'nowrap'}>
        {run.status === 'running' ? <span className="tag tag-loading">running</span> : stopReasonWords(run.stopReason)}
      </td>
    </tr>
  );
}
