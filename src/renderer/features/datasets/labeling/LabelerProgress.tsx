import type { LabelerProgress as Progress } from '../../../../shared/datasets.schema';

interface Props {
  labelers: readonly Progress[];
  profileId: string | null;
  rowCount: number;
}

function Bar({ p }: { p: Progress }): React.JSX.Element {
  const total = Math.max(1, p.accepted + p.rejected + p.skipped);
  const pct = (n: number): string => `${(n / total) * 100}%`;
  return (
    <div
      className="lb-bar"
      role="img"
      aria-label={`${p.name}: ${p.accepted} accepted, ${p.rejected} rejected, ${p.skipped} skipped`}
      title={`${p.accepted} accepted · ${p.rejected} rejected · ${p.skipped} skipped`}
    >
      <span className="lb-bar-accepted" style={{ width: pct(p.accepted) }} />
      <span className="lb-bar-rejected" style={{ width: pct(p.rejected) }} />
      <span className="lb-bar-skipped" style={{ width: pct(p.skipped) }} />
    </div>
  );
}

/** Per-labeler progress on this dataset: rows labeled and the accept/reject/skip split. Yours first. */
export function LabelerProgress({ labelers, profileId, rowCount }: Props): React.JSX.Element | null {
  if (labelers.length === 0) return null;
  const sorted = [...labelers].sort((a, b) => (a.labelerId === profileId ? -1 : b.labelerId === profileId ? 1 : b.labeled - a.labeled));
  return (
    <ul className="lb-progress" aria-label="Labeler progress" data-testid="labeling-progress">
      {sorted.slice(0, 3).map((p) => (
        <li key={p.labelerId} className={p.labelerId === profileId ? 'lb-progress-me' : undefined} data-testid="labeling-progress-row">
          <span className="lb-progress-name">{p.name}</span>
          <span className="num lb-progress-count">
            {p.labeled}/{rowCount}
          </span>
          <Bar p={p} />
          <span className="num lb-progress-split" aria-hidden="true">
            <span className="lb-n-accepted">{p.accepted}</span>·<span className="lb-n-rejected">{p.rejected}</span>·<span>{p.skipped}</span>
          </span>
        </li>
      ))}
      {sorted.length > 3 ? <li className="hint">+{sorted.length - 3} more</li> : null}
    </ul>
  );
}
