import { useEffect, useState } from 'react';
import type { AssertionInput } from '../../../shared/assertions.schema';
import type { EvalCell, EvalColumn, EvalColumnStats, EvalResults } from '../../../shared/evals.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { ProgressBar } from '../../ui/ProgressBar';
import { RecordList } from '../../ui/RecordList';
import { exportReady, exportVerb, isBrowserHost } from '../../ui/fileTransfer';
import { formatCount, formatMs, formatPercent } from '../../ui/format';
import { TargetRows } from '../targets/TargetRows';
import { ASSERTION_FIELDS, ASSERTION_TYPES, describeCheckType, type AssertionType, type FieldSpec } from './assertions';
import { useEvalsStore } from './evals.store';
import './evals.css';

export function EvalsView(): React.JSX.Element {
  const evals = useEvalsStore((s) => s.evals);
  const current = useEvalsStore((s) => s.current);
  const loadError = useEvalsStore((s) => s.loadError);
  const { init, open, newEval } = useEvalsStore.getState();
  useEffect(() => {
    void init();
  }, [init]);

  return (
    <div className="view view-evals">
      <RecordList
        prefix="ev"
        label="Evaluations"
        title="Evaluations"
        items={evals.map((e) => ({ id: e.id, name: e.name, state: e.status, createdAt: e.createdAt }))}
        currentId={current?.id ?? null}
        loadError={loadError}
        errorTitle="Could not load evaluations"
        newTestId="eval-new"
        rowTestId="eval-list-row"
        onNew={newEval}
        onOpen={(id) => void open(id)}
      />
      <section className="ev-main">{current ? <RunPanel /> : <CreateForm />}</section>
    </div>
  );
}

function CreateForm(): React.JSX.Element {
  const form = useEvalsStore((s) => s.form);
  const prompts = useEvalsStore((s) => s.prompts);
  const versions = useEvalsStore((s) => s.versions);
  const testSets = useEvalsStore((s) => s.testSets);
  const creating = useEvalsStore((s) => s.creating);
  const error = useEvalsStore((s) => s.createError);
  const st = useEvalsStore.getState();
  const [addType, setAddType] = useState<AssertionType>('contains');

  return (
    <form
      className="card ev-form"
      onSubmit={(e) => {
        e.preventDefault();
        void st.createAndStart();
      }}
    >
      <label className="ev-field">
        <span>Name</span>
        <input className="input" data-testid="eval-name-input" value={form.name} placeholder="What this evaluation checks" onChange={(e) => st.setForm({ name: e.target.value })} />
      </label>

      <div className="ev-field">
        <span>Prompt versions</span>
        <div>
          <select className="input" aria-label="Prompt" data-testid="eval-prompt-pick" value={form.promptId} onChange={(e) => void st.pickPrompt(e.target.value)}>
            <option value="">Choose a prompt…</option>
            {prompts.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} (v{p.latest.number})
              </option>
            ))}
          </select>
          <div className="ev-versions">
            {versions.map((v) => {
              const at = form.versionIds.indexOf(v.id);
              return (
                <label key={v.id} className="check ev-version" data-version={v.number}>
                  <input type="checkbox" data-testid="eval-version-pick" checked={at >= 0} onChange={() => st.toggleVersion(v.id)} />
                  <span className="num">v{v.number}</span>
                  <span className="muted">{v.message}</span>
                  {form.versionIds.length === 2 && at >= 0 ? <span className="chip">{at === 0 ? 'A' : 'B'}</span> : null}
                </label>
              );
            })}
          </div>
          {form.versionIds.length === 2 ? <p className="hint">Two versions: an A/B comparison (A is the first picked).</p> : null}
        </div>
      </div>

      <div className="ev-field">
        <span>Targets</span>
        <TargetRows store={useEvalsStore} targetKeys={form.targetKeys} targetAdapters={form.targetAdapters} prefix="ev" testIdPrefix="eval" emptyLabel="Each version’s saved target" />
      </div>

      <label className="ev-field">
        <span>Test set</span>
        <select className="input" data-testid="eval-testset-pick" value={form.testSetId} onChange={(e) => st.setForm({ testSetId: e.target.value })}>
          <option value="">Choose a test set…</option>
          {testSets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.rowCount} rows)
            </option>
          ))}
        </select>
      </label>

      <div className="ev-field">
        <span>Assertions</span>
        <div className="ev-assertions">
          {form.assertions.map((a, i) => (
            <AssertionRow key={i} index={i} assertion={a} />
          ))}
          <div className="inline-form">
            <select className="input" aria-label="Assertion type" data-testid="eval-assertion-type" value={addType} onChange={(e) => setAddType(e.target.value as AssertionType)}>
              {ASSERTION_TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-small" data-testid="eval-assertion-add" onClick={() => st.addAssertion(addType)}>
              + Assertion
            </button>
          </div>
        </div>
      </div>

      <label className="ev-field">
        <span>Min pass rate</span>
        <span className="inline-form">
          <input className="input ev-narrow" data-testid="eval-threshold-input" inputMode="decimal" placeholder="none" value={form.minPassRate} onChange={(e) => st.setForm({ minPassRate: e.target.value })} />
          <span className="muted">% of rows, per version × target</span>
        </span>
      </label>

      <ErrorNote error={error} title="Could not start the evaluation" />
      <div className="ev-actions">
        <button type="submit" className="btn btn-primary" data-testid="eval-start" disabled={creating}>
          {creating ? 'Starting…' : 'Create and start'}
        </button>
      </div>
    </form>
  );
}

function AssertionRow({ index, assertion }: { index: number; assertion: AssertionInput }): React.JSX.Element {
  const { updateAssertion, removeAssertion } = useEvalsStore.getState();
  const record = assertion as Record<string, unknown>;
  const put = (key: string, value: unknown): void => {
    const next: Record<string, unknown> = { ...record, [key]: value };
    if (value === undefined) delete next[key];
    updateAssertion(index, next as AssertionInput);
  };
  return (
    <div className="ev-assertion" data-testid="eval-assertion">
      <span className="chip">{describeCheckType(assertion.type)}</span>
      {ASSERTION_FIELDS[assertion.type].map((f) => (
        <AssertionField key={f.key} field={f} value={record[f.key]} onChange={(v) => put(f.key, v)} />
      ))}
      <span className="spacer" />
      <button type="button" className="btn-icon" aria-label={`Remove assertion ${index + 1}`} onClick={() => removeAssertion(index)}>
        ×
      </button>
    </div>
  );
}

function AssertionField({ field, value, onChange }: { field: FieldSpec; value: unknown; onChange: (v: unknown) => void }): React.JSX.Element {
  const testId = `eval-assertion-${field.key}`;
  switch (field.kind) {
    case 'bool':
      return (
        <label className="check">
          <input type="checkbox" data-testid={testId} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {field.label}
        </label>
      );
    case 'rougeVariant':
      return (
        <select className="input" aria-label={field.label} data-testid={testId} value={String(value ?? 'rougeL')} onChange={(e) => onChange(e.target.value)}>
          <option value="rouge1">ROUGE-1</option>
          <option value="rouge2">ROUGE-2</option>
          <option value="rougeL">ROUGE-L</option>
        </select>
      );
    case 'number':
    case 'optionalNumber':
      return (
        <label className="ev-inline-field">
          <span className="muted">{field.label}</span>
          <input
            className="input ev-narrow"
            data-testid={testId}
            type="number"
            placeholder={field.placeholder}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? (field.kind === 'optionalNumber' ? undefined : 0) : Number(e.target.value))}
          />
        </label>
      );
    case 'longText':
      return (
        <textarea className="input mono ev-long" aria-label={field.label} data-testid={testId} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
      );
    case 'text':
      return (
        <label className="ev-inline-field grow">
          <span className="muted">{field.label}</span>
          <input
            className="input mono grow"
            data-testid={testId}
            placeholder={field.placeholder}
            value={String(value ?? '')}
            onChange={(e) => onChange(field.key === 'value' && e.target.value === '' && field.placeholder?.startsWith('blank') ? undefined : e.target.value)}
          />
        </label>
      );
  }
}

function columnName(c: EvalColumn): string {
  return `${c.promptName} v${c.versionNumber} · ${c.targetName}`;
}

function RunPanel(): React.JSX.Element | null {
  const current = useEvalsStore((s) => s.current);
  const progress = useEvalsStore((s) => s.progress);
  const results = useEvalsStore((s) => s.results);
  const resultsError = useEvalsStore((s) => s.resultsError);
  const actionError = useEvalsStore((s) => s.actionError);
  const { cancel, resume } = useEvalsStore.getState();
  if (!current) return null;
  const done = progress?.done ?? current.stored;
  const total = progress?.total ?? current.total;
  const passed = progress?.passed ?? current.passed;
  const failed = progress?.failed ?? current.failed;
  const errors = progress?.errors ?? current.errors;
  const status = progress?.status ?? current.status;
  const running = status === 'running' || status === 'pending';
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
        </div>
        <ErrorNote error={actionError} title="Evaluation problem" />
      </div>
      <ErrorNote error={resultsError} title="Could not load results" />
      {results ? <Results results={results} /> : null}
    </div>
  );
}

function Results({ results }: { results: EvalResults }): React.JSX.Element {
  const columns = results.eval.columns;
  const t = results.thresholds;
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
                  <th className="right">TTFT</th>
                  <th className="right">Latency</th>
                  <th className="right">Tokens</th>
                </tr>
              </thead>
              <tbody>
                {results.stats.map((s, i) => (
                  <SummaryRow key={`${s.versionId}-${s.targetKey}`} stats={s} column={columns[i]} />
                ))}
              </tbody>
            </table>
          </div>
          <PassRateChart stats={results.stats} columns={columns} />
        </div>
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
                    {Object.entries(r.variables).map(([k, v]) => (
                      <div key={k}>
                        <span className="mono muted">{k}</span> {v}
                      </div>
                    ))}
                    {r.expected !== null ? (
                      <div>
                        <span className="mono muted">expected</span> {r.expected}
                      </div>
                    ) : null}
                  </td>
                  {r.cells.map((c, i) => (
                    <CellView key={i} cell={c} />
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

function SummaryRow({ stats, column }: { stats: EvalColumnStats; column: EvalColumn | undefined }): React.JSX.Element {
  const scores = Object.entries(stats.meanScores);
  return (
    <tr data-testid="eval-summary-row">
      <td>{column ? columnName(column) : stats.targetKey}</td>
      <td className="right num">
        {formatPercent(stats.passRate)}
        {stats.pending ? <span className="muted"> ({stats.pending} pending)</span> : null}
      </td>
      <td className="right num">
        {stats.passed}/{stats.n}
        {stats.errors ? <span className="text-danger"> · {stats.errors} err</span> : null}
      </td>
      <td className="num">{scores.length ? scores.map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`).join(' · ') : '—'}</td>
      <td className="right num">{formatMs(stats.meanTtftMs)}</td>
      <td className="right num">{formatMs(stats.meanE2eMs)}</td>
      <td className="right num">{stats.meanCompletionTokens == null ? '—' : stats.meanCompletionTokens.toFixed(1)}</td>
    </tr>
  );
}

/** Pass rate per column as horizontal bars: plain SVG, scaled to 0–100%. */
function PassRateChart({ stats, columns }: { stats: readonly EvalColumnStats[]; columns: readonly EvalColumn[] }): React.JSX.Element {
  const barH = 18;
  const gap = 8;
  const labelW = 170;
  const width = 420;
  const plotW = width - labelW - 44;
  const height = stats.length * (barH + gap) + gap;
  return (
    <svg className="ev-chart" data-testid="eval-chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Pass rate per version and target">
      {stats.map((s, i) => {
        const y = gap + i * (barH + gap);
        const rate = s.passRate ?? 0;
        const c = columns[i];
        const label = c ? `v${c.versionNumber} · ${c.targetName}` : s.targetKey;
        return (
          <g key={`${s.versionId}-${s.targetKey}`}>
            <text x={labelW - 8} y={y + barH / 2} textAnchor="end" dominantBaseline="middle" className="ev-chart-label">
              {label.length > 26 ? `${label.slice(0, 25)}…` : label}
            </text>
            <rect x={labelW} y={y} width={plotW} height={barH} className="ev-chart-track" rx={3} />
            <rect x={labelW} y={y} width={plotW * rate} height={barH} className="ev-chart-bar" rx={3} />
            <text x={labelW + plotW + 6} y={y + barH / 2} dominantBaseline="middle" className="ev-chart-value">
              {s.passRate == null ? '—' : `${Math.round(rate * 100)}%`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function CellView({ cell }: { cell: EvalCell | null }): React.JSX.Element {
  if (!cell) return <td className="muted ev-cell">not run yet</td>;
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
      <div className="ev-output">{cell.output || <span className="muted">(empty)</span>}</div>
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
  const keys = [...new Map(results.eval.columns.map((c) => [c.targetKey, c.targetName])).entries()];
  const c = comparison;
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pt`;
  return (
    <div className="card">
      <div className="section-head">
        <span className="card-title">A/B comparison</span>
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
