import { useEffect } from 'react';
import type { AdapterInfo, AdapterProvenance } from '../../../shared/adapters.schema';
import type { ModelInfo } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { FileInput } from '../../ui/FileInput';
import { formatBytes, formatCount, formatTime, shortHash } from '../../ui/format';
import { useAdaptersStore } from '../../client/adapters.store';
import './adapters.css';

interface Props {
  models: readonly ModelInfo[];
}

/** The Models view's LoRA adapters: add a GGUF adapter, see what it changes and where it came from, check it. */
export function AdaptersSection({ models }: Props): React.JSX.Element {
  const adapters = useAdaptersStore((s) => s.adapters);
  const listError = useAdaptersStore((s) => s.listError);
  const pathInput = useAdaptersStore((s) => s.pathInput);
  const adding = useAdaptersStore((s) => s.adding);
  const addError = useAdaptersStore((s) => s.addError);
  const removeError = useAdaptersStore((s) => s.removeError);
  const st = useAdaptersStore.getState();

  useEffect(() => {
    void useAdaptersStore.getState().refresh();
  }, []);
  // Hashes are computed after adding and no event announces them: look again while any is missing.
  // A file that cannot be hashed stays without one, so the looking stops after a while.
  const hashing = adapters.some((a) => a.sha256 === null);
  useEffect(() => {
    if (!hashing) return;
    let tries = 0;
    const timer = setInterval(() => {
      if (++tries > 40) clearInterval(timer);
      else void useAdaptersStore.getState().refresh();
    }, 1500);
    return () => clearInterval(timer);
  }, [hashing]);

  return (
    <section className="adapters" data-testid="adapters-section">
      <div className="section-head">
        <h3>Adapters</h3>
        <span className="muted">
          LoRA adapters in GGUF; attach them to a local model with a scale in the Playground, Compare and Evaluations.
        </span>
      </div>
      <FileInput purpose="adapter" accept=".gguf" what="a GGUF LoRA adapter" testId="adapter-upload" disabled={adding} onUploaded={(u) => void st.add(u.path)}>
        <form
          className="inline-form ad-add"
          onSubmit={(e) => {
            e.preventDefault();
            void st.add();
          }}
        >
          <input
            className="input mono grow"
            data-testid="adapter-path-input"
            placeholder="/path/to/adapter.gguf"
            spellCheck={false}
            value={pathInput}
            onChange={(e) => st.setPathInput(e.target.value)}
            aria-label="Adapter file path"
          />
          <button type="submit" className="btn btn-primary" data-testid="adapter-add" disabled={adding || !pathInput.trim()}>
            {adding ? 'Adding…' : 'Add adapter'}
          </button>
        </form>
      </FileInput>
      <ErrorNote error={addError} title="Could not add the adapter" testId="adapter-error" onDismiss={st.clearAddError} />
      <ErrorNote error={listError} title="Could not list adapters" onDismiss={() => void st.refresh()} />
      {adapters.length ? (
        <ul className="ad-list">
          {adapters.map((a) => (
            <AdapterCard key={a.id} adapter={a} models={models} />
          ))}
        </ul>
      ) : (
        <p className="hint">No adapters yet. Add a GGUF LoRA file (convert PEFT adapters with llama.cpp’s convert_lora_to_gguf.py), or train one under Fine-tune.</p>
      )}
      {removeError ? (
        <ErrorNote error={removeError.error} title={`Could not remove ${adapters.find((a) => a.id === removeError.adapterId)?.fileName ?? 'the adapter'}`} />
      ) : null}
    </section>
  );
}

function AdapterCard({ adapter, models }: { adapter: AdapterInfo; models: readonly ModelInfo[] }): React.JSX.Element {
  const removing = useAdaptersStore((s) => s.removing === adapter.id);
  const check = useAdaptersStore((s) => s.checks[adapter.id] ?? null);
  const st = useAdaptersStore.getState();
  const md = adapter.metadata;
  const modelId = check?.modelId && models.some((m) => m.id === check.modelId) ? check.modelId : '';
  const modelName = models.find((m) => m.id === modelId)?.fileName ?? 'a model';

  return (
    <li className="ad-card" data-testid="adapter-row" data-adapter-id={adapter.id}>
      <div className="ad-head">
        <span className="mono ad-file" title={adapter.path}>{adapter.fileName}</span>
        {md.adapterType ? <span className="tag">{md.adapterType}</span> : null}
        {adapter.provenance ? <span className="tag tag-ready" title="Trained from a Lamplight training package">trained here</span> : null}
        <span className="spacer" />
        <button
          type="button"
          className="icon-btn"
          disabled={removing}
          title={`Remove ${adapter.fileName} from the library`}
          aria-label="Remove adapter"
          data-testid="adapter-remove"
          onClick={() => void st.remove(adapter.id)}
        >
          <svg viewBox="0 0 16 16" aria-hidden>
            <path d="M3 4.5h10 M6.5 4.5V3h3v1.5 M4.5 4.5l.7 8.5h5.6l.7-8.5 M7 7v4 M9 7v4" />
          </svg>
        </button>
      </div>
      <dl className="ad-facts">
        <Fact label="Architecture" value={md.architecture ?? '—'} />
        <Fact label="Rank" value={md.rank != null ? String(md.rank) : 'mixed'} />
        <Fact label="Alpha" value={md.alpha != null ? String(md.alpha) : '—'} />
        <Fact label="Layers" value={md.layerCount != null ? String(md.layerCount) : '—'} />
        <Fact label="Tensors" value={formatCount(md.tensorCount)} />
        <Fact label="Size" value={formatBytes(adapter.sizeBytes)} />
        <Fact label="SHA-256" value={adapter.sha256 ? shortHash(adapter.sha256) : 'hashing…'} title={adapter.sha256 ?? 'Not hashed yet'} mono />
      </dl>
      <div className="ad-targets" data-testid="adapter-targets">
        <span className="muted">Changes</span>
        {md.targets.length ? md.targets.map((t) => <span key={t} className="chip mono">{t}</span>) : <span className="muted">no known weights</span>}
      </div>
      {adapter.provenance ? <Provenance p={adapter.provenance} models={models} /> : null}
      <div className="ad-check">
        <label className="muted" htmlFor={`ad-check-${adapter.id}`}>Check against</label>
        <select
          id={`ad-check-${adapter.id}`}
          className="input"
          data-testid="adapter-check-model"
          value={modelId}
          onChange={(e) => st.setCheckModel(adapter.id, e.target.value)}
        >
          <option value="">{models.length ? 'Choose a model…' : 'No models in the library'}</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.fileName}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-small"
          data-testid="adapter-check"
          disabled={!modelId || check?.checking}
          onClick={() => void st.check(adapter.id)}
        >
          {check?.checking ? 'Checking…' : 'Check'}
        </button>
      </div>
      {check?.result ? (
        check.result.compatible ? (
          <div className="ad-verdict ok" data-testid="adapter-check-result" data-compatible="true" role="status">
            <span className="ad-mark" aria-hidden>✓</span>
            <span>
              Compatible with <span className="mono">{modelName}</span> · {check.result.summary}
            </span>
          </div>
        ) : (
          <div className="ad-verdict bad" data-testid="adapter-check-result" data-compatible="false" role="alert">
            <span className="ad-mark" aria-hidden>✗</span>
            <div>
              <div>
                Not compatible with <span className="mono">{modelName}</span>: {check.result.reason ?? 'no reason given'}
              </div>
              {check.result.mismatch ? (
                <div className="ad-mismatch mono" data-testid="adapter-mismatch">
                  {check.result.mismatch.tensor}: adapter [{check.result.mismatch.adapterShape.join(', ')}] vs base{' '}
                  {check.result.mismatch.baseShape ? `[${check.result.mismatch.baseShape.join(', ')}]` : '(no such tensor)'}
                </div>
              ) : null}
              {check.result.summary ? <div className="muted">{check.result.summary}</div> : null}
            </div>
          </div>
        )
      ) : null}
      <ErrorNote error={check?.error ?? null} title="Could not check the adapter" />
    </li>
  );
}

function Fact({ label, value, title, mono }: { label: string; value: string; title?: string; mono?: boolean }): React.JSX.Element {
  return (
    <div className="ad-fact" title={title}>
      <dt>{label}</dt>
      <dd className={mono ? 'mono num' : 'num'}>{value}</dd>
    </div>
  );
}

function Provenance({ p, models }: { p: AdapterProvenance; models: readonly ModelInfo[] }): React.JSX.Element {
  const h = p.hyperparameters;
  const base = models.find((m) => m.id === p.baseModelId)?.fileName ?? 'a removed model';
  return (
    <div className="ad-prov" data-testid="adapter-provenance">
      <div>
        <span className="muted">Trained on</span> <strong>{p.datasetName}</strong> ({formatCount(p.datasetVersion.rows)} rows,{' '}
        <span className="mono" title={p.datasetVersion.sha256}>{shortHash(p.datasetVersion.sha256)}</span>) ·{' '}
        <span className="muted">base</span> <span className="mono">{p.trainBaseModel}</span> → <span className="mono">{base}</span>
        {p.trainedAt ? (
          <>
            {' '}· <span className="muted">trained</span> {formatTime(p.trainedAt)}
          </>
        ) : null}
      </div>
      <div className="muted mono ad-hp">
        {h.method} r={h.r} α={h.alpha} dropout={h.dropout} lr={h.learningRate} epochs={h.epochs} batch={h.batchSize}×{h.gradientAccumulation} len={h.maxLength} {h.precision} · {h.targetModules.join(', ')}
      </div>
    </div>
  );
}
