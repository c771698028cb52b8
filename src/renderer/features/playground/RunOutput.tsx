import { useDeferredValue, useEffect, useRef, useState } from 'react';
import type { RunRecord } from '../../../shared/runs.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatDuration, formatMs, formatRate, formatTime } from '../../ui/format';
import { usePlaygroundStore } from './playground.store';
import { RunGuardPanel } from './RunGuardPanel';
import { SafeMarkdown } from '../../ui/markdown/SafeMarkdown';
import { isBadStop, stopReasonWords } from '../../ui/stopReason';

const PHASE_WORDS = {
  idle: '',
  'loading-model': 'Loading model…',
  starting: 'Starting…',
  streaming: 'Generating…',
  finished: '',
} as const;

export function RunOutput(): React.JSX.Element {
  const output = usePlaygroundStore((s) => s.output);
  const phase = usePlaygroundStore((s) => s.phase);
  const streamedTokens = usePlaygroundStore((s) => s.streamedTokens);
  const record = usePlaygroundStore((s) => s.record);
  const problem = usePlaygroundStore((s) => s.problem);
  const reopened = usePlaygroundStore((s) => s.reopened);
  const mode = usePlaygroundStore((s) => s.outputMode);
  const setMode = usePlaygroundStore((s) => s.setOutputMode);
  const setProblem = usePlaygroundStore((s) => s.setProblem);
  // Markdown parsing may lag a fast stream; the raw text never does.
  const shown = useDeferredValue(output);
  const scroller = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);

  // Follow the stream while the reader is at the bottom; leave them alone once they scroll up.
  const pinned = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const busy = phase === 'loading-model' || phase === 'starting' || phase === 'streaming';
  return (
    <section className="output-col">
      <div className="block-label">
        <span>Output</span>
        {busy ? (
          <span className="streaming">
            <span className="pulse" />
            {PHASE_WORDS[phase]}
            {phase === 'streaming' ? ` ${formatCount(streamedTokens)} tokens` : ''}
          </span>
        ) : null}
        <span className="spacer" />
        <div className="segmented" role="group" aria-label="Output view">
          <button type="button" className={mode === 'markdown' ? 'on' : ''} aria-pressed={mode === 'markdown'} onClick={() => setMode('markdown')}>
            Markdown
          </button>
          <button type="button" className={mode === 'raw' ? 'on' : ''} aria-pressed={mode === 'raw'} onClick={() => setMode('raw')}>
            Raw
          </button>
        </div>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          disabled={!output}
          onClick={() => {
            void navigator.clipboard?.writeText(output).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1200);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>

      {reopened && !busy ? (
        <div className="reopened" title={reopened.modelName}>
          Reopened from History · run of {formatTime(reopened.startedAt)} on <span className="mono">{reopened.modelName}</span>
        </div>
      ) : null}

      {problem ? (
        <div data-testid="run-error">
          <ErrorNote error={problem.error} title={problem.title} onDismiss={busy ? undefined : () => setProblem(null)} />
        </div>
      ) : null}

      <div
        className="output-scroll"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {!output && !busy ? (
          <div className="output-empty">{record?.stopReason === 'blocked' ? 'The reply was withheld by the output policy.' : 'Output appears here. Press Run or Ctrl/⌘+Enter.'}</div>
        ) : null}
        <div className={mode === 'raw' ? 'run-output raw mono' : 'run-output md'} data-testid="run-output">
          {mode === 'raw' ? output : <SafeMarkdown text={shown} />}
          {phase === 'streaming' ? <span className="caret" aria-hidden /> : null}
        </div>
      </div>

      {record?.guard ? <RunGuardPanel guard={record.guard} blockShownAbove={problem !== null && record.stopReason === 'blocked'} /> : null}
      {record ? <RunMetrics record={record} /> : null}
    </section>
  );
}

function RunMetrics({ record }: { record: RunRecord }): React.JSX.Element {
  const total = record.finishedAt != null ? record.finishedAt - record.startedAt : null;
  const remote = record.target.kind === 'remote';
  return (
    <div className="metrics" data-testid="run-metrics">
      <Metric label="ttft" value={formatMs(record.ttftMs)} title="Time to first token" />
      <Metric label="decode" value={`${formatRate(record.decodeTokPerSec)} tok/s`} />
      {remote ? (
        <>
          <Metric label="tpot" value={formatMs(record.tpotMs)} title="Time per output token after the first (vLLM's TPOT)" />
          <Metric label="itl" value={formatMs(record.itlMeanMs)} title="Mean inter-token latency between streamed chunks" />
          <Metric label="e2e" value={formatDuration(record.e2eMs)} title="End-to-end request time" />
          <Metric label="attempts" value={formatCount(record.attempts)} title="Requests sent, retries on other replicas included" />
        </>
      ) : null}
      <Metric label="prompt" value={`${formatCount(record.promptTokens)} tok`} />
      <ImageMetrics record={record} />
      <Metric label="completion" value={`${formatCount(record.completionTokens)} tok`} />
      {remote ? null : <Metric label="total" value={formatDuration(total)} />}
      <div className="metric">
        <span className="metric-label">stop</span>
        <span className={isBadStop(record.stopReason) ? 'metric-value text-danger' : 'metric-value'}>{stopReasonWords(record.stopReason)}</span>
      </div>
      {record.error ? <div className="metric metric-error text-danger">{record.error}</div> : null}
    </div>
  );
}

/** Image count, the prompt tokens they took, the server's encode time and preparation here, where present. */
function ImageMetrics({ record }: { record: RunRecord }): React.JSX.Element | null {
  const count = record.images?.length ?? 0;
  if (count === 0) return null;
  return (
    <>
      <Metric label="images" value={formatCount(count)} testId="metric-images" />
      {record.imageTokens != null ? <Metric label="image tok" value={formatCount(record.imageTokens)} title="Prompt tokens the images took" testId="metric-image-tokens" /> : null}
      {record.imageEncodeMs != null ? <Metric label="encode" value={formatMs(record.imageEncodeMs)} title="Time the server spent encoding the images" testId="metric-image-encode" /> : null}
      {record.imagePrepareMs != null ? (
        <Metric label="prepare" value={formatMs(record.imagePrepareMs)} title="Decoding, stripping metadata, downscaling and re-encoding here, before the request" testId="metric-image-prepare" />
      ) : null}
    </>
  );
}

function Metric({ label, value, title, testId }: { label: string; value: string; title?: string; testId?: string }): React.JSX.Element {
  return (
    <div className="metric" title={title} data-testid={testId}>
      <span className="metric-label">{label}</span>
      <span className="metric-value num">{value}</span>
    </div>
  );
}
