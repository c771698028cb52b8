import { ErrorNote } from '../../ui/ErrorNote';
import { parseTargetForm, type TargetFormErrors } from '../../client/targetForm';
import { useTargetsStore } from '../../client/targets.store';
import { useEngineStore } from '../../client/engine.store';
import { secretStorageWords } from './secretStorage';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../../shared/images.schema';
import type { AcceptsImages, TargetCheck } from '../../../shared/targets.schema';
import { visionWords } from './visionWords';

/** Add or edit a target. Stored secrets are never shown: the fields say "•••• stored" and can be replaced or cleared. */
export function TargetFormPanel(): React.JSX.Element {
  const editor = useTargetsStore((s) => s.editor);
  const form = useTargetsStore((s) => s.form);
  const showErrors = useTargetsStore((s) => s.showFieldErrors);
  const saving = useTargetsStore((s) => s.saving);
  const saveError = useTargetsStore((s) => s.saveError);
  const stored = useTargetsStore((s) => {
    const ed = s.editor;
    return ed?.mode === 'edit' ? (s.targets.find((t) => t.id === ed.targetId) ?? null) : null;
  });
  const setForm = useTargetsStore((s) => s.setForm);
  const save = useTargetsStore((s) => s.save);
  const cancel = useTargetsStore((s) => s.cancelEdit);
  const info = useEngineStore((s) => s.info);
  const check = useTargetsStore((s) => (s.editor?.mode === 'edit' ? s.checks[s.editor.targetId] : undefined));
  const keyHint = secretStorageWords(info).keyHint;

  const parsed = parseTargetForm(form);
  const errors: TargetFormErrors = showErrors && !parsed.ok ? parsed.errors : {};
  const editing = editor?.mode === 'edit';
  const keyStored = editing && stored?.hasApiKey === true;
  const headersStored = editing && (stored?.headerNames.length ?? 0) > 0;

  return (
    <section className="card target-form" aria-label={editing ? `Edit ${stored?.name ?? 'target'}` : 'Add a remote target'}>
      <h3 className="card-title">{editing ? `Edit ${stored?.name ?? 'target'}` : 'Add a remote target'}</h3>
      <form
        className="target-form-grid"
        autoComplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor="target-name">Name</label>
        <Field error={errors.name}>
          <input
            id="target-name"
            className={errors.name ? 'input invalid' : 'input'}
            data-testid="target-name-input"
            placeholder="gpu box (vLLM)"
            value={form.name}
            onChange={(e) => setForm({ name: e.target.value })}
          />
        </Field>

        <label htmlFor="target-urls">Base URLs</label>
        <Field error={errors.urls} hint="One per line, up to /v1. Several URLs are replicas of one server; runs go to a healthy one.">
          <textarea
            id="target-urls"
            className={errors.urls ? 'input mono invalid' : 'input mono'}
            data-testid="target-urls-input"
            rows={3}
            spellCheck={false}
            placeholder={'http://gpu-1:8000/v1\nhttp://gpu-2:8000/v1'}
            value={form.urls}
            onChange={(e) => setForm({ urls: e.target.value })}
          />
        </Field>

        <label htmlFor="target-key">API key</label>
        <Field error={errors.apiKey} hint={secretHint('key', keyStored, form.clearKey, form.apiKey !== '', keyHint)}>
          <div className="tf-row">
            <input
              id="target-key"
              type="password"
              className="input mono"
              data-testid="target-key-input"
              autoComplete="new-password"
              spellCheck={false}
              disabled={form.clearKey}
              placeholder={form.clearKey ? 'will be removed on save' : keyStored ? '•••• stored (type to replace)' : 'none'}
              value={form.apiKey}
              onChange={(e) => setForm({ apiKey: e.target.value })}
            />
            {keyStored ? (
              <button type="button" className="btn btn-small" data-testid="target-key-clear" onClick={() => setForm({ clearKey: !form.clearKey, apiKey: '' })}>
                {form.clearKey ? 'Keep' : 'Clear'}
              </button>
            ) : null}
          </div>
        </Field>

        <label htmlFor="target-headers">Headers</label>
        <Field error={errors.headers} hint={secretHint('headers', headersStored, form.clearHeaders, form.headers.trim() !== '', keyHint)}>
          <div className="tf-row tf-row-top">
            <textarea
              id="target-headers"
              className={errors.headers ? 'input mono invalid' : 'input mono'}
              data-testid="target-headers-input"
              rows={2}
              spellCheck={false}
              autoComplete="off"
              disabled={form.clearHeaders}
              placeholder={
                form.clearHeaders
                  ? 'will be removed on save'
                  : headersStored
                    ? (stored?.headerNames ?? []).map((h) => `${h}: •••• stored`).join('\n')
                    : 'X-Org: acme (one per line)'
              }
              value={form.headers}
              onChange={(e) => setForm({ headers: e.target.value })}
            />
            {headersStored ? (
              <button type="button" className="btn btn-small" onClick={() => setForm({ clearHeaders: !form.clearHeaders, headers: '' })}>
                {form.clearHeaders ? 'Keep' : 'Clear'}
              </button>
            ) : null}
          </div>
        </Field>

        <span className="form-label">Timeouts</span>
        <div>
          <div className="timeouts">
            <Seconds id="target-connect" label="connect" value={form.connectS} error={errors.connectS} onChange={(v) => setForm({ connectS: v })} />
            <Seconds id="target-first-token" label="first token" value={form.firstTokenS} error={errors.firstTokenS} onChange={(v) => setForm({ firstTokenS: v })} />
            <Seconds id="target-idle" label="idle" value={form.idleS} error={errors.idleS} onChange={(v) => setForm({ idleS: v })} />
          </div>
          {errors.connectS || errors.firstTokenS || errors.idleS ? (
            <div className="field-error">{[errors.connectS, errors.firstTokenS, errors.idleS].filter(Boolean).join('. ')}</div>
          ) : (
            <div className="hint">seconds; idle is the longest gap between streamed tokens</div>
          )}
        </div>

        <label htmlFor="target-retries">Max retries</label>
        <Field error={errors.maxRetries} hint="0–5; a failed connection moves on to the next replica">
          <input
            id="target-retries"
            className={errors.maxRetries ? 'input num input-short invalid' : 'input num input-short'}
            data-testid="target-retries-input"
            inputMode="numeric"
            value={form.maxRetries}
            onChange={(e) => setForm({ maxRetries: e.target.value })}
          />
        </Field>

        <label htmlFor="target-accepts-images">Accepts images</label>
        <div>
          <select
            id="target-accepts-images"
            className="input input-short"
            data-testid="target-accepts-images"
            value={form.acceptsImages}
            onChange={(e) => setForm({ acceptsImages: e.target.value as AcceptsImages })}
          >
            <option value="auto">auto — as detected</option>
            <option value="yes">yes</option>
            <option value="no">no (text only)</option>
          </select>
          <DetectedVision check={check} />
        </div>

        <label htmlFor="target-max-pixels">Max image pixels</label>
        <Field
          error={errors.maxImagePixels}
          hint={`Larger images are downscaled before they are sent (metadata is always removed). The default, ${DEFAULT_MAX_IMAGE_PIXELS.toLocaleString('en-US')} = 1280 × 28 × 28, is Qwen2-VL's budget: 1280 visual tokens of 28×28 pixels.`}
        >
          <input
            id="target-max-pixels"
            className={errors.maxImagePixels ? 'input num input-pixels invalid' : 'input num input-pixels'}
            data-testid="target-max-pixels"
            inputMode="numeric"
            value={form.maxImagePixels}
            onChange={(e) => setForm({ maxImagePixels: e.target.value })}
          />
        </Field>

        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="target-save" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save' : 'Add target'}
          </button>
          <button type="button" className="btn" onClick={cancel}>
            Cancel
          </button>
        </div>
      </form>
      <ErrorNote error={saveError} testId="target-error" title={editing ? 'Could not save the target' : 'Could not add the target'} />
    </section>
  );
}

/** What the last check said about images, model by model: what 'auto' goes by. */
function DetectedVision({ check }: { check: TargetCheck | undefined }): React.JSX.Element {
  if (!check) return <div className="hint">auto follows what the server says about each model; press Check on the target to see it.</div>;
  if (check.models.length === 0) return <div className="hint">The last check listed no models.</div>;
  return (
    <ul className="hint detected-vision" data-testid="target-detected-vision">
      {check.models.map((m) => (
        <li key={m.id}>
          <span className="mono">{m.id}</span>: {visionWords(m.vision)}
        </li>
      ))}
    </ul>
  );
}

function secretHint(what: 'key' | 'headers', stored: boolean, clearing: boolean, typed: boolean, keyHint: string): string {
  if (clearing) return what === 'key' ? 'The stored key is removed when you save.' : 'The stored headers are removed when you save.';
  if (stored && typed) return what === 'key' ? 'Replaces the stored key.' : 'Replaces all stored headers.';
  if (stored) return what === 'key' ? 'Write-only: leave blank to keep the stored key.' : 'Values are write-only: leave blank to keep them, or type Name: value lines to replace all.';
  return what === 'key' ? keyHint : 'Name: value per line; values are stored like the key.';
}

function Field({ error, hint, children }: { error?: string; hint?: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <div>
      {children}
      {error ? <div className="field-error">{error}</div> : hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

interface SecondsProps {
  id: string;
  label: string;
  value: string;
  error?: string;
  onChange: (v: string) => void;
}

function Seconds({ id, label, value, error, onChange }: SecondsProps): React.JSX.Element {
  return (
    <label className="seconds" htmlFor={id}>
      <span className="seconds-label">{label}</span>
      <span className="seconds-input">
        <input
          id={id}
          className={error ? 'input num invalid' : 'input num'}
          data-testid={`${id}-input`}
          inputMode="decimal"
          value={value}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        <span className="muted">s</span>
      </span>
    </label>
  );
}

