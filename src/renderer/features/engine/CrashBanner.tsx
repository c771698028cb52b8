import { ErrorNote } from '../../ui/ErrorNote';
import { useEngineStore } from '../../client/engine.store';

/** Shown across the top while the engine is crashed: what happened and a way back. */
export function CrashBanner(): React.JSX.Element | null {
  const status = useEngineStore((s) => s.status);
  const restarting = useEngineStore((s) => s.restarting);
  const restartError = useEngineStore((s) => s.restartError);
  const restart = useEngineStore((s) => s.restart);

  if (status?.state !== 'crashed') return null;
  return (
    <div className="crash-banner" role="alert" data-testid="crash-banner">
      <div className="crash-text">
        <strong>The inference engine crashed.</strong>
        <span className="crash-error">{status.error ?? 'No error text was reported.'}</span>
        {status.crashCount > 1 ? <span className="muted"> ({status.crashCount} crashes this session)</span> : null}
        <ErrorNote error={restartError} title="Restart failed" />
      </div>
      <button type="button" className="btn btn-danger" data-testid="restart-engine" disabled={restarting} onClick={() => void restart()}>
        {restarting ? 'Restarting…' : 'Restart engine'}
      </button>
    </div>
  );
}
