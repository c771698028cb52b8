import { useEffect, useRef, useState } from 'react';
import type { TrainingInfo } from '../../../shared/training.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { downloadTrainingPackage, isBrowserHost } from '../../ui/fileTransfer';
import { ProgressBar } from '../../ui/ProgressBar';
import { formatCount } from '../../ui/format';
import { useTrainingStore } from './training.store';
import { lossPolyline, stepFraction, type LossPoint } from './trainingForm';

const STATE_TAG: Record<TrainingInfo['state'], string> = {
  packaged: 'tag',
  running: 'tag tag-running',
  converting: 'tag tag-loading',
  done: 'tag tag-done',
  failed: 'tag tag-error',
  cancelled: 'tag tag-cancelled',
};

export function StateTag({ state }: { state: TrainingInfo['state'] }): React.JSX.Element {
  return <span className={STATE_TAG[state]} data-testid="training-state">{state}</span>;
}

interface Props {
  training: TrainingInfo;
  onOpenModels?: () => void;
}

/** One training: its package files, the command that runs it, then the live log, progress and loss. */
export function TrainingRun({ training: t, onOpenModels }: Props): React.JSX.Element {
  const runForm = useTrainingStore((s) => s.runForms[t.id] ?? null);
  const starting = useTrainingStore((s) => s.starting === t.id);
  const cancelling = useTrainingStore((s) => s.cancelling === t.id);
  const actionError = useTrainingStore((s) => s.actionError);
  const losses = useTrainingStore((s) => s.losses[t.id]);
  const st = useTrainingStore.getState();
  const form = runForm ?? st.runForm(t.id);
  const active = t.state === 'running' || t.state === 'converting';
  const started = t.state !== 'packaged';
  const fraction = stepFraction(t.step, t.totalSteps);
  // A training just packaged or picked from the list comes into view under the form.
  const section = useRef<HTMLElement>(null);
  // Block body: Chromium's scrollIntoView now returns a promise, which React would take for a cleanup.
  useEffect(() => {
    void section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, []);

  return (
    <section className="card tr-run" data-testid="training-run" data-training-id={t.id} ref={section}>
      <div className="tr-run-head">
        <h3 className="card-title">Training</h3>
        <StateTag state={t.state} />
        <span className="spacer" />
        <span className="mono muted tr-dir" title={t.dir}>{t.dir}</span>
        <PackageDownload trainingId={t.id} />
      </div>

      <details className="tr-files" open={!started}>
        <summary>
          {t.files.length} file{t.files.length === 1 ? '' : 's'} written
        </summary>
        <ul className="tr-file-list mono" data-testid="training-files">
          {t.files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      </details>

      <form
        className="tr-command"
        onSubmit={(e) => {
          e.preventDefault();
          void st.start(t.id);
        }}
      >
        <label className="tr-field wide">
          <span className="tr-label">Command <span className="muted tr-hint">· runs in the package folder; prefix with ssh host … for a remote GPU</span></span>
          <input className="input mono" data-testid="training-command" spellCheck={false} value={form.command} disabled={active} onChange={(e) => st.setRunForm(t.id, { command: e.target.value })} />
        </label>
        <label className="tr-field">
          <span className="tr-label">Adapter <span className="muted tr-hint">· registered when it ends</span></span>
          <input className="input mono" data-testid="training-adapter-path" spellCheck={false} value={form.adapterPath} disabled={active} onChange={(e) => st.setRunForm(t.id, { adapterPath: e.target.value })} />
        </label>
        <div className="tr-command-buttons">
          <button type="submit" className="btn btn-primary" data-testid="training-start" disabled={active || starting || !form.command.trim() || !form.adapterPath.trim()}>
            {starting ? 'Starting…' : started ? 'Run again' : 'Run training'}
          </button>
          <button type="button" className="btn" data-testid="training-cancel" disabled={!active || cancelling} onClick={() => void st.cancel(t.id)}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      </form>
      <ErrorNote error={actionError} title="The training could not start or stop" />

      {started ? (
        <>
          <div className="tr-progress">
            <ProgressBar
              value={t.state === 'done' ? 1 : fraction}
              testId="training-progress"
              label={
                t.state === 'converting'
                  ? 'Converting the adapter to GGUF…'
                  : t.step != null
                    ? `step ${formatCount(t.step)}${t.totalSteps ? ` of ${formatCount(t.totalSteps)}` : ''}${t.epoch != null ? ` · epoch ${t.epoch.toFixed(2)}` : ''}${t.loss != null ? ` · loss ${t.loss.toFixed(4)}` : ''}`
                    : active
                      ? 'Waiting for the first step…'
                      : ''
              }
            />
            <LossChart points={losses ?? []} />
          </div>
        </>
      ) : null}

      {t.state === 'done' ? (
        <div className="note tr-done" role="status" data-testid="training-done">
          {t.adapterId ? 'Adapter registered' : 'Finished'}
          {t.adapterId ? (
            <>
              {' '}— attach it to a model in the Playground, Compare or Evaluations.
              {onOpenModels ? (
                <button type="button" className="btn-link" data-testid="training-open-models" onClick={onOpenModels}>
                  Go to Models
                </button>
              ) : null}
            </>
          ) : (
            ' without an adapter to register.'
          )}
        </div>
      ) : null}
      {t.state === 'failed' ? <ErrorNote error={{ code: null, message: t.error ?? 'The training failed; the log below says why.' }} title="The training failed" testId="training-failed" /> : null}
      {started ? <LogTail lines={t.logTail} /> : null}
    </section>
  );
}

/** The last log lines, monospace, following the end unless the reader scrolled up. */
function LogTail({ lines }: { lines: readonly string[] }): React.JSX.Element {
  const ref = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <pre
      className="tr-log mono"
      data-testid="training-log"
      ref={ref}
      tabIndex={0}
      aria-label="Training log"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.length ? lines.join('\n') : <span className="muted">No output yet.</span>}
    </pre>
  );
}

const CHART_W = 220;
const CHART_H = 64;

/** Loss over steps as a small inline SVG line. */
function LossChart({ points }: { points: readonly LossPoint[] }): React.JSX.Element {
  const line = lossPolyline(points, CHART_W, CHART_H);
  return (
    <figure className="tr-chart" data-testid="training-loss-chart">
      <svg viewBox={`0 0 ${CHART_W} ${CHART_H}`} width={CHART_W} height={CHART_H} role="img" aria-label="Loss over steps">
        <rect x={0.5} y={0.5} width={CHART_W - 1} height={CHART_H - 1} rx={4} className="tr-chart-frame" />
        {line ? <polyline points={line.points} className="tr-chart-line" /> : null}
      </svg>
      <figcaption className="muted num">
        {line ? `loss ${line.max.toFixed(3)} → ${(points[points.length - 1] as LossPoint).loss.toFixed(3)} (min ${line.min.toFixed(3)})` : 'loss: waiting for two steps'}
      </figcaption>
    </figure>
  );
}

/** Browser host: the package folder lives on the server (training runs there); this saves a copy here. */
function PackageDownload({ trainingId }: { trainingId: string }): React.JSX.Element | null {
  const [state, setState] = useState<{ busy: boolean; note: string | null }>({ busy: false, note: null });
  if (!isBrowserHost) return null;
  const run = (): void => {
    setState({ busy: true, note: null });
    downloadTrainingPackage(trainingId).then(
      (name) => setState({ busy: false, note: `Saving ${name}` }),
      (e: Error) => setState({ busy: false, note: e.message }),
    );
  };
  return (
    <>
      {state.note ? <span className="muted" data-testid="training-download-note">{state.note}</span> : null}
      <button type="button" className="btn btn-small" data-testid="training-download" disabled={state.busy} onClick={run}>
        {state.busy ? 'Archiving…' : 'Download .tar'}
      </button>
    </>
  );
}
