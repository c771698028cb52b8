import type { GuardPolicy, ImageAction } from '../../../shared/guard.schema';
import { useGuardStore } from './guard.store';

const ACTIONS: readonly ImageAction[] = ['redact', 'block', 'allow'];
const LABEL: Record<ImageAction, string> = { redact: 'Redact (paint over numbers)', block: 'Block', allow: 'Allow' };

function ImageActionSelect({ value, onChange, disabled, label, testId, inherit }: {
  value: ImageAction | null;
  onChange: (a: ImageAction | null) => void;
  disabled: boolean;
  label: string;
  testId?: string;
  inherit?: string;
}): React.JSX.Element {
  return (
    <select className="input" aria-label={label} data-testid={testId} value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value ? (e.target.value as ImageAction) : null)}>
      {inherit ? <option value="">{inherit}</option> : null}
      {ACTIONS.map((a) => (
        <option key={a} value={a}>
          {LABEL[a]}
        </option>
      ))}
    </select>
  );
}

/** What happens to images before they leave: sent, refused, or read on this machine with numbers painted over. */
export function ImagePolicySection({ policy, readOnly }: { policy: GuardPolicy; readOnly: boolean }): React.JSX.Element {
  const targets = useGuardStore((s) => s.targets);
  const edit = useGuardStore((s) => s.edit);
  const images = policy.images;
  const setImages = (change: Partial<GuardPolicy['images']>): void => edit((p) => ({ ...p, images: { ...p.images, ...change } }));

  return (
    <section className="card guard-card" aria-label="Image policy" data-testid="guard-images">
      <h3 className="card-title">Images before egress</h3>
      <p className="hint guard-lead">
        Redact reads each image on this machine (OCR), finds ID, bank card and phone numbers, e-mails and your custom patterns, and paints them black
        before the image leaves. The audit log keeps the original and sent image hashes and the counts, never the values.
      </p>
      <p className="hint text-warn" data-testid="guard-ocr-note">
        {images.chiSimPath
          ? 'Chinese text is read with the traineddata file below as well as English.'
          : 'OCR reads digits and Latin letters only (English model): ID, card and phone numbers and e-mail are found, but Chinese names and addresses in images are NOT detected. Name a Chinese (chi_sim) traineddata file below to read them too.'}
      </p>
      <div className="guard-fields">
        <label className="guard-field">
          <span>Remote targets (default)</span>
          <ImageActionSelect value={images.remoteDefault} label="Image default for remote targets" testId="guard-image-remote-default" disabled={readOnly} onChange={(a) => setImages({ remoteDefault: a ?? 'redact' })} />
        </label>
        <label className="guard-field">
          <span>Local models</span>
          <ImageActionSelect value={images.local} label="Images to local models" testId="guard-image-local" disabled={readOnly} onChange={(a) => setImages({ local: a ?? 'allow' })} />
        </label>
        <label className="guard-field guard-field-wide">
          <span>Chinese traineddata (chi_sim)</span>
          <input
            className="input mono"
            data-testid="guard-chi-sim-path"
            placeholder="/path/to/chi_sim.traineddata"
            value={images.chiSimPath ?? ''}
            disabled={readOnly}
            onChange={(e) => setImages({ chiSimPath: e.target.value.trim() ? e.target.value : null })}
          />
        </label>
      </div>
      {targets.length ? (
        <div className="table-wrap guard-target-wrap">
          <table className="table guard-target-table" data-testid="guard-image-target-table">
            <thead>
              <tr>
                <th>Target</th>
                <th>Images</th>
              </tr>
            </thead>
            <tbody>
              {targets.map((t) => (
                <tr key={t.id} data-testid="guard-image-target-row">
                  <td>{t.name}</td>
                  <td className="guard-target-policy">
                    <ImageActionSelect
                      value={images.targets[t.id] ?? null}
                      label={`Image policy for ${t.name}`}
                      inherit={`Default (${LABEL[images.remoteDefault].toLowerCase()})`}
                      disabled={readOnly}
                      onChange={(a) => {
                        const next = { ...images.targets };
                        if (a) next[t.id] = a;
                        else delete next[t.id];
                        setImages({ targets: next });
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
