import { useEffect, useMemo, useRef } from 'react';
import type { ModelInfo } from '../../../shared/models.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatDuration, formatMs, formatRate } from '../../ui/format';
import { isBadStop, stopReasonWords } from '../../ui/stopReason';
import { AdapterAttach } from '../../ui/targets/AdapterAttach';
import { SafeMarkdown } from '../../ui/markdown/SafeMarkdown';
import { describeTarget, parseTargetKey, targetKey, type RemoteChoiceGroup } from '../../ui/targets/targetChoices';
import type { TargetInfo } from '../../../shared/targets.schema';
import { TargetOptions } from '../../ui/targets/TargetOptions';
import { useTargetsStore } from '../../client/targets.store';
import { extractImageVariables, imageAcceptance } from '../../ui/images/imagePrompt';
import { useCompareStore, type Lane } from './compare.store';
import { DiffText } from './DiffText';
import { wordDiff } from './wordDiff';

interface Props {
  index: number;
  target: RunTarget | null;
  lane: Lane | null;
  /** The first column's finished output, when differences should be marked. */
  baseline: string | null;
  canRemove: boolean;
  locked: boolean;
  models: readonly ModelInfo[];
  loadedId: string | null;
  groups: readonly RemoteChoiceGroup[];
  targets: readonly TargetInfo[];
}

export function CompareColumn({ index, target, lane, baseline, canRemove, locked, models, loadedId, groups, targets }: Props): React.JSX.Element {
  const phase = useCompareStore((s) => s.phase);
  const mode = useCompareStore((s) => s.outputMode);
  const setColumn = useCompareStore((s) => s.setColumn);
  const removeColumn = useCompareStore((s) => s.removeColumn);
  const cancel = useCompareStore((s) => s.cancel);
  const checks = useTargetsStore((s) => s.checks);
  const hasImages = useCompareStore((s) => s.images.length > 0 || extractImageVariables(s.userMessage).some((n) => s.imageSlots[n]));
  const remoteId = target?.kind === 'remote' ? target.targetId : null;
  const acceptance = hasImages ? imageAcceptance(target, targets.find((t) => t.id === remoteId), remoteId ? checks[remoteId] : undefined) : null;

  const key = target ? targetKey(target) : '';
  const listed = target?.kind === 'local' ? models.some((m) => m.id === target.modelId) : groups.some((g) => g.choices.some((c) => c.key === key));
  const record = lane?.record ?? null;
  // A lane exists from the moment its run id is chosen; until compare.start answers it is still starting.
  const streaming = lane !== null && record === null && phase !== 'starting';
  const waiting = record === null && (phase === 'loading-model' || phase === 'starting');
  const output = lane?.output ?? '';
  const diff = useMemo(() => (baseline !== null && record ? wordDiff(baseline, output) : null), [baseline, record, output]);

  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [output]);

  const failed = record?.error ?? (record && isBadStop(record.stopReason) ? stopReasonWords(record.stopReason) : null);
  const e2e = record ? (record.e2eMs ?? (record.finishedAt != null ? record.finishedAt - record.startedAt : null)) : null;

  return (
    <div className={`cmp-col${failed ? ' cmp-col-failed' : ''}`} data-testid="compare-column" data-state={record ? (failed ? 'error' : 'done') : streaming ? 'streaming' : waiting ? 'waiting' : 'idle'}>
      <div className="cmp-col-head">
        <span className="cmp-col-index num" title={index === 0 ? 'Baseline: other columns are compared with this one' : undefined}>
          {index + 1}
        </span>
        <select
          className="input cmp-select"
          data-testid="compare-column-select"
          aria-label={`Column ${index + 1} model`}
          value={key}
          disabled={locked}
          onChange={(e) => setColumn(index, parseTargetKey(e.target.value))}
        >
          {!target ? <option value="">Choose a model…</option> : null}
          {target && !listed ? (
            <option value={key} disabled>
              {record?.modelName ?? describeTarget(target, models, targets)} (not listed)
            </option>
          ) : null}
          <TargetOptions models={models} loadedId={loadedId} groups={groups} />
        </select>
        {canRemove ? (
          <button type="button" className="btn-icon" aria-label={`Remove column ${index + 1}`} title="Remove this column" disabled={locked} onClick={() => removeColumn(index)}>
            ×
          </button>
        ) : null}
      </div>
      <AdapterAttach
        target={target}
        onChange={(t) => setColumn(index, t)}
        baseLabel={target ? describeTarget(target, models, targets) : ''}
        disabled={locked}
        testId={`compare-adapters-${index}`}
      />

      <div className="cmp-col-status">
        {streaming ? (
          <span className="streaming">
            <span className="pulse" />
            {lane.cancelling ? 'Stopping…' : lane.tokens ? `${formatCount(lane.tokens)} tokens` : 'Waiting for the first token…'}
          </span>
        ) : waiting ? (
          <span className="muted">{phase === 'loading-model' ? 'Loading the local model…' : 'Starting…'}</span>
        ) : record ? (
          <span className={failed ? 'tag tag-error' : record.stopReason === 'abort' ? 'tag tag-cancelled' : 'tag tag-done'}>{stopReasonWords(record.stopReason)}</span>
        ) : (
          <span className="muted">{index === 0 ? 'baseline' : ' '}</span>
        )}
        {diff && index > 0 ? (
          <span className="cmp-similarity num" title={diff.approximate ? 'Long outputs: the differing middle is marked as a whole' : 'Words in common with column 1'}>
            {Math.round(diff.similarity * 100)}% same as 1{diff.approximate ? ' (approx.)' : ''}
          </span>
        ) : null}
        <span className="spacer" />
        <button type="button" className="btn btn-small" data-testid={`compare-stop-${index}`} disabled={!streaming || lane.cancelling} onClick={() => void cancel(index)}>
          Stop
        </button>
      </div>

      <div
        className="cmp-output-scroll"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        <div className={mode === 'markdown' ? 'run-output md' : 'run-output raw cmp-text'} data-testid={`compare-output-${index}`}>
          {mode === 'markdown' ? <SafeMarkdown text={output} /> : diff && index > 0 ? <DiffText segments={diff.segments} /> : output}
          {streaming ? <span className="caret" aria-hidden /> : null}
        </div>
        {!output && !streaming && !failed ? <div className="cmp-empty">{waiting ? '' : record ? 'No output.' : 'Output appears here.'}</div> : null}
      </div>

      {acceptance && !acceptance.ok && !record ? (
        <div className="hint text-warn cmp-image-refusal" data-testid={`compare-image-refusal-${index}`}>
          {acceptance.reason}
        </div>
      ) : null}
      {failed ? (
        <div className="cmp-error" role="alert" data-testid={`compare-error-${index}`}>
          <div className="cmp-error-title">{record?.stopReason === 'crash' ? 'The engine crashed' : 'This column failed'}</div>
          <div className="cmp-error-message">{failed}</div>
          {output ? <div className="hint">What arrived before the failure is kept above.</div> : null}
        </div>
      ) : null}
      <ErrorNote error={lane?.cancelError ?? null} title="Could not stop this column" />

      <div className="metrics cmp-metrics" data-testid={`compare-metrics-${index}`}>
        <Metric label="ttft" value={formatMs(record?.ttftMs)} title="Time to first token" />
        <Metric label="tok/s" value={formatRate(record?.decodeTokPerSec)} title="Decode speed" />
        <Metric label="tokens" value={formatCount(record?.completionTokens ?? (lane ? lane.tokens : null))} title="Completion tokens" />
        <Metric label="e2e" value={formatDuration(e2e)} title="End-to-end time" />
        {record?.images?.length ? <Metric label="images" value={formatCount(record.images.length)} title="Images sent with the prompt" /> : null}
        {record?.imageTokens != null ? <Metric label="image tok" value={formatCount(record.imageTokens)} title="Prompt tokens the images took" /> : null}
        <Metric label="cost" value="—" title="Cost is not tracked yet" />
      </div>
    </div>
  );
}

function Metric({ label, value, title }: { label: string; value: string; title?: string }): React.JSX.Element {
  return (
    <div className="metric" title={title}>
      <span className="metric-label">{label}</span>
      <span className="metric-value num">{value}</span>
    </div>
  );
}
