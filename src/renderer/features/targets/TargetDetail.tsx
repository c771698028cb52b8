import type { ReplicaState, TargetCheck, TargetInfo } from '../../../shared/targets.schema';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../../shared/images.schema';
import { visionWords } from './visionWords';
import { missingPermission, useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatMs, formatSeconds, formatTime } from '../../ui/format';
import { isLoraModule, loraBase, replicaErrorAdvice } from '../../ui/targets/targetChoices';
import { TargetLoras } from './TargetLoras';
import { useTargetsStore } from '../../client/targets.store';

/** The selected target: replica health, the server's models (after a check), settings, Edit and Remove. */
export function TargetDetail({ target }: { target: TargetInfo }): React.JSX.Element {
  const check = useTargetsStore((s) => s.checks[target.id] ?? null);
  const checking = useTargetsStore((s) => s.checking.includes(target.id));
  const checkError = useTargetsStore((s) => s.checkErrors[target.id] ?? null);
  const confirmRemove = useTargetsStore((s) => s.confirmRemove === target.id);
  const removing = useTargetsStore((s) => s.removing === target.id);
  const removeError = useTargetsStore((s) => (s.removeError?.targetId === target.id ? s.removeError.error : null));
  const runCheck = useTargetsStore((s) => s.check);
  const startEdit = useTargetsStore((s) => s.startEdit);
  const askRemove = useTargetsStore((s) => s.askRemove);
  const remove = useTargetsStore((s) => s.remove);
  const t = target.timeouts;
  const canEdit = useCan('targets.update');
  const canRemove = useCan('targets.remove');

  return (
    <section className="card target-detail" aria-label={target.name}>
      <div className="target-head">
        <h3 className="card-title">{target.name}</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-small btn-primary" data-testid="target-check" disabled={checking} onClick={() => void runCheck(target.id)}>
          {checking ? 'Checking…' : 'Check'}
        </button>
        <button type="button" className="btn btn-small" disabled={!canEdit} title={canEdit ? undefined : missingPermission('targets.update')} onClick={() => startEdit(target.id)}>
          Edit
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          disabled={removing || !canRemove}
          title={canRemove ? undefined : missingPermission('targets.remove')}
          onClick={() => askRemove(target.id)}
        >
          Remove
        </button>
      </div>

      {confirmRemove ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm removal">
          <span>
            Remove <strong>{target.name}</strong> and its stored key? Past runs stay in History.
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-small btn-danger" data-testid="target-remove-confirm" disabled={removing} onClick={() => void remove(target.id)}>
            {removing ? 'Removing…' : 'Remove'}
          </button>
          <button type="button" className="btn btn-small" onClick={() => askRemove(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      <ErrorNote error={removeError} testId="target-error" title={`Could not remove ${target.name}`} />
      <ErrorNote error={checkError} testId="target-error" title={`Could not check ${target.name}`} />

      <div className="detail-label">
        Replicas
        {check ? <span className="hint">checked {formatTime(check.checkedAt)}</span> : null}
      </div>
      <ul className="replicas">
        {target.replicas.length
          ? target.replicas.map((r) => <ReplicaLine key={r.url} replica={r} checked={check?.replicas.find((c) => c.url === r.url) ?? null} />)
          : target.baseUrls.map((url) => (
              <ReplicaLine key={url} replica={{ url, healthy: false, lastError: null, lastCheckedAt: null, latencyMs: null }} checked={null} />
            ))}
      </ul>

      <div className="detail-label">
        Models
        {check ? <span className="hint">{check.models.length} listed</span> : null}
      </div>
      <ModelList check={check} checking={checking} />

      <TargetLoras target={target} check={check} />

      <dl className="target-facts">
        <dt>API key</dt>
        <dd>{target.hasApiKey ? <span className="secret-chip">•••• stored</span> : <span className="muted">none</span>}</dd>
        <dt>Headers</dt>
        <dd>
          {target.headerNames.length ? (
            target.headerNames.map((h) => (
              <span key={h} className="secret-chip mono">
                {h}: ••••
              </span>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Timeouts</dt>
        <dd className="num">
          connect {formatSeconds(t.connectMs)} · first token {formatSeconds(t.firstTokenMs)} · idle {formatSeconds(t.idleMs)}
        </dd>
        <dt>Retries</dt>
        <dd className="num">{target.maxRetries}</dd>
        <dt>Images</dt>
        <dd data-testid="target-images-setting">
          {{ auto: 'auto (as the server says)', yes: 'accepted', no: 'refused (text only)' }[target.acceptsImages ?? 'auto']} · downscaled past{' '}
          <span className="num">{(target.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS).toLocaleString('en-US')}</span> px
        </dd>
      </dl>
    </section>
  );
}

type CheckedReplica = TargetCheck['replicas'][number];

function ReplicaLine({ replica, checked }: { replica: ReplicaState; checked: CheckedReplica | null }): React.JSX.Element {
  const known = replica.lastCheckedAt != null || checked != null;
  const ok = checked ? checked.ok : replica.healthy;
  const latency = checked?.latencyMs ?? replica.latencyMs;
  const error = checked ? checked.error : replica.lastError;
  const state = !known ? 'unknown' : ok ? 'ok' : 'bad';
  return (
    <li className="replica" data-testid="replica-status" data-state={state}>
      <span className={`hdot hdot-${state}`} aria-hidden />
      <span className="mono replica-url" title={replica.url}>
        {replica.url}
      </span>
      <span className="replica-facts num">
        {!known ? <span className="muted">not checked</span> : null}
        {known && latency != null ? <span>{formatMs(latency)}</span> : null}
        {checked?.status != null ? <span className={checked.status >= 400 ? 'text-danger' : 'muted'}>HTTP {checked.status}</span> : null}
        {known && ok && !error ? <span className="text-ok">healthy</span> : null}
      </span>
      {error ? <ReplicaError error={error} url={replica.url} /> : null}
    </li>
  );
}

function ReplicaError({ error, url }: { error: string; url: string }): React.JSX.Element {
  const advice = replicaErrorAdvice(error, url);
  return (
    <div className="replica-error" title={error} data-testid="replica-error">
      <div>{advice.what}</div>
      <div className="replica-advice">
        Tried <span className="mono">{advice.tried}</span>.{advice.check ? ` ${advice.check}` : ''}
      </div>
    </div>
  );
}

function ModelList({ check, checking }: { check: TargetCheck | null; checking: boolean }): React.JSX.Element {
  if (!check) return <p className="hint">{checking ? 'Asking the server for its models…' : 'Press Check to list the models this server serves.'}</p>;
  if (check.models.length === 0)
    return (
      <p className="hint" data-testid="target-models">
        No models listed{check.replicas.some((r) => r.ok) ? '.' : ': no replica answered.'}
      </p>
    );
  return (
    <ul className="remote-models" data-testid="target-models">
      {check.models.map((m) => {
        const lora = isLoraModule(m, check.models);
        return (
          <li key={m.id} className="remote-model">
            <span className="mono remote-model-id" title={m.id}>
              {m.id}
            </span>
            {lora ? (
              <span className="tag tag-lora" title={`LoRA module on ${loraBase(m) ?? 'its base model'}`}>
                LoRA
              </span>
            ) : null}
            {lora && loraBase(m) ? (
              <span className="muted remote-model-base mono" title={loraBase(m) ?? undefined}>
                on {m.parent ?? m.root}
              </span>
            ) : null}
            {m.vision != null ? (
              <span className={m.vision ? 'tag tag-vision' : 'tag'} title={visionWords(m.vision)} data-testid="remote-model-vision">
                {m.vision ? 'images' : 'text only'}
              </span>
            ) : null}
            <span className="spacer" />
            {m.maxModelLen ? <span className="muted num">ctx {formatCount(m.maxModelLen)}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
