import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { BenchImageFields } from './BenchImageFields';
import { parseLoads } from './benchCharts';
import { sequenceNotes } from './benchChecks';
import { TargetRows } from '../../ui/targets/TargetRows';
import { useBenchStore, type BenchForm as Form } from './bench.store';

export function BenchForm(): React.JSX.Element {
  const form = useBenchStore((s) => s.form);
  const datasets = useBenchStore((s) => s.datasets);
  const testSets = useBenchStore((s) => s.testSets);
  const prompts = useBenchStore((s) => s.prompts);
  const versions = useBenchStore((s) => s.versions);
  const starting = useBenchStore((s) => s.starting);
  const error = useBenchStore((s) => s.formError);
  const st = useBenchStore.getState();
  const status = useEngineStore((s) => s.status);
  const models = useModelsStore((s) => s.models);
  const maxC = Number(form.maxConcurrency);
  const loads = parseLoads(form.loadsText, form.loadMode, form.maxConcurrency.trim() && Number.isInteger(maxC) && maxC > 0 ? maxC : null);
  const notes = loads.ok
    ? sequenceNotes(loads.loads, form.targetKeys, status?.state === 'ready' || status?.state === 'loading' ? status : null, (id) => models.find((m) => m.id === id)?.fileName ?? 'The model')
    : [];

  const text = (key: keyof Form, label: string, testId: string, extra?: { placeholder?: string; unit?: string }): React.JSX.Element => (
    <label className="bn-num">
      <span className="muted">{label}</span>
      <span className="inline-form">
        <input className="input bn-narrow" data-testid={testId} inputMode="decimal" placeholder={extra?.placeholder} value={String(form[key])} onChange={(e) => st.setForm({ [key]: e.target.value } as Partial<Form>)} />
        {extra?.unit ? <span className="muted">{extra.unit}</span> : null}
      </span>
    </label>
  );

  return (
    <form
      className="card bn-form"
      onSubmit={(e) => {
        e.preventDefault();
        void st.start();
      }}
    >
      <label className="bn-field">
        <span>Name</span>
        <input className="input" data-testid="bench-name-input" value={form.name} placeholder="What this run measures" onChange={(e) => st.setForm({ name: e.target.value })} />
      </label>

      <div className="bn-field">
        <span>Targets</span>
        <TargetRows store={useBenchStore} targetKeys={form.targetKeys} targetAdapters={form.targetAdapters} prefix="bn" testIdPrefix="bench" emptyLabel="Choose a target…" addTestId="bench-target-add" maxTargets={12} />
      </div>

      <div className="bn-field">
        <span>Workload</span>
        <div className="bn-stack">
          <div className="segmented" role="radiogroup" aria-label="Workload">
            {(['synthetic', 'dataset', 'testset', 'images'] as const).map((w) => (
              <button key={w} type="button" role="radio" aria-checked={form.workload === w} className={form.workload === w ? 'on' : ''} data-testid={`bench-workload-${w}`} onClick={() => st.setForm({ workload: w })}>
                {w === 'synthetic' ? 'Synthetic' : w === 'dataset' ? 'Dataset' : w === 'testset' ? 'Test set + prompt' : 'Images'}
              </button>
            ))}
          </div>
          {form.workload === 'images' ? <BenchImageFields /> : null}
          <div className="bn-row">
            {form.workload === 'synthetic' ? text('inputLen', 'Input', 'bench-input-len', { unit: 'tokens' }) : null}
            {form.workload === 'dataset' ? (
              <select className="input" aria-label="Dataset" data-testid="bench-dataset-pick" value={form.datasetId} onChange={(e) => st.setForm({ datasetId: e.target.value })}>
                <option value="">Choose a dataset…</option>
                {datasets.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name} ({d.rowCount} rows)
                  </option>
                ))}
              </select>
            ) : null}
            {form.workload === 'testset' ? (
              <>
                <select className="input" aria-label="Test set" data-testid="bench-testset-pick" value={form.testSetId} onChange={(e) => st.setForm({ testSetId: e.target.value })}>
                  <option value="">Choose a test set…</option>
                  {testSets.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name} ({t.rowCount} rows)
                    </option>
                  ))}
                </select>
                <select className="input" aria-label="Prompt" value={form.promptId} onChange={(e) => void st.pickPrompt(e.target.value)}>
                  <option value="">Choose a prompt…</option>
                  {prompts.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
                <select className="input" aria-label="Prompt version" value={form.promptVersionId} onChange={(e) => st.setForm({ promptVersionId: e.target.value })} disabled={!versions.length}>
                  {versions.map((v) => (
                    <option key={v.id} value={v.id}>
                      v{v.number} {v.message}
                    </option>
                  ))}
                </select>
              </>
            ) : null}
            {text('outputLen', 'Output', 'bench-output-len', { unit: 'tokens' })}
          </div>
        </div>
      </div>

      <div className="bn-field">
        <span>Load</span>
        <div className="bn-stack">
          <div className="segmented" role="radiogroup" aria-label="Load shape">
            <button type="button" role="radio" aria-checked={form.loadMode === 'concurrency'} className={form.loadMode === 'concurrency' ? 'on' : ''} data-testid="bench-load-concurrency" onClick={() => st.setForm({ loadMode: 'concurrency', loadsText: '1, 2, 4' })}>
              Concurrency sweep
            </button>
            <button type="button" role="radio" aria-checked={form.loadMode === 'rate'} className={form.loadMode === 'rate' ? 'on' : ''} data-testid="bench-load-rate" onClick={() => st.setForm({ loadMode: 'rate', loadsText: '1, 2' })}>
              Request rate
            </button>
          </div>
          <div className="bn-row">
            {text('loadsText', form.loadMode === 'concurrency' ? 'Concurrency' : 'Requests / s (Poisson)', 'bench-loads', { placeholder: form.loadMode === 'concurrency' ? '1, 2, 4' : '0.5, 1, 2' })}
            {form.loadMode === 'rate' ? text('maxConcurrency', 'Max concurrency', 'bench-max-concurrency', { placeholder: 'none' }) : null}
            {text('warmup', 'Warm-up', 'bench-warmup', { unit: 'requests' })}
            {text('requests', 'Measured', 'bench-requests', { unit: 'requests per cell' })}
          </div>
        </div>
      </div>

      {notes.length ? (
        <ul className="bn-seq-notes" data-testid="bench-sequence-notes">
          {notes.map((n) => (
            <li key={n.text} className={n.level === 'warn' ? 'text-warn' : 'muted'} data-level={n.level}>
              {n.level === 'warn' ? '⚠ ' : ''}
              {n.text}
            </li>
          ))}
        </ul>
      ) : null}

      <div className="bn-field">
        <span>SLOs</span>
        <div className="bn-row">
          {text('ttftMs', 'TTFT ≤', 'bench-slo-ttft', { unit: 'ms', placeholder: 'none' })}
          {text('tpotMs', 'TPOT ≤', 'bench-slo-tpot', { unit: 'ms', placeholder: 'none' })}
          {text('e2elMs', 'E2E ≤', 'bench-slo-e2el', { unit: 'ms', placeholder: 'none' })}
        </div>
      </div>
      <p className="hint">Goodput counts the requests that met every SLO given; a blank SLO is not checked.</p>

      <ErrorNote error={error} title="Could not start the benchmark" />
      <div className="bn-actions">
        <button type="submit" className="btn btn-primary" data-testid="bench-start" disabled={starting}>
          {starting ? 'Starting…' : 'Start'}
        </button>
      </div>
    </form>
  );
}
