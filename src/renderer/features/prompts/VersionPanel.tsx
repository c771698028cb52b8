import { useState } from 'react';
import { LabelName, type PromptLabel, type PromptVersionSummary } from '../../../shared/prompts.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { forkName, sortLabels } from './library';
import { usePromptsStore } from './prompts.store';

const CUSTOM = '__custom';
// Selectors must return stable values (zustand 5 re-renders on every new array).
const NO_LABELS: readonly PromptLabel[] = [];
const NO_VERSIONS: readonly PromptVersionSummary[] = [];

/** The selected version: its facts, its labels (set, move, remove), restore as new and fork. */
export function VersionPanel(): React.JSX.Element | null {
  const detail = usePromptsStore((s) => s.detail);
  const selectedId = usePromptsStore((s) => s.selectedVersionId);
  const problem = usePromptsStore((s) => s.problem);
  const setProblem = usePromptsStore((s) => s.setProblem);
  const v = detail?.versions.find((x) => x.id === selectedId) ?? detail?.versions[0];
  if (!detail || !v) return null;
  const latest = detail.versions[0];
  const parent = v.parentId ? detail.versions.find((x) => x.id === v.parentId) : undefined;
  const restoredFrom = v.restoredFromId ? detail.versions.find((x) => x.id === v.restoredFromId) : undefined;

  return (
    <section className="card pr-version-card" aria-label={`Version ${v.number}`}>
      <div className="pr-card-head">
        <h3 className="card-title">v{v.number}</h3>
        {v.id === latest?.id ? <span className="tag tag-done">latest</span> : null}
        <span className="pr-card-msg">{v.message || <span className="muted">(no message)</span>}</span>
      </div>
      <dl className="pr-facts">
        <dt>Author</dt>
        <dd>{v.author}</dd>
        <dt>Saved</dt>
        <dd className="num">{formatTime(v.createdAt)}</dd>
        <dt>Parent</dt>
        <dd>{parent ? `v${parent.number}` : <span className="muted">none (first version)</span>}</dd>
        {restoredFrom ? (
          <>
            <dt>Restored</dt>
            <dd>copy of v{restoredFrom.number}</dd>
          </>
        ) : null}
        <dt>Hash</dt>
        <dd className="mono pr-hash" title="sha256 of the canonical content">
          {v.contentHash}
        </dd>
      </dl>
      <Labels version={v} />
      <Actions key={v.id} version={v} isLatest={v.id === latest?.id} promptName={detail.prompt.name} />
      <ErrorNote error={problem?.error ?? null} title={problem?.title} testId="prompt-action-error" onDismiss={() => setProblem(null)} />
    </section>
  );
}

function Labels({ version: v }: { version: PromptVersionSummary }): React.JSX.Element {
  const busy = usePromptsStore((s) => s.busy === 'label');
  const setLabel = usePromptsStore((s) => s.setLabel);
  const removeLabel = usePromptsStore((s) => s.removeLabel);
  const others = usePromptsStore((s) => s.detail?.prompt.labels ?? NO_LABELS);
  const [choice, setChoice] = useState('production');
  const [custom, setCustom] = useState('');
  const label = choice === CUSTOM ? custom.trim() : choice;
  const parsed = LabelName.safeParse(label);
  const slugError = choice === CUSTOM && custom !== '' && !parsed.success ? (parsed.error.issues[0]?.message ?? 'Not a valid label') : null;
  const elsewhere = others.find((l) => l.label === label && l.versionId !== v.id);

  return (
    <div className="pr-labels">
      <div className="pr-section-label">Labels</div>
      <div className="chips pr-label-chips">
        {v.labels.length === 0 ? <span className="hint">No label points here.</span> : null}
        {sortLabels(v.labels).map((l) => (
          <span key={l} className={`chip label-chip label-${l}`} data-testid="label-chip">
            {l}
            <button type="button" className="chip-x" aria-label={`Remove label ${l}`} title={`Remove ${l}`} disabled={busy} onClick={() => void removeLabel(l)}>
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="pr-label-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!parsed.success) return;
          void setLabel(v.id, label).then((ok) => {
            if (ok && choice === CUSTOM) setCustom('');
          });
        }}
      >
        <select className="input" data-testid="label-choice" aria-label="Label" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="production">production</option>
          <option value="candidate">candidate</option>
          <option value={CUSTOM}>custom…</option>
        </select>
        {choice === CUSTOM ? (
          <input
            className={slugError ? 'input mono grow invalid' : 'input mono grow'}
            data-testid="label-custom-input"
            aria-label="Custom label"
            placeholder="e.g. staging"
            value={custom}
            onChange={(e) => setCustom(e.target.value)}
          />
        ) : null}
        <button
          type="submit"
          className="btn btn-small"
          data-testid="label-set"
          disabled={busy || !parsed.success || v.labels.includes(label)}
          title={v.labels.includes(label) ? `${label} already points here` : elsewhere ? `Moves ${label} from v${elsewhere.versionNumber}` : undefined}
        >
          {elsewhere ? `Move to v${v.number}` : `Set on v${v.number}`}
        </button>
      </form>
      {slugError ? <div className="field-error">{slugError}</div> : null}
      {elsewhere && !slugError ? (
        <div className="hint">
          {label} points at v{elsewhere.versionNumber} now; setting it here moves it.
        </div>
      ) : null}
    </div>
  );
}

function Actions({ version: v, isLatest, promptName }: { version: PromptVersionSummary; isLatest: boolean; promptName: string }): React.JSX.Element {
  const busy = usePromptsStore((s) => s.busy);
  const prompts = usePromptsStore((s) => s.prompts);
  const nextNumber = usePromptsStore((s) => (s.detail?.versions[0]?.number ?? 0) + 1);
  const restore = usePromptsStore((s) => s.restore);
  const fork = usePromptsStore((s) => s.fork);
  const [mode, setMode] = useState<'none' | 'restore' | 'fork'>('none');
  const [message, setMessage] = useState('');
  const [name, setName] = useState('');

  return (
    <div className="pr-actions">
      <div className="pr-action-buttons">
        <button
          type="button"
          className="btn btn-small"
          data-testid="version-restore"
          disabled={isLatest || busy !== null}
          title={isLatest ? 'This is the latest version' : `Save a new v${nextNumber} with v${v.number}'s content; history stays`}
          onClick={() => setMode(mode === 'restore' ? 'none' : 'restore')}
        >
          Restore as v{nextNumber}…
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid="version-fork"
          disabled={busy !== null}
          title={`A new prompt starting from v${v.number}`}
          onClick={() => {
            setName(forkName(promptName, prompts.map((p) => p.name)));
            setMode(mode === 'fork' ? 'none' : 'fork');
          }}
        >
          Fork…
        </button>
      </div>
      {mode === 'restore' ? (
        <form
          className="pr-confirm"
          role="alertdialog"
          aria-label="Confirm restore"
          onSubmit={(e) => {
            e.preventDefault();
            void restore(v.id, message.trim()).then((ok) => {
              if (ok) {
                setMode('none');
                setMessage('');
              }
            });
          }}
        >
          <span>
            Restore v{v.number} as <strong>v{nextNumber}</strong>? Its content becomes the latest; no version is changed or removed.
          </span>
          <input
            className="input"
            data-testid="restore-message-input"
            aria-label="Restore message"
            placeholder={`Why? (saved as "Restore v${v.number}: …")`}
            maxLength={1900}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
          />
          <div className="pr-confirm-buttons">
            <button type="submit" className="btn btn-small btn-primary" data-testid="version-restore-confirm" disabled={busy !== null}>
              {busy === 'restore' ? 'Restoring…' : `Restore as v${nextNumber}`}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setMode('none')}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {mode === 'fork' ? (
        <form
          className="pr-confirm"
          aria-label="Fork"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            void fork(v.id, name).then((ok) => {
              if (ok) setMode('none');
            });
          }}
        >
          <span>
            Fork v{v.number} into a new prompt (its v1 copies this content; it remembers where it came from).
          </span>
          <input className="input" data-testid="fork-name-input" aria-label="New prompt name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          <div className="pr-confirm-buttons">
            <button type="submit" className="btn btn-small btn-primary" data-testid="version-fork-confirm" disabled={busy !== null || !name.trim()}>
              {busy === 'fork' ? 'Forking…' : 'Fork and open'}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setMode('none')}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** Every label move of this prompt, newest first. */
export function LabelHistory(): React.JSX.Element | null {
  const events = usePromptsStore((s) => s.labelEvents);
  const versions = usePromptsStore((s) => s.detail?.versions ?? NO_VERSIONS);
  const number = (id: string | null): string => (id ? `v${versions.find((v) => v.id === id)?.number ?? '?'}` : '');
  return (
    <section className="pr-label-history" aria-label="Label history">
      <div className="pr-section-label">Label history</div>
      {events.length === 0 ? (
        <p className="hint">Label moves are listed here.</p>
      ) : (
        <ul className="pr-label-events" data-testid="label-history">
          {events.map((e) => (
            <li key={e.id}>
              <span className={`chip label-${e.label}`}>{e.label}</span>
              <span className="pr-event-what">
                {e.toVersionId === null
                  ? `removed from ${number(e.fromVersionId)}`
                  : e.fromVersionId === null
                    ? `set on ${number(e.toVersionId)}`
                    : `${number(e.fromVersionId)} → ${number(e.toVersionId)}`}
              </span>
              <span className="muted">{e.author}</span>
              <span className="muted num">{formatTime(e.movedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
