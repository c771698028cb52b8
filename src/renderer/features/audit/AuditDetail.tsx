import type { AuditRecord } from '../../../shared/guard.schema';
import { ROLE_LABEL } from '../../../shared/roles';
import { formatTime } from '../../ui/format';
import { finishWords, piiWords, targetWords } from './auditFilter';

function Row({ label, children, mono = false }: { label: string; children: React.ReactNode; mono?: boolean }): React.JSX.Element {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined}>{children}</dd>
    </>
  );
}

/** Every field of one record, hashes included. */
export function AuditDetail({ record: r, onClose }: { record: AuditRecord; onClose: () => void }): React.JSX.Element {
  const t = r.target;
  return (
    <section className="card audit-detail" aria-label={`Audit record ${r.seq}`} data-testid="audit-detail">
      <div className="section-head">
        <h3>Record #{r.seq}</h3>
        <span className="muted">{r.kind}</span>
        <span className="spacer" />
        <button type="button" className="btn-icon" aria-label="Close" title="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <dl className="audit-dl">
        <Row label="id" mono>
          {r.id}
        </Row>
        <Row label="started">{new Date(r.startedAt).toLocaleString()}</Row>
        <Row label="ended">{r.endedAt != null ? `${formatTime(r.endedAt)} (${r.endedAt - r.startedAt} ms)` : '—'}</Row>
        <Row label="profile">
          {r.profileName}
          {r.role ? ` · ${ROLE_LABEL[r.role]}` : ''}
        </Row>
        <Row label="path" mono>
          {r.path}
        </Row>
        <Row label="target">{targetWords(r)}</Row>
        {t?.kind === 'remote' ? (
          <Row label="endpoints" mono>
            {t.endpoints.join('\n') || '—'}
          </Row>
        ) : null}
        {t?.kind === 'local' ? (
          <>
            <Row label="model sha256" mono>
              {t.modelSha256 ?? '—'}
            </Row>
            {t.adapters.length ? <Row label="adapters">{t.adapters.map((a) => `${a.name} ×${a.scale}`).join(', ')}</Row> : null}
          </>
        ) : null}
        <Row label="PII">{piiWords(r) || (r.pii ? `${r.pii.action}, nothing found` : '—')}</Row>
        <Row label="decisions">{r.decisions.length ? r.decisions.join('\n') : '—'}</Row>
        <Row label="tokens">
          {r.promptTokens ?? '—'} prompt · {r.completionTokens ?? '—'} completion
        </Row>
        <Row label="finish">{finishWords(r)}</Row>
        {r.error ? (
          <Row label="error">
            <span className="text-danger">{r.error}</span>
          </Row>
        ) : null}
        <Row label="run" mono>
          {r.runId ?? '—'}
        </Row>
        <Row label="prompt version" mono>
          {r.promptVersionId ?? '—'}
        </Row>
        <Row label="params" mono>
          {r.params ? JSON.stringify(r.params) : '—'}
        </Row>
        <Row label="input sha256" mono>
          {r.inputHash ?? '—'}
        </Row>
        <Row label="output sha256" mono>
          {r.outputHash ?? '—'}
        </Row>
        <Row label="prev hash" mono>
          {r.prevHash}
        </Row>
        <Row label="hash" mono>
          {r.hash}
        </Row>
      </dl>
    </section>
  );
}
