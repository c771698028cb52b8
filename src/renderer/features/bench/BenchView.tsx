import { useEffect } from 'react';
import { useAdaptersStore } from '../../client/adapters.store';
import { useModelsStore } from '../../client/models.store';
import { useTargetsStore } from '../../client/targets.store';
import { DownloadLinks } from '../../ui/DownloadLinks';
import { ErrorNote } from '../../ui/ErrorNote';
import { ProgressBar } from '../../ui/ProgressBar';
import { RecordList } from '../../ui/RecordList';
import { exportReady, exportVerb, isBrowserHost } from '../../ui/fileTransfer';
import { formatCount, formatTime } from '../../ui/format';
import { targetNames } from './benchChecks';
import { BenchForm } from './BenchForm';
import { BenchResults } from './BenchResults';
import { targetKey } from '../../../shared/evals.schema';
import { loadLabel } from './benchCharts';
import { useBenchStore } from './bench.store';
import './bench.css';

export function BenchView(): React.JSX.Element {
  const runs = useBenchStore((s) => s.runs);
  const current = useBenchStore((s) => s.current);
  const loadError = useBenchStore((s) => s.loadError);
  const { init, open, newRun } = useBenchStore.getState();
  const names = useTargetNames();
  useEffect(() => {
    void init();
  }, [init]);

  return (
    <div className="view view-bench">
      <RecordList
        prefix="bn"
        label="Benchmark runs"
        title="Runs"
        items={runs.map((r) => ({ id: r.id, name: r.name, state: r.state, createdAt: r.createdAt, detail: names(r.targets).join(', ') }))}
        currentId={current?.id ?? null}
        loadError={loadError}
        errorTitle="Could not load benchmarks"
        newTestId="bench-new"
        rowTestId="bench-list-row"
        onNew={newRun}
        onOpen={(id) => void open(id)}
      />
      <section className="bn-main">{current ? <RunPanel /> : <BenchForm />}</section>
    </div>
  );
}

/** Target keys → names, from the stores the target pickers already fill. */
function useTargetNames(): (targets: readonly string[]) => string[] {
  const models = useModelsStore((s) => s.models);
  const remotes = useTargetsStore((s) => s.targets);
  const adapters = useAdaptersStore((s) => s.adapters);
  const listed = useTargetsStore((s) => s.listed);
  useEffect(() => {
    if (!listed) void useTargetsStore.getState().refresh();
    useAdaptersStore.getState().ensureListed();
  }, [listed]);
  return (targets) => targetNames(targets, models, remotes, adapters);
}

function RunPanel(): React.JSX.Element | null {
  const current = useBenchStore((s) => s.current);
  const progress = useBenchStore((s) => s.progress);
  const runs = useBenchStore((s) => s.runs);
  const other = useBenchStore((s) => s.other);
  const actionError = useBenchStore((s) => s.actionError);
  const { cancel, openOther } = useBenchStore.getState();
  const names = useTargetNames();
  const summary = runs.find((r) => r.id === current?.id);
  if (!current) return null;
  const state = progress?.state ?? current.state;
  const running = state === 'running' || state === 'pending';
  const done = progress?.done ?? null;
  const total = progress?.total ?? null;
  const cells = current.definition.targets.length * current.definition.loads.length;

  return (
    <div className="bn-run">
      <div className="card">
        <div className="section-head">
          <span className="card-title">{current.name}</span>
          <span className={`tag ${running ? 'tag-running' : state === 'done' ? 'tag-done' : state === 'failed' ? 'tag-error' : 'tag-cancelled'}`} data-testid="bench-state">
            {state}
          </span>
          <span className="spacer" />
          <label className="inline-form">
            <span className="muted">Compare with</span>
            <select className="input" data-testid="bench-compare-pick" value={other?.id ?? ''} onChange={(e) => void openOther(e.target.value)}>
              <option value="">—</option>
              {runs
                .filter((r) => r.id !== current.id)
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} · {formatTime(r.createdAt)}
                  </option>
                ))}
            </select>
          </label>
          <button type="button" className="btn btn-small" data-testid="bench-cancel" disabled={!running} onClick={() => void cancel()}>
            Cancel
          </button>
        </div>
        <p className="hint bn-run-targets" data-testid="bench-run-targets">
          {names(summary?.targets ?? current.definition.targets.map((t) => t.label ?? targetKey(t.target))).join(' · ')} · {current.definition.loads.map(loadLabel).join(', ')}
        </p>
        {running || progress ? (
          <div data-state={state} className="bn-progress-wrap">
            <ProgressBar
              testId="bench-progress"
              value={total ? (done ?? 0) / total : null}
              label={`${formatCount(done ?? 0)}${total ? ` / ${formatCount(total)}` : ''} requests · ${formatCount(current.results.length)} / ${formatCount(cells)} cells${progress?.cell && running ? ` · ${progress.cell}` : ''}`}
            />
          </div>
        ) : (
          <p className="hint">
            {formatCount(current.results.length)} of {formatCount(cells)} cells measured · {describeWorkload(current.definition.workload)} · {formatCount(current.definition.requests)} requests per cell
          </p>
        )}
        {current.error ? <ErrorNote error={{ code: null, message: current.error }} title="The run stopped" /> : null}
        <ErrorNote error={actionError} title="Benchmark problem" />
      </div>
      <BenchResults />
      <ExportBar />
    </div>
  );
}

function describeWorkload(w: NonNullable<ReturnType<typeof useBenchStore.getState>['current']>['definition']['workload']): string {
  switch (w.kind) {
    case 'synthetic':
      return `synthetic ${w.inputLen} in / ${w.outputLen} out tokens`;
    case 'dataset':
      return `dataset rows, ${w.outputLen} out tokens`;
    case 'testset':
      return `test set through a prompt version, ${w.outputLen} out tokens`;
    case 'prompts':
      return `${formatCount(w.prompts.length)} prompts, ${w.outputLen} out tokens`;
    case 'images': {
      const src = w.images.kind === 'generated' ? `${formatCount(w.images.count)} ${w.images.pattern} images ${w.images.width}×${w.images.height}` : `images of test set column ${w.images.column}`;
      return `${src}, ${w.perRequest} per request, ${w.outputLen} out tokens`;
    }
  }
}

function ExportBar(): React.JSX.Element {
  const path = useBenchStore((s) => s.exportPath);
  const files = useBenchStore((s) => s.exportFiles);
  const downloads = useBenchStore((s) => s.exportDownloads);
  const { setExportPath, exportReport } = useBenchStore.getState();
  return (
    <div className="card">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void exportReport();
        }}
      >
        <span className="card-title">Export report</span>
        <input className="input grow mono" data-testid="bench-export-path" aria-label="Report path" placeholder={`${isBrowserHost ? 'or a path on the server: ' : ''}/path/to/report.html (CSV and JSON are written beside it)`} value={path} onChange={(e) => setExportPath(e.target.value)} />
        <button type="submit" className="btn" data-testid="bench-export" disabled={!exportReady(path)}>
          {exportVerb(path)}
        </button>
      </form>
      {downloads.length ? (
        <DownloadLinks downloads={downloads} testId="bench-export-files" />
      ) : files ? (
        <ul className="bn-files mono" data-testid="bench-export-files">
          {files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
