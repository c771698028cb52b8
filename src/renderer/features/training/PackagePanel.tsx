import type { ModelInfo } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount } from '../../ui/format';
import { isBrowserHost } from '../../ui/fileTransfer';
import { useTrainingStore } from './training.store';
import { buildPackageRequest } from './packageRequest';
import { NUMERIC_FIELDS, rowsAdvice } from './trainingForm';

/** training.package: a dataset, the base models and hyperparameters → a folder with data, configs and scripts. */
export function PackagePanel({ models }: { models: readonly ModelInfo[] }): React.JSX.Element {
  const form = useTrainingStore((s) => s.form);
  const errors = useTrainingStore((s) => s.formErrors);
  const datasets = useTrainingStore((s) => s.datasets);
  const packaging = useTrainingStore((s) => s.packaging);
  const packageError = useTrainingStore((s) => s.packageError);
  const counts = useTrainingStore((s) => s.rowCounts[s.form.datasetId] ?? null);
  const advice = rowsAdvice(counts);
  const n = (k: 'train' | 'accepted'): string => (counts ? ` · ${formatCount(counts[k])}` : '');
  const st = useTrainingStore.getState();

  return (
    <form
      className="card tr-package"
      data-testid="training-package-form"
      onSubmit={(e) => {
        e.preventDefault();
        void st.packageRun(buildPackageRequest(useTrainingStore.getState().form));
      }}
    >
      <h3 className="card-title">Package a fine-tune</h3>
      <p className="hint tr-lead">
        Writes the dataset, a LLaMA-Factory config, a PEFT/TRL script, a README and the GGUF conversion step into a folder. Run it
        here or copy it to a GPU machine.
      </p>
      <div className="tr-grid">
        <Field label="Dataset" error={errors.datasetId}>
          <select className="input" data-testid="training-dataset" value={form.datasetId} onChange={(e) => st.setForm({ datasetId: e.target.value })}>
            <option value="">{datasets.length ? 'Choose a dataset…' : 'No datasets; import one under Datasets'}</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} · {formatCount(d.rowCount)} rows
              </option>
            ))}
          </select>
        </Field>
        <Field label="Rows" group>
          <div className="segmented" role="group" aria-label="Rows to train on">
            <button type="button" className={form.split === 'train' ? 'on' : ''} aria-pressed={form.split === 'train'} onClick={() => st.pickSplit('train')} title="The train split when the dataset has one, else all accepted rows">
              Train split{n('train')}
            </button>
            <button type="button" className={form.split === 'all' ? 'on' : ''} aria-pressed={form.split === 'all'} onClick={() => st.pickSplit('all')}>
              All accepted{n('accepted')}
            </button>
          </div>
          {advice.note ? (
            <span className="hint tr-rows-note" data-testid="training-rows-note">
              {advice.note}
            </span>
          ) : null}
        </Field>
        <Field label="Runs on (GGUF)" error={errors.baseModelId}>
          <select className="input" data-testid="training-base-model" value={form.baseModelId} onChange={(e) => st.setForm({ baseModelId: e.target.value })}>
            <option value="">{models.length ? 'Choose a library model…' : 'No models; add one under Models'}</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.fileName}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Train on (HF)" error={errors.trainBaseModel}>
          <input
            className="input mono"
            data-testid="training-hf-model"
            placeholder="meta-llama/Llama-3.2-1B-Instruct or /models/llama"
            spellCheck={false}
            value={form.trainBaseModel}
            onChange={(e) => st.setForm({ trainBaseModel: e.target.value })}
          />
        </Field>
      </div>

      <h4 className="tr-sub">Hyperparameters</h4>
      <div className="tr-hp">
        <Field label="Method" group>
          <div className="segmented" role="group" aria-label="Method">
            {(['lora', 'qlora'] as const).map((m) => (
              <button key={m} type="button" className={form.method === m ? 'on' : ''} aria-pressed={form.method === m} onClick={() => st.setForm({ method: m })}>
                {m === 'lora' ? 'LoRA' : 'QLoRA'}
              </button>
            ))}
          </div>
        </Field>
        <Field label="Precision">
          <select className="input" data-testid="training-precision" value={form.precision} onChange={(e) => st.setForm({ precision: e.target.value as typeof form.precision })}>
            <option value="bf16">bf16</option>
            <option value="fp16">fp16</option>
            <option value="fp32">fp32</option>
          </select>
        </Field>
        {NUMERIC_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} error={errors[f.key]} hint={f.hint}>
            <input
              className="input num"
              inputMode="decimal"
              data-testid={`training-hp-${f.key}`}
              value={form.numbers[f.key]}
              onChange={(e) => st.setNumber(f.key, e.target.value)}
            />
          </Field>
        ))}
        <Field label="Target modules" error={errors.targetModules} hint="comma-separated" wide>
          <input className="input mono" data-testid="training-modules" spellCheck={false} value={form.targetModules} onChange={(e) => st.setForm({ targetModules: e.target.value })} />
        </Field>
      </div>

      <div className="tr-grid tr-out">
        <Field label={isBrowserHost ? 'Output folder on the server' : 'Output folder'} error={errors.outDir}>
          <input
            className="input mono"
            data-testid="training-outdir"
            placeholder="/path/to/finetune-run"
            spellCheck={false}
            value={form.outDir}
            onChange={(e) => st.setForm({ outDir: e.target.value })}
          />
        </Field>
      </div>
      <ErrorNote error={packageError} title="Could not write the package" testId="training-package-error" />
      <div className="button-row">
        <button type="submit" className="btn btn-primary" data-testid="training-package" disabled={packaging}>
          {packaging ? 'Writing…' : 'Write package'}
        </button>
      </div>
    </form>
  );
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  wide?: boolean;
  /** A group of buttons: a label element would press the first one when its text is clicked. */
  group?: boolean;
  children: React.ReactNode;
}

function Field({ label, error, hint, wide, group, children }: FieldProps): React.JSX.Element {
  const Tag = group ? 'div' : 'label';
  return (
    <Tag className={wide ? 'tr-field wide' : 'tr-field'}>
      <span className="tr-label">
        {label}
        {hint ? <span className="muted tr-hint"> · {hint}</span> : null}
      </span>
      {children}
      {error ? <span className="field-error">{error}</span> : null}
    </Tag>
  );
}
