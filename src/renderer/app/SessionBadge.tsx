import { ROLE_LABEL } from '../../shared/roles';
import { useSessionStore } from '../client/session.store';

/** The profile this window acts as, and its role. */
export function SessionBadge(): React.JSX.Element | null {
  const info = useSessionStore((s) => s.info);
  if (!info) return null;
  return (
    <div className="session-badge" data-testid="session-profile" data-role={info.role} title={`Signed in as ${info.profileName} (${ROLE_LABEL[info.role]})`}>
      <span className="session-name">{info.profileName}</span>
      <span className="session-role">{ROLE_LABEL[info.role]}</span>
    </div>
  );
}
