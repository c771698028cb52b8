import type { RunGuard } from '../../../shared/guard.schema';
import { countsWords, totalCount } from '../../ui/piiCounts';

/** After a run: what was masked and sent, and what the output rules said. The reply above is already unmasked. */
export function RunGuardPanel({ guard, blockShownAbove }: { guard: RunGuard; blockShownAbove: boolean }): React.JSX.Element | null {
  const found = totalCount(guard.piiCounts);
  const sent = guard.sentSystem !== null || guard.sentUser !== null;
  // A blocked run's reasons are the run's error, already shown above the (empty) output.
  const out = guard.output?.decision === 'block' && blockShownAbove ? null : guard.output;
  if (!found && !sent && (!out || out.decision === 'pass')) return null;
  return (
    <div className="pg-guard" data-testid="run-guard">
      {found ? (
        <div className="chips">
          <span className={guard.piiAction === 'mask' ? 'chip pg-guard-chip' : 'chip chip-warn'} data-testid="run-guard-pii">
            {guard.piiAction === 'mask' ? 'Masked' : guard.piiAction === 'warn' ? 'Sent unmasked' : guard.piiAction === 'block' ? 'Refused' : 'Found'}: {countsWords(guard.piiCounts)}
          </span>
        </div>
      ) : null}
      {out && out.decision !== 'pass' ? (
        <div className={out.decision === 'block' ? 'pg-guard-check block' : 'pg-guard-check flag'} data-testid="run-guard-output" data-decision={out.decision}>
          <strong>{out.decision === 'block' ? 'Output blocked by policy' : 'Output flagged'}</strong>
          {out.reasons.map((r) => (
            <div key={r}>{r}</div>
          ))}
        </div>
      ) : null}
      {sent ? (
        <details className="pg-guard-sent" data-testid="run-guard-sent">
          <summary>Sent (masked)</summary>
          {guard.sentSystem ? (
            <>
              <div className="pg-guard-label">system</div>
              <pre className="mono">{guard.sentSystem}</pre>
            </>
          ) : null}
          {guard.sentUser !== null ? (
            <>
              <div className="pg-guard-label">user</div>
              <pre className="mono">{guard.sentUser}</pre>
            </>
          ) : null}
        </details>
      ) : null}
    </div>
  );
}
