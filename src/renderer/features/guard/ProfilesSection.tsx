import { useState } from 'react';
import { Role, ROLE_LABEL } from '../../../shared/roles';
import { useCan, useSessionStore } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { CopyButton } from '../../ui/CopyButton';
import { useGuardStore } from './guard.store';

const ROLES = Role.options;

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

  return (
    <section className="card guard-card guard-profiles" aria-label="Profiles" data-testid="guard-profiles">
      <h3 className="card-title">Profiles and roles</h3>
      <ErrorNote error={error} testId="guard-profile-error" title="Profiles" />
      {issued ? (
        <div className="guard-issued" data-testid="guard-issued">
          <div>
            Access link for <strong>{issued.profileName}</strong>, shown once. Any earlier link of {issued.profileName} stops working.
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
                <td className="right">
                  {canIssue ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid="guard-issue-link"
                      title={p.id === me ? 'A new link for yourself: if you opened Lamplight with your own link, this window stops working and you continue with the new one.' : undefined}
                      onClick={() => {
                        if (p.id === me && !window.confirm('Issue a new link for yourself? If you opened Lamplight with your own link, that link and this window stop working.')) return;
                        void issueToken(p.id);
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
