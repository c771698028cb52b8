import { useEffect } from 'react';
import { AuditKind } from '../../../shared/guard.schema';
import { ROLE_LABEL } from '../../../shared/roles';
import { ErrorNote } from '../../ui/ErrorNote';
import { exportReady, exportVerb, isBrowserHost } from '../../ui/fileTransfer';
import { formatTime } from '../../ui/format';
import { AuditDetail } from './AuditDetail';
import { useAuditStore } from './audit.store';
import { finishWords, piiWords, targetWords, tokensWords, type Outcome } from './auditFilter';
import './audit.css';

const OUTCOMES: readonly Outcome[] = ['masked', 'flagged', 'blocked', 'error', 'cancelled'];

export function AuditView(): React.JSX.Element {
  const records = useAuditStore((s) => s.records);
  const total = useAuditStore((s) => s.total);
  const capped = useAuditStore((s) => s.totalCapped);
  const loading = useAuditStore((s) => s.loading);
  const listError = useAuditStore((s) => s.listError);
  const selected = useAuditStore((s) => s.records.find((r) => r.seq === s.selectedSeq) ?? null);
  const { refresh, loadMore, select, loadProfiles } = useAuditStore.getState();

  useEffect(() => {
    void refresh();
    void loadProfiles();
  }, [refresh, loadProfiles]);

  return (
    <div className="view view-audit">
      <AuditFilters />
      <ChainBar />
      <ErrorNote error={listError} testId="audit-error" title="Could not read the audit log" onDismiss={() => void refresh()} />
      <div className={selected ? 'audit-layout' : 'audit-layout single'}>
        <section className="audit-main">
          <div className="section-head">
            <h3>Records</h3>
            <span className="muted" data-testid="audit-count">
              {records.length} of {capped ? `${total.toLocaleString()}+` : total}
            </span>
            {loading ? <span className="muted">Reading…</span> : null}
          </div>
          {records.length ? (
            <div className="table-wrap">
              <table className="table audit-table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Time</th>
                    <th>Kind</th>
                    <th>Profile</th>
                    <th>Path</th>
                    <th>Target</th>
                    <th>PII</th>
                    <th>Decisions</th>
                    <th className="right">Tokens</th>
                    <th>Finish</th>
                  </tr>
                </thead>
                <tbody>
                  {records.map((r) => (
                    <tr
                      key={r.seq}
                      className={r.seq === selected?.seq ? 'clickable selected' : 'clickable'}
                      data-testid="audit-row"
                      data-kind={r.kind}
                      tabIndex={0}
                      onClick={() => select(r.seq === selected?.seq ? null : r.seq)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter' || e.key === ' ') {
                          e.preventDefault();
                          select(r.seq);
                        }
                      }}
                    >
                      <td className="num muted">{r.seq}</td>
                      <td className="muted">{formatTime(r.startedAt)}</td>
                      <td>
                        <span className={r.kind === 'denied' ? 'tag tag-error' : r.kind === 'ai_call' ? 'tag tag-running' : 'tag tag-cancelled'}>{r.kind}</span>
                      </td>
                      <td>
                        {r.profileName}
                        {r.role ? <span className="muted"> · {ROLE_LABEL[r.role]}</span> : null}
                      </td>
                      <td className="mono">{r.path}</td>
                      <td className="audit-cell-clip" title={targetWords(r)}>
                        {targetWords(r)}
                      </td>
                      <td className="mono">{piiWords(r)}</td>
                      <td className="audit-cell-clip" title={r.decisions.join('\n')}>
                        <Decisions lines={r.decisions} />
                      </td>
                      <td className="num right">{tokensWords(r)}</td>
                      <td className={r.error ? 'text-danger audit-cell-clip' : 'muted'} title={r.error ?? undefined}>
                        {finishWords(r)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : loading ? null : (
            <p className="muted" data-testid="audit-empty">
              No records match.
            </p>
          )}
          {records.length < total || capped ? (
            <button type="button" className="btn audit-more" data-testid="audit-more" disabled={loading} onClick={() => void loadMore()}>
              Load more ({capped ? 'older' : `${total - records.length} older`})
            </button>
          ) : null}
        </section>
        {selected ? (
          <aside className="audit-side">
            <AuditDetail key={selected.seq} record={selected} onClose={() => select(null)} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}

function Decisions({ lines }: { lines: string[] }): React.JSX.Element {
  if (!lines.length) return <span className="muted">—</span>;
  return (
    <span>
      {lines.map((l, i) => (
        <span key={i} className={/block|denied|refus/i.test(l) ? 'audit-decision text-danger' : /flag|warn/i.test(l) ? 'audit-decision text-warn' : 'audit-decision'}>
          {l}
        </span>
      ))}
    </span>
  );
}

function AuditFilters(): React.JSX.Element {
  const form = useAuditStore((s) => s.form);
  const profiles = useAuditStore((s) => s.profiles);
  const { setForm, clearFilter } = useAuditStore.getState();
  return (
    <div className="audit-filters" data-testid="audit-filters">
      <select className="input" aria-label="Kind" data-testid="audit-filter-kind" value={form.kind} onChange={(e) => setForm({ kind: e.target.value as AuditKind | '' })}>
        <option value="">All kinds</option>
        {AuditKind.options.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <input className="input audit-in-path" aria-label="Path" data-testid="audit-filter-path" placeholder="Path (playground, eval…)" value={form.path} onChange={(e) => setForm({ path: e.target.value })} />
      <select className="input" aria-label="Profile" value={form.profileId} onChange={(e) => setForm({ profileId: e.target.value })}>
        <option value="">All profiles</option>
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <input className="input audit-in-target" aria-label="Target" placeholder="Target or model" value={form.target} onChange={(e) => setForm({ target: e.target.value })} />
      <select className="input" aria-label="Outcome" data-testid="audit-filter-outcome" value={form.outcome} onChange={(e) => setForm({ outcome: e.target.value as Outcome | '' })}>
        <option value="">Any outcome</option>
        {OUTCOMES.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <label className="audit-date">
        <span className="muted">from</span>
        <input className="input" type="date" aria-label="From day" value={form.from} onChange={(e) => setForm({ from: e.target.value })} />
      </label>
      <label className="audit-date">
        <span className="muted">to</span>
        <input className="input" type="date" aria-label="To day" value={form.to} onChange={(e) => setForm({ to: e.target.value })} />
      </label>
      <button type="button" className="btn btn-small btn-ghost" onClick={clearFilter}>
        Clear
      </button>
    </div>
  );
}

/** Verify the hash chain; export what the filter shows as JSONL. */
function ChainBar(): React.JSX.Element {
  const verify = useAuditStore((s) => s.verify);
  const verifying = useAuditStore((s) => s.verifying);
  const verifyError = useAuditStore((s) => s.verifyError);
  const exportPath = useAuditStore((s) => s.exportPath);
  const exporting = useAuditStore((s) => s.exporting);
  const exported = useAuditStore((s) => s.exported);
  const exportError = useAuditStore((s) => s.exportError);
  const { runVerify, setExportPath, runExport } = useAuditStore.getState();
  return (
    <div className="card audit-chain">
      <div className="audit-chain-row">
        <button type="button" className="btn" data-testid="audit-verify" disabled={verifying} onClick={() => void runVerify()}>
          {verifying ? 'Verifying…' : 'Verify chain'}
        </button>
        {verify ? (
          <span className={verify.ok ? 'audit-verify ok' : 'audit-verify bad'} data-testid="audit-verify-result" data-ok={verify.ok}>
            {verify.ok ? `✓ Chain intact: ${verify.count} record${verify.count === 1 ? '' : 's'}` : `✗ Broken at record #${verify.firstBrokenSeq ?? '?'}`}
            <span className="audit-verify-msg">{verify.message}</span>
          </span>
        ) : (
          <span className="hint">Recomputes every record's hash and the link to the one before it.</span>
        )}
        <span className="spacer" />
        <form
          className="audit-export"
          onSubmit={(e) => {
            e.preventDefault();
            void runExport();
          }}
        >
          <input
            className="input mono grow"
            data-testid="audit-export-path"
            aria-label="Export path"
            placeholder={`${isBrowserHost ? 'or a path on the server: ' : ''}/path/to/audit.jsonl (what the filter shows)`}
            value={exportPath}
            onChange={(e) => setExportPath(e.target.value)}
          />
          <button type="submit" className="btn" data-testid="audit-export" disabled={!exportReady(exportPath) || exporting}>
            {exporting ? 'Exporting…' : `${exportVerb(exportPath)} JSONL`}
          </button>
        </form>
      </div>
      {exported ? (
        <div className="note" data-testid="audit-exported">
          Wrote {exported.count} record{exported.count === 1 ? '' : 's'} to <span className="mono">{exported.path}</span>
          {exported.downloaded ? " in this browser's downloads" : null}
        </div>
      ) : null}
      <ErrorNote error={verifyError} title="Could not verify the chain" />
      <ErrorNote error={exportError} testId="audit-export-error" title="The export failed" />
    </div>
  );
}
