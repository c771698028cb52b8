import type { ReplicaState, TargetInfo } from '../../../shared/targets.schema';
import { formatMs } from '../../ui/format';
import { replicaErrorAdvice, shortReplicaError } from '../../ui/targets/targetChoices';
import { useTargetsStore } from '../../client/targets.store';
import { activateOnKey } from '../../ui/activateOnKey';

/** One row per target with each replica's health; click a row for its models and settings. */
export function TargetTable(): React.JSX.Element {
  const targets = useTargetsStore((s) => s.targets);
  const selectedId = useTargetsStore((s) => s.selectedId);
  const select = useTargetsStore((s) => s.select);
  return (
    <div className="table-wrap">
      <table className="table targets-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Base URLs (replicas)</th>
            <th title="API key stored">Key</th>
            <th title="Extra headers (values are write-only)">Headers</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <TargetRow key={t.id} target={t} selected={t.id === selectedId} onSelect={() => select(t.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TargetRow({ target, selected, onSelect }: { target: TargetInfo; selected: boolean; onSelect: () => void }): React.JSX.Element {
  const replicas: ReplicaState[] = target.replicas.length
    ? target.replicas
    : target.baseUrls.map((url) => ({ url, healthy: false, lastError: null, lastCheckedAt: null, latencyMs: null }));
  return (
    <tr
      data-testid="target-row"
      className={selected ? 'selected clickable' : 'clickable'}
      aria-selected={selected}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={activateOnKey(onSelect)}
    >
      <td className="cell-target-name" title={target.name}>
        {target.name}
      </td>
      <td className="cell-replicas">
        {replicas.map((r) => {
          const state = r.lastCheckedAt == null ? 'unknown' : r.healthy ? 'ok' : 'bad';
          return (
            <div key={r.url} className="row-replica" title={r.lastError ? adviceTitle(r.lastError, r.url) : r.url}>
              <span className={`hdot hdot-${state}`} aria-label={state === 'unknown' ? 'not checked' : state === 'ok' ? 'healthy' : 'unhealthy'} />
              <span className="mono row-replica-url">{r.url}</span>
              {state === 'unknown' ? (
                <span className="muted">not checked</span>
              ) : r.lastError ? (
                <span className="text-danger row-replica-error">{shortReplicaError(r.lastError, r.url)}</span>
              ) : (
                <span className="muted num">{formatMs(r.latencyMs)}</span>
              )}
            </div>
          );
        })}
      </td>
      <td>{target.hasApiKey ? 'yes' : <span className="muted">no</span>}</td>
      <td className="mono cell-headers" title={target.headerNames.join(', ')}>
        {target.headerNames.length ? target.headerNames.join(', ') : <span className="muted">—</span>}
      </td>
    </tr>
  );
}

/** The row only has room for what happened; the tooltip adds the URL tried and what to check. */
function adviceTitle(error: string, url: string): string {
  const a = replicaErrorAdvice(error, url);
  return `${a.what}\nTried ${a.tried}.${a.check ? `\n${a.check}` : ''}`;
}
