import { useEffect, useRef } from 'react';
import type { GpuBackend } from '../../../shared/engine.schema';
import type { ModelInfo } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { withoutNamePrefix } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { useEngineStore } from '../../client/engine.store';
import { defaultLoadForm, GPU_BACKENDS, gpuUnavailableReason, parseLoadForm, type GpuLayersMode, type LoadForm } from '../../client/loadForm';
import { useModelsStore } from '../../client/models.store';

/** Settings and Load/Unload for the selected model, with load progress and load errors. */
export function LoadPanel({ model }: { model: ModelInfo }): React.JSX.Element {
  const info = useEngineStore((s) => s.info);
  const status = useEngineStore((s) => s.status);
  const loadingModelId = useEngineStore((s) => s.loadingModelId);
  const loadFailure = useEngineStore((s) => s.loadFailure);
  const unloadError = useEngineStore((s) => s.unloadError);
  const load = useEngineStore((s) => s.load);
  const unload = useEngineStore((s) => s.unload);
  const saved = useModelsStore((s) => s.loadForms[model.id]);
  const setLoadForm = useModelsStore((s) => s.setLoadForm);

  const form = saved ?? defaultLoadForm(model, info?.availableParallelism);
  const parsed = parseLoadForm(form);
  const errors = parsed.ok ? {} : parsed.errors;
  const edit = (patch: Partial<LoadForm>): void => setLoadForm(model.id, { ...form, ...patch });

  const engineBusy = status?.state === 'loading' || loadingModelId !== null;
  const thisLoading = loadingModelId === model.id || (status?.state === 'loading' && status.modelId === model.id);
  const thisLoaded = status?.state === 'ready' && status.modelId === model.id;
  const ownFailure = loadFailure?.modelId === model.id ? loadFailure : null;
  const failure = ownFailure
    ? { ...ownFailure.error, message: withoutNamePrefix(ownFailure.error.message, model.fileName) }
    : null;
  const cpuOnly = form.gpu === 'cpu';
  const errorRef = useRef<HTMLDivElement>(null);

  // The panel can sit below the fold; a failed load must not go unnoticed.
  useEffect(() => {
    if (ownFailure) errorRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [ownFailure]);

  return (
    <section className="card load-panel" data-testid="load-settings" aria-label={`Load ${model.fileName}`}>
      <div className="load-head">
        <h3 className="card-title">Load model</h3>
        {thisLoaded ? <span className="tag tag-ready">loaded</span> : null}
      </div>
      <div className="load-model mono" title={model.path}>{model.fileName}</div>
      <div className="load-path mono muted" title={model.path}>{model.path}</div>

      <div className="form-grid">
        <label htmlFor="load-gpu">Backend</label>
        <div>
          <select
            id="load-gpu"
            className="input"
            data-testid="load-gpu"
            value={form.gpu}
            onChange={(e) => edit({ gpu: e.target.value as GpuBackend })}
          >
            {GPU_BACKENDS.map((b) => {
              const why = gpuUnavailableReason(b, info?.supportedGpu);
              return (
                <option key={b} value={b} disabled={why !== null} title={why ?? undefined}>
                  {b}
                  {why ? ' (unavailable)' : ''}
                </option>
              );
            })}
          </select>
          <div className="hint">Supported here: {info ? info.supportedGpu.join(', ') || 'cpu' : '…'}</div>
        </div>

        <label htmlFor="load-gpu-layers">GPU layers</label>
        <div className="field-row">
          <select
            id="load-gpu-layers"
            className="input"
            value={form.gpuLayersMode}
            disabled={cpuOnly}
            title={cpuOnly ? 'Ignored on CPU' : undefined}
            onChange={(e) => edit({ gpuLayersMode: e.target.value as GpuLayersMode })}
          >
            <option value="auto">auto</option>
            <option value="max">max</option>
            <option value="custom">number…</option>
          </select>
          {form.gpuLayersMode === 'custom' ? (
            <input
              className={errors.gpuLayers ? 'input num invalid' : 'input num'}
              inputMode="numeric"
              aria-label="Number of GPU layers"
              value={form.gpuLayers}
              disabled={cpuOnly}
              onChange={(e) => edit({ gpuLayers: e.target.value })}
            />
          ) : null}
        </div>

        <NumberField id="load-context" label="Context size" value={form.contextSize} error={errors.contextSize}
          hint={model.metadata.contextLength ? `trained on ${model.metadata.contextLength.toLocaleString('en-US')}` : undefined}
          onChange={(v) => edit({ contextSize: v })} />
        <NumberField id="load-threads" label="Threads" value={form.threads} error={errors.threads}
          hint={`0 = auto (${info?.availableParallelism ?? '?'} available)`}
          onChange={(v) => edit({ threads: v })} />
        <NumberField id="load-batch" label="Batch size" value={form.batchSize} error={errors.batchSize}
          onChange={(v) => edit({ batchSize: v })} />
        <NumberField id="load-sequences" label="Sequences" value={form.sequences ?? '1'} error={errors.sequences}
          hint="runs decoded at once (API server parallelism)"
          onChange={(v) => edit({ sequences: v })} />
      </div>

      <div className="button-row">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="load-button"
          disabled={!parsed.ok || engineBusy}
          onClick={() => {
            if (parsed.ok) void load(model.id, parsed.settings);
          }}
        >
          {thisLoading ? 'Loading…' : thisLoaded ? 'Reload' : 'Load'}
        </button>
        <button
          type="button"
          className="btn"
          data-testid="unload-button"
          disabled={status?.state !== 'ready' || engineBusy}
          title={status?.state === 'ready' ? 'Free the loaded model' : 'No model is loaded'}
          onClick={() => void unload()}
        >
          Unload
        </button>
      </div>

      {thisLoading ? (
        <ProgressBar
          value={status?.state === 'loading' ? status.loadProgress : null}
          label={`Loading ${model.fileName}`}
          testId="load-progress"
        />
      ) : null}
      <div ref={errorRef}>
        <ErrorNote error={failure} testId="load-error" title={`Could not load ${model.fileName}`} />
      </div>
      <ErrorNote error={unloadError} title="Could not unload" />
      {thisLoaded && status.effective ? (
        <dl className="effective">
          <dt>Using</dt>
          <dd>
            {status.effective.gpu} · {status.effective.gpuLayers} GPU layers · ctx {status.effective.contextSize} ·{' '}
            {status.effective.threads} thread{status.effective.threads === 1 ? '' : 's'} · batch {status.effective.batchSize}
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

interface NumberFieldProps {
  id: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  onChange: (v: string) => void;
}

function NumberField({ id, label, value, error, hint, onChange }: NumberFieldProps): React.JSX.Element {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        <input
          id={id}
          className={error ? 'input num invalid' : 'input num'}
          data-testid={id}
          inputMode="numeric"
          value={value}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {error ? <div className="field-error">{error}</div> : hint ? <div className="hint">{hint}</div> : null}
      </div>
    </>
  );
}
