import type { TargetInfo } from '../../../shared/targets.schema';
import { formatSeconds } from '../../ui/format';
import { useTargetsStore } from './targets.store';

/** One row per target: click to see its replicas, models and settings. */
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
            <th>Base URLs</th>
            <th>Health</th>
            <th title="API key stored">Key</th>
            <th>Headers</th>
            <th className="right" title="Connect / first token / idle timeouts">Timeouts</th>
            <th className="right">Retries</th>
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
  const checked = target.replicas.filter((r) => r.lastCheckedAt != null);
  const healthy = checked.filter((r) => r.healthy).length;
  const t = target.timeouts;
  return (
    <tr
      data-testid="target-row"
      className={selected ? 'selected clickable' : 'clickable'}
      aria-selected={selected}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect();
        }
      }}
    >
      <td className="cell-target-name">{target.name}</td>
      <td className="mono cell-urls" title={target.baseUrls.join('\n')}>
        {target.baseUrls[0]}
        {target.baseUrls.length > 1 ? <span className="muted"> +{target.baseUrls.length - 1}</span> : null}
      </td>
      <td>
        <span className="replica-dots" aria-label={`${healthy} of ${target.replicas.length} replicas healthy`}>
          {target.replicas.map((r) => (
            <span key={r.url} className={`hdot ${r.lastCheckedAt == null ? 'hdot-unknown' : r.healthy ? 'hdot-ok' : 'hdot-bad'}`} title={r.url} />
          ))}
          <span className="muted num">{checked.length ? `${healthy}/${target.replicas.length}` : 'unchecked'}</span>
        </span>
      </td>
      <td>{target.hasApiKey ? 'yes' : <span className="muted">no</span>}</td>
      <td className="mono cell-headers" title={target.headerNames.join(', ')}>
        {target.headerNames.length ? target.headerNames.join(', ') : <span className="muted">—</span>}
      </td>
      <td className="right num muted">
        {formatSeconds(t.connectMs)} / {formatSeconds(t.firstTokenMs)} / {formatSeconds(t.idleMs)}
      </td>
      <td className="right num">{target.maxRetries}</td>
    </tr>
  );
}
