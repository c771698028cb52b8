// The evaluation shown: one status, progress with the time left, results filling in as cells finish,
// the A/B comparison with A and B as the user chooses, and export.
import { useEffect, useState } from 'react';
import type { EvalCell, EvalResults } from '../../../shared/evals.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { ProgressBar } from '../../ui/ProgressBar';
import { exportReady, exportVerb, isBrowserHost } from '../../ui/fileTransfer';
import { formatCount, formatMs, formatPercent } from '../../ui/format';
import { StoredImageThumb } from '../../ui/images/StoredImageThumb';
import { describeCheckType } from './assertions';
import { columnName, PassRateChart, SummaryRow } from './EvalSummary';
import { OutputSchemaNote } from './OutputSchemaFields';
import { etaMs, formatEta } from './evalEta';
import { useEvalsStore } from './evals.store';


/** Re-renders every second while `on`, so the time left counts down between progress events. */
function useTick(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

export function EvalRunPanel(): React.JSX.Element | null {
  const current = useEvalsStore((s) => s.current);
  const progress = useEvalsStore((s) => s.progress);
  const results = useEvalsStore((s) => s.results);
  const resultsError = useEvalsStore((s) => s.resultsError);
  const actionError = useEvalsStore((s) => s.actionError);
  const etaBase = useEvalsStore((s) => s.etaBase);
  const { cancel, resume } = useEvalsStore.getState();
  const liveStatus = progress?.status ?? current?.status;
  const now = useTick(liveStatus === 'running');
  if (!current) return null;
  const done = progress?.done ?? current.stored;
  const total = progress?.total ?? current.total;
  const passed = progress?.passed ?? current.passed;
  const failed = progress?.failed ?? current.failed;
  const errors = progress?.errors ?? current.errors;
  const status = progress?.status ?? current.status;
  const running = status === 'running' || status === 'pending';
  const inFlight = progress?.running ?? 0;
  const eta = progress ? etaMs(etaBase, progress, now) : null;
  const canResume = !running && (done < total || errors > 0);

  return (
    <div className="ev-run">
      <div className="card">
        <div className="section-head">
          <span className="card-title">{current.name}</span>
          <span className={`tag ${running ? 'tag-running' : status === 'done' ? 'tag-done' : 'tag-cancelled'}`} data-testid="eval-status">
            {status}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-small" data-testid="eval-cancel" disabled={!running} onClick={() => void cancel()}>
            Cancel
          </button>
          <button type="button" className="btn btn-small" data-testid="eval-resume" disabled={!canResume} onClick={() => void resume()}>
            Resume
          </button>
        </div>
        <div data-state={status} data-done={done} data-total={total} className="ev-progress-wrap">
          <ProgressBar
            testId="eval-progress"
            value={total ? done / total : null}
            label={`${formatCount(done)} / ${formatCount(total)} cells · ${formatCount(passed)} passed · ${formatCount(failed)} failed${errors ? ` · ${formatCount(errors)} errors` : ''}`}
          />
          {status === 'running' ? (
            <div className="hint ev-live" data-testid="eval-eta">
              {inFlight > 0 ? `${formatCount(inFlight)} running now · ` : ''}
              {formatEta(eta)}
            </div>
          ) : null}
        </div>
        <ErrorNote error={actionError} title="Evaluation problem" />
      </div>
      <ErrorNote error={resultsError} title="Could not load results" />
      {results ? <Results results={results} running={running} /> : running ? <p className="hint">Results appear here as cells finish.</p> : null}
    </div>
  );
}

function Results({ results, running }: { results: EvalResults; running: boolean }): React.JSX.Element {
  const columns = results.eval.columns;
  const imageVars = results.eval.imageVariables ?? [];
  const t = results.thresholds;
  const fields = results.eval.definition.assertions.some((a) => a.type === 'fields');
  return (
    <>
      <div className="card">
        <div className="section-head">
          <span className="card-title">Summary</span>
          {t.minPassRate !== null ? (
            <span className={t.passed ? 'tag tag-done' : 'tag tag-error'} title={t.failures.map((f) => f.message).join('\n')}>
              {t.passed ? 'thresholds met' : t.complete ? 'thresholds missed' : 'incomplete'}
            </span>
          ) : null}
        </div>
        <div className="ev-summary">
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Version · target</th>
                  <th className="right">Pass rate</th>
                  <th className="right">n</th>
                  <th>Mean scores</th>
                  {fields ? <th className="right" title="Outputs that were not JSON of the template's schema: each counts as a wrong document">Invalid</th> : null}
                  <th className="right">TTFT</th>
                  <th className="right">Latency</th>
                  <th className="right">Tokens</th>
                </tr>
              </thead>
              <tbody>
                {results.stats.map((s, i) => (
                  <SummaryRow key={`${s.versionId}-${s.targetKey}`} stats={s} column={columns[i]} invalid={fields} />
                ))}
              </tbody>
            </table>
          </div>
          <PassRateChart stats={results.stats} columns={columns} />
        </div>
        <OutputSchemaNote info={results.eval} />
        {t.failures.length ? (
          <ul className="ev-threshold-failures text-warn">
            {t.failures.map((f) => (
              <li key={`${f.versionId}-${f.targetKey}`}>{f.message}</li>
            ))}
          </ul>
        ) : null}
      </div>
      {results.eval.definition.promptVersionIds.length === 2 ? <Comparison results={results} /> : null}
      <ExportBar />
      <div className="card">
        <div className="section-head">
          <span className="card-title">Rows</span>
          <span className="muted num">{formatCount(results.rowTotal)}</span>
          {running ? <span className="tag tag-running" data-testid="eval-partial">partial: filling in as cells finish</span> : null}
        </div>
        <div className="table-wrap">
          <table className="table ev-rows">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Variables</th>
                {columns.map((c) => (
                  <th key={`${c.versionId}-${c.targetKey}`}>{columnName(c)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {results.rows.map((r) => (
                <tr key={r.id} data-testid="eval-row">
                  <td className="num muted">{r.position + 1}</td>
                  <td className="ev-vars">
                    {Object.entries(r.variables).map(([k, v]) =>
                      // An image variable's value is a stored image's hash: shown as the image beside the outputs.
                      imageVars.includes(k) && v ? (
                        <div key={k} className="ev-image-var">
                          <span className="mono muted">{k}</span> <StoredImageThumb hash={v} label={`Row ${r.position + 1} ${k}`} size={128} testId="eval-row-image" />
                        </div>
                      ) : (
                        <div key={k}>
                          <span className="mono muted">{k}</span> {v}
                        </div>
                      ),
                    )}
                    {r.expected !== null ? (
                      <div>
                        <span className="mono muted">expected</span> {r.expected}
                      </div>
                    ) : null}
                  </td>
                  {r.cells.map((c, i) => (
                    <CellView key={i} cell={c} running={running} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function CellView({ cell, running }: { cell: EvalCell | null; running: boolean }): React.JSX.Element {
  if (!cell) return <td className="muted ev-cell" data-testid="eval-cell-waiting">{running ? 'waiting…' : 'not run yet'}</td>;
  const failing = cell.checks.filter((c) => !c.pass);
  return (
    <td className={cell.pass ? 'ev-cell' : 'ev-cell ev-cell-fail'} data-pass={cell.pass}>
      <div className="ev-cell-head">
        <span className={cell.error ? 'tag tag-error' : cell.pass ? 'tag tag-done' : 'tag tag-error'}>{cell.error ? 'error' : cell.pass ? 'pass' : 'fail'}</span>
        <span className="muted num">
          {formatMs(cell.e2eMs)}
          {cell.completionTokens != null ? ` · ${cell.completionTokens} tok` : ''}
        </span>
      </div>
      {/* A removed run takes its output with it (runs.remove); the cell keeps its verdict and figures. */}
      <div className="ev-output">{cell.output || <span className="muted">{cell.runId === null && !cell.error ? 'run removed' : '(empty)'}</span>}</div>
      {cell.error ? <div className="text-danger ev-reason">{cell.error}</div> : null}
      {failing.map((c, i) => (
        <div key={i} className="ev-reason text-danger" data-testid="eval-failing">
          ✗ {describeCheckType(c.type)}: {c.reason}
        </div>
      ))}
    </td>
  );
}

function Comparison({ results }: { results: EvalResults }): React.JSX.Element {
  const comparison = useEvalsStore((s) => s.comparison);
  const error = useEvalsStore((s) => s.compareError);
  const key = useEvalsStore((s) => s.compareTargetKey);
  const setCompareTarget = useEvalsStore((s) => s.setCompareTarget);
  const swapAB = useEvalsStore((s) => s.swapAB);
  const setSwapAB = useEvalsStore((s) => s.setSwapAB);
  const [first, second] = results.eval.definition.promptVersionIds;
  const versionName = (id: string | undefined): string => {
    const col = results.eval.columns.find((x) => x.versionId === id);
    return col ? `${col.promptName} v${col.versionNumber}` : '—';
  };
  const [nameA, nameB] = swapAB ? [versionName(second), versionName(first)] : [versionName(first), versionName(second)];
  const keys = [...new Map(results.eval.columns.map((c) => [c.targetKey, c.targetName])).entries()];
  const c = comparison;
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pt`;
  return (
    <div className="card">
      <div className="section-head">
        <span className="card-title">A/B comparison</span>
        <span className="ev-ab-names">
          <span className="chip ev-ab ev-ab-a" data-testid="eval-compare-a">A · {nameA}</span>
          <span className="chip ev-ab" data-testid="eval-compare-b">B · {nameB}</span>
          <button type="button" className="btn btn-small" data-testid="eval-compare-swap" onClick={() => void setSwapAB(!swapAB)}>
            Swap A and B
          </button>
        </span>
        {keys.length > 1 ? (
          <select className="input" aria-label="Compare on target" value={key} onChange={(e) => void setCompareTarget(e.target.value)}>
            {keys.map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        ) : null}
      </div>
      <ErrorNote error={error} title="Could not compare" />
      {c ? (
        <div className="ev-verdict" data-testid="eval-verdict" data-verdict={c.verdict}>
          <div className={`ev-verdict-head ${c.verdict === 'no significant difference' ? '' : 'ev-verdict-sig'}`}>{c.verdict}</div>
          <p>{c.explanation}</p>
          <dl className="ev-stats num">
            <div>
              <dt>Pass rate A → B</dt>
              <dd>
                {formatPercent(c.passRateA)} → {formatPercent(c.passRateB)} <span className="muted">(n = {c.n})</span>
              </dd>
            </div>
            {results.eval.definition.assertions.some((a) => a.type === 'fields') ? (
              <div>
                <dt>Invalid outputs (wrong)</dt>
                <dd data-testid="eval-compare-invalid">
                  A {c.invalidA} · B {c.invalidB}
                </dd>
              </div>
            ) : null}
            <div>
              <dt>McNemar exact</dt>
              <dd data-testid="eval-pvalue">
                p = {c.mcnemar.pValue < 0.001 ? c.mcnemar.pValue.toExponential(1) : c.mcnemar.pValue.toFixed(3)}{' '}
                <span className="muted">
                  (only A {c.mcnemar.onlyA}, only B {c.mcnemar.onlyB})
                </span>
              </dd>
            </div>
            <div>
              <dt>Bootstrap {Math.round(c.bootstrap.confidence * 100)}% CI of B − A</dt>
              <dd>
                {pct(c.bootstrap.meanDiff)} [{pct(c.bootstrap.low)}, {pct(c.bootstrap.high)}]{' '}
                <span className="muted">
                  ({c.scoreKind === 'passFail' ? 'pass/fail' : 'score'}, {formatCount(c.bootstrap.resamples)} resamples)
                </span>
              </dd>
            </div>
          </dl>
        </div>
      ) : null}
    </div>
  );
}

function ExportBar(): React.JSX.Element {
  const path = useEvalsStore((s) => s.exportPath);
  const format = useEvalsStore((s) => s.exportFormat);
  const message = useEvalsStore((s) => s.exportMessage);
  const { setExport, exportResults } = useEvalsStore.getState();
  return (
    <div className="card">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void exportResults();
        }}
      >
        <span className="card-title">Export</span>
        <select className="input" aria-label="Export format" data-testid="eval-export-format" value={format} onChange={(e) => setExport({ exportFormat: e.target.value as 'csv' | 'json' })}>
          <option value="csv">CSV (one line per cell)</option>
          <option value="json">JSON (full results)</option>
        </select>
        <input className="input grow mono" data-testid="eval-export-path" aria-label="Export path" placeholder={`${isBrowserHost ? 'or a path on the server: ' : ''}/path/to/results.${format}`} value={path} onChange={(e) => setExport({ exportPath: e.target.value })} />
        <button type="submit" className="btn" data-testid="eval-export" disabled={!exportReady(path)}>
          {exportVerb(path)}
        </button>
      </form>
      {message ? <p className="hint" data-testid="eval-export-result">{message}</p> : null}
    </div>
  );
}
