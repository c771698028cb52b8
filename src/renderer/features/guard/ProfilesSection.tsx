import { useEffect, useState } from 'react';
import { DEFAULT_LINK_DAYS, type AccessLink } from '../../../shared/profiles.schema';
import { Role, ROLE_LABEL } from '../../../shared/roles';
import { useCan, useSessionStore } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { CopyButton } from '../../ui/CopyButton';
import { useAccessLinksStore } from './accessLinks.store';
import { useGuardStore } from './guard.store';

const ROLES = Role.options;
const LINK_DAYS = [1, 7, DEFAULT_LINK_DAYS, 90, 365];

/** The link's state in words: active until when, expired, revoked, or none issued. */
function linkText(l: AccessLink | undefined): string {
  if (!l || l.state === 'none') return 'No link';
  if (l.state === 'revoked') return `Revoked ${formatTime(l.revokedAt ?? 0)}`;
  if (l.state === 'expired') return `Expired ${formatTime(l.expiresAt ?? 0)}`;
  return l.expiresAt === null ? 'Active' : `Active until ${formatTime(l.expiresAt)}`;
}

/** Local profiles, their roles, and the browser-host link each one signs in with. */
export function ProfilesSection(): React.JSX.Element {
  const profiles = useGuardStore((s) => s.profiles);
  const error = useGuardStore((s) => s.profileError);
  const issued = useGuardStore((s) => s.issued);
  const { createProfile, setRole, issueToken, forgetIssued } = useGuardStore.getState();
  const me = useSessionStore((s) => s.info?.profileId ?? null);
  const canAdmin = useCan('profiles.setRole');
  const canIssue = useCan('profiles.issueToken');
  const [name, setName] = useState('');
  const [role, setNewRole] = useState<Role>('labeler');
  const [days, setDays] = useState(DEFAULT_LINK_DAYS);
  const links = useAccessLinksStore((s) => s.links);
  const linkError = useAccessLinksStore((s) => s.error);
  const { load: loadLinks, revoke } = useAccessLinksStore.getState();
  // Issuing a link changes the table's link column: reload it after each issue, and when profiles change.
  useEffect(() => {
    if (canIssue) void loadLinks();
  }, [canIssue, profiles, issued, loadLinks]);
  // "Signed in from" changes as people open their links: kept fresh while the table is shown.
  useEffect(() => {
    if (!canIssue) return;
    const t = setInterval(() => void loadLinks(), 30_000);
    return () => clearInterval(t);
  }, [canIssue, loadLinks]);

  return (
    <section className="card guard-card guard-profiles" aria-label="Profiles" data-testid="guard-profiles">
      <h3 className="card-title">Profiles and roles</h3>
      <ErrorNote error={error} testId="guard-profile-error" title="Profiles" />
      <ErrorNote error={linkError} testId="guard-link-error" title="Access links" />
      {issued ? (
        <div className="guard-issued" data-testid="guard-issued">
          <div>
            Access link for <strong>{issued.profileName}</strong>, shown once, valid until {formatTime(issued.expiresAt)}. Any earlier link of {issued.profileName} stops
            working.
          </div>
          <div className="guard-link-row">
            <input className="input mono grow" readOnly value={issued.link} data-testid="guard-issued-link" aria-label="Access link" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={issued.link} testId="guard-issued-copy" />
            <button type="button" className="btn btn-small btn-ghost" onClick={forgetIssued}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      <div className="table-wrap">
        <table className="table" data-testid="guard-profile-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Created</th>
              {canIssue ? (
                <>
                  <th>Access link</th>
                  <th>Signed in from</th>
                </>
              ) : null}
              <th />
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={p.id} data-testid="guard-profile-row">
                <td>
                  {p.name}
                  {p.id === me ? <span className="muted"> (you)</span> : null}
                </td>
                <td>
                  <select className="input" aria-label={`Role of ${p.name}`} data-testid="guard-profile-role" value={p.role} disabled={!canAdmin} onChange={(e) => void setRole(p.id, e.target.value as Role)}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABEL[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="muted">{formatTime(p.createdAt)}</td>
                {canIssue ? (
                  <>
                    <td className={links[p.id]?.state === 'active' ? undefined : 'muted'} data-testid="guard-link-state">
                      {linkText(links[p.id])}
                    </td>
                    <td className="muted" data-testid="guard-link-seen">
                      {links[p.id]?.lastSeenAt ? `${links[p.id]?.lastSeenFrom ?? '?'}, ${formatTime(links[p.id]?.lastSeenAt ?? 0)}` : 'Never'}
                    </td>
                  </>
                ) : null}
                <td className="right">
                  {canIssue && links[p.id]?.state === 'active' ? (
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      data-testid="guard-revoke-link"
                      onClick={() => {
                        if (window.confirm(`Revoke ${p.name}'s access link? It stops working at once, and open windows using it are disconnected.`)) void revoke(p.id);
                      }}
                    >
                      Revoke
                    </button>
                  ) : null}
                  {canIssue ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid="guard-issue-link"
                      title={p.id === me ? 'A new link for yourself: if you opened Lamplight with your own link, this window stops working and you continue with the new one.' : undefined}
                      onClick={() => {
                        if (p.id === me && !window.confirm('Issue a new link for yourself? If you opened Lamplight with your own link, that link and this window stop working.')) return;
                        void issueToken(p.id, days);
                      }}
                    >
                      Issue access link
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canIssue ? (
        <label className="muted guard-link-days">
          New links are valid for{' '}
          <select className="input" aria-label="Access link validity" data-testid="guard-link-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {LINK_DAYS.map((d) => (
              <option key={d} value={d}>
                {d === 1 ? '1 day' : `${d} days`}
              </option>
            ))}
          </select>{' '}
          <button type="button" className="btn btn-small btn-ghost" data-testid="guard-links-refresh" onClick={() => void loadLinks()}>
            Refresh
          </button>
        </label>
      ) : null}
      {canAdmin ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            void createProfile(name.trim(), role).then((ok) => {
              if (ok) setName('');
            });
          }}
        >
          <input className="input grow" aria-label="New profile name" data-testid="guard-profile-name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
          <select className="input" aria-label="New profile role" data-testid="guard-profile-new-role" value={role} onChange={(e) => setNewRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
          <button type="submit" className="btn" data-testid="guard-profile-create" disabled={!name.trim()}>
            Add profile
          </button>
        </form>
      ) : null}
    </section>
  );
}
