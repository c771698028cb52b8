import { useEffect } from 'react';
import type { AdapterUse } from '../../../shared/adapters.schema';
import type { ModelInfo } from '../../../shared/schemas';
import { ErrorNote } from '../../ui/ErrorNote';
import { AdapterAttach } from '../adapters/AdapterAttach';
import { adaptersOf, withAdapters } from '../adapters/adapterTarget';
import { useEngineStore } from '../engine/engine.store';
import { useModelsStore } from '../models/models.store';
import { parseTargetKey } from '../targets/targetChoices';
import { TargetOptions } from '../targets/TargetOptions';
import { useRemoteChoiceGroups } from '../targets/useRemoteChoices';
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
  const models = useModelsStore((s) => s.models);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const groups = useRemoteChoiceGroups();

  // The loaded model is the natural first target.
  useEffect(() => {
    const f = useBenchStore.getState().form;
    if (loadedId && f.targetKeys.length === 1 && f.targetKeys[0] === '') useBenchStore.getState().setTarget(0, loadedId);
  }, [loadedId]);

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
        <div className="bn-targets">
          {form.targetKeys.map((k, i) => (
            <div key={i} className="bn-target">
              <div className="inline-form">
                <select className="input grow" data-testid="bench-target-pick" aria-label={`Target ${i + 1}`} value={k} onChange={(e) => st.setTarget(i, e.target.value)}>
                  <option value="">Choose a target…</option>
                  <TargetOptions models={models} loadedId={loadedId} groups={groups} />
                </select>
                {form.targetKeys.length > 1 ? (
                  <button type="button" className="btn-icon" aria-label={`Remove target ${i + 1}`} onClick={() => st.removeTarget(i)}>
                    ×
                  </button>
                ) : null}
              </div>
              <TargetAdapters index={i} targetKey={k} adapters={form.targetAdapters[i] ?? []} models={models} />
            </div>
          ))}
          <button type="button" className="btn btn-small" data-testid="bench-target-add" onClick={st.addTarget} disabled={form.targetKeys.length >= 12}>
            + Target
          </button>
        </div>
      </div>

      <div className="bn-field">
        <span>Workload</span>
        <div className="bn-stack">
          <div className="segmented" role="radiogroup" aria-label="Workload">
            {(['synthetic', 'dataset', 'testset'] as const).map((w) => (
              <button key={w} type="button" role="radio" aria-checked={form.workload === w} className={form.workload === w ? 'on' : ''} data-testid={`bench-workload-${w}`} onClick={() => st.setForm({ workload: w })}>
                {w === 'synthetic' ? 'Synthetic' : w === 'dataset' ? 'Dataset' : 'Test set + prompt'}
              </button>
            ))}
          </div>
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

/** Adapters on a benchmark target: only a local model takes them. */
function TargetAdapters({ index, targetKey, adapters, models }: { index: number; targetKey: string; adapters: AdapterUse[]; models: readonly ModelInfo[] }): React.JSX.Element | null {
  const base = parseTargetKey(targetKey);
  if (!base || base.kind !== 'local') return null;
  return (
    <AdapterAttach
      target={withAdapters(base, adapters)}
      onChange={(t) => useBenchStore.getState().setTargetAdapters(index, adaptersOf(t))}
      baseLabel={models.find((m) => m.id === base.modelId)?.fileName ?? base.modelId}
      testId={`bench-target-adapters-${index}`}
    />
  );
}
