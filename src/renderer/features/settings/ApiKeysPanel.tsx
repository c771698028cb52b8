import { useEffect } from 'react';
import type { ApiKeyInfo, ApiUsageRow } from '../../../shared/apiServer.schema';
import { missingPermission, useCan } from '../../client/session.store';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatPercent, formatTime } from '../../ui/format';
import { useApiKeysStore } from './apiKeys.store';

function limitsText(k: ApiKeyInfo): string {
  const parts = [k.ratePerMinute ? `${k.ratePerMinute}/min` : null, k.tokenQuota ? `${formatCount(k.tokenQuota)} tok/${k.quotaPeriod}` : null];
  return parts.filter(Boolean).join(' · ') || 'none';
}

/** This month's requests and tokens of one key, summed over targets. */
function monthUsage(rows: ApiUsageRow[], keyId: string): { requests: number; tokens: number } {
  return rows.filter((r) => r.keyId === keyId).reduce((a, r) => ({ requests: a.requests + r.requests, tokens: a.tokens + r.promptTokens + r.completionTokens }), { requests: 0, tokens: 0 });
}

function BudgetBar({ k }: { k: ApiKeyInfo }): React.JSX.Element {
  if (k.budgetPerMonth === null) return <span className="muted">no budget</span>;
  if (k.monthCost === null) return <span className="muted" title="No priced usage this month (or the target has no per-token price in its cost profile)">{k.budgetPerMonth} · nothing priced yet</span>;
  const f = k.monthCost / k.budgetPerMonth;
  return (
    <div className="api-budget" data-testid="api-key-budget" title={`${k.monthCost.toFixed(4)} of ${k.budgetPerMonth} this month`}>
      <div className="api-budget-track">
        <div className={f >= 1 ? 'api-budget-fill over' : f >= 0.8 ? 'api-budget-fill warn' : 'api-budget-fill'} style={{ width: `${Math.min(1, f) * 100}%` }} />
      </div>
      <span className="num">{formatPercent(f)}</span>
    </div>
  );
}

/** Per-profile keys: who may call the API server, with which limits, and what they used this month. */
export function ApiKeysPanel(): React.JSX.Element | null {
  const keys = useApiKeysStore((s) => s.keys);
  const usage = useApiKeysStore((s) => s.usage);
  const profiles = useApiKeysStore((s) => s.profiles);
  const loadError = useApiKeysStore((s) => s.loadError);
  const form = useApiKeysStore((s) => s.form);
  const formError = useApiKeysStore((s) => s.formError);
  const busy = useApiKeysStore((s) => s.busy);
  const actionError = useApiKeysStore((s) => s.actionError);
  const issued = useApiKeysStore((s) => s.issued);
  const alert = useApiKeysStore((s) => s.alert);
  const { refresh, setForm, issue, revoke, forgetKey } = useApiKeysStore.getState();
  const canList = useCan('apiServer.listKeys');
  const canIssue = useCan('apiServer.issueKey');

  useEffect(() => {
    if (canList) void refresh();
    // Shown once: leaving the view forgets the key.
    return () => forgetKey();
  }, [canList, refresh, forgetKey]);

  if (!canList) return null;
  return (
    <div className="api-keys" data-testid="api-keys">
      <h4 className="api-keys-title">Keys per profile</h4>
      {alert ? (
        <div className="api-alert" role="alert" data-testid="api-budget-alert">
          Key <span className="mono">{alert.prefix}…</span> has spent {alert.spent.toFixed(2)} of its {alert.budget} {alert.currency} monthly budget ({formatPercent(alert.fraction)}); at 100% its requests are refused.
        </div>
      ) : null}
      <ErrorNote error={loadError} title="Could not read the keys" />
      {keys.length === 0 ? (
        <p className="muted">No keys yet. Issue one per person or tool: requests with it act as that profile, within its limits.</p>
      ) : (
        <div className="table-wrap">
        <table className="table api-keys-table" data-testid="api-keys-table">
          <thead>
            <tr>
              <th>Key</th><th>Profile</th><th>Created</th><th>Last used</th><th>Limits</th><th className="num">This month</th><th>Budget</th><th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const u = monthUsage(usage, k.id);
              return (
                <tr key={k.id} data-testid="api-key-row" className={k.revokedAt ? 'revoked' : undefined}>
                  <td className="mono">{k.prefix}…{k.scope === 'metrics' ? <span className="tag">metrics</span> : null}</td>
                  <td>{k.profileName}<div className="hint">{k.name}</div></td>
                  <td>{formatTime(k.createdAt)}</td>
                  <td>{k.lastUsedAt ? formatTime(k.lastUsedAt) : <span className="muted">never</span>}</td>
                  <td>{limitsText(k)}</td>
                  <td className="num" data-testid="api-key-usage">
                    {formatCount(u.requests)} req<div className="hint">{formatCount(u.tokens)} tokens</div>
                  </td>
                  <td><BudgetBar k={k} /></td>
                  <td>
                    {k.revokedAt ? (
                      <span className="tag tag-cancelled">revoked</span>
                    ) : (
                      <button type="button" className="btn btn-small" data-testid="api-key-revoke" disabled={busy || !canIssue} title={canIssue ? undefined : missingPermission('apiServer.revokeKey')} onClick={() => void revoke(k.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
      {canIssue ? (
        <form className="api-issue" onSubmit={(e) => { e.preventDefault(); void issue(); }}>
          <select aria-label="Profile" className="input" data-testid="api-issue-profile" value={form.profileId} onChange={(e) => setForm({ profileId: e.target.value })}>
            {profiles.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.role})</option>)}
          </select>
          <input aria-label="Key name" className="input" placeholder="name (e.g. Kim's laptop)" value={form.name} onChange={(e) => setForm({ name: e.target.value })} />
          <input aria-label="Requests per minute" className="input num" data-testid="api-issue-rpm" placeholder="req/min" value={form.rpm} onChange={(e) => setForm({ rpm: e.target.value })} />
          <input aria-label="Tokens per day" className="input num" placeholder="tokens/day" value={form.tokensPerDay} onChange={(e) => setForm({ tokensPerDay: e.target.value })} />
          <input aria-label="Monthly budget" className="input num" data-testid="api-issue-budget" placeholder="budget/month" value={form.budget} onChange={(e) => setForm({ budget: e.target.value })} />
          <select aria-label="Scope" className="input" value={form.scope} onChange={(e) => setForm({ scope: e.target.value as 'inference' | 'metrics' })}>
            <option value="inference">API calls</option>
            <option value="metrics">/metrics only</option>
          </select>
          <button type="submit" className="btn btn-primary" data-testid="api-issue" disabled={busy}>Issue key</button>
          {formError ? <div className="field-error" data-testid="api-issue-error">{formError}</div> : null}
        </form>
      ) : null}
      {issued ? (
        <div className="api-key-once" role="status" data-testid="api-issued-key">
          <div className="api-key-title">Key for {issued.info.profileName}: copy it now, it is shown only this once.</div>
          <div className="api-key-row">
            <code className="mono api-key">{issued.key}</code>
            <CopyButton text={issued.key} testId="api-issued-copy" label="Copy key" />
            <button type="button" className="btn btn-small btn-ghost" onClick={forgetKey}>Done</button>
          </div>
        </div>
      ) : null}
      <ErrorNote error={actionError} title="The key action failed" />
    </div>
  );
}
