import { codeWords } from '../../client/errors';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
import { DEFAULT_AUTHOR } from './profile';
import { usePromptsStore } from './prompts.store';
import { describeSaveProblem } from './saveProblem';

interface Props {
  changed: boolean;
  valid: boolean;
}

/** Commit message, author and Save; a refused save (CONFLICT) says why and offers the latest version. */
export function SaveBar({ changed, valid }: Props): React.JSX.Element | null {
  const ws = usePromptsStore((s) => s.ws);
  const message = usePromptsStore((s) => s.saveMessage);
  const author = usePromptsStore((s) => s.author);
  const saving = usePromptsStore((s) => s.saving);
  const setMessage = usePromptsStore((s) => s.setSaveMessage);
  const setAuthor = usePromptsStore((s) => s.setAuthor);
  const save = usePromptsStore((s) => s.save);
  const latestNumber = usePromptsStore((s) => s.detail?.versions[0]?.number ?? null);
  if (!ws) return null;
  const isNew = ws.promptId === null;
  const next = isNew ? 1 : (ws.base?.number ?? 0) + 1;
  // Saving on top of an older version is refused; do not promise a number that is taken.
  const stale = latestNumber !== null && ws.base !== null && latestNumber > ws.base.number;
  const why = !changed ? `Nothing changed since v${ws.base?.number ?? '?'}` : !valid ? 'Fix the fields marked in red first' : undefined;

  return (
    <div className="pr-savebar">
      <SaveError />
      <form
        className="pr-save-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input
          className="input grow"
          data-testid="prompt-save-message"
          aria-label="Version message"
          maxLength={2000}
          placeholder={isNew ? 'What is this prompt for? (message for v1)' : `What changed in v${next}?`}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
        />
        <label className="pr-author" title="Saved with each version and label move; remembered on this machine">
          <span className="muted">by</span>
          <input className="input" data-testid="prompt-author" aria-label="Author" placeholder={DEFAULT_AUTHOR} value={author} maxLength={100} onChange={(e) => setAuthor(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary pr-save" data-testid="prompt-save" disabled={saving || !changed} title={why}>
          {saving ? 'Saving…' : isNew ? 'Create v1' : stale ? 'Save' : `Save v${next}`}
          <kbd>{isMac ? '⌘' : 'Ctrl'}+S</kbd>
        </button>
      </form>
    </div>
  );
}

function SaveError(): React.JSX.Element | null {
  const error = usePromptsStore((s) => s.saveError);
  const existing = usePromptsStore((s) => s.ws?.promptId != null);
  const reloadLatest = usePromptsStore((s) => s.reloadLatest);
  const dismiss = usePromptsStore((s) => s.clearSaveError);
  if (!error) return null;
  const p = describeSaveProblem(error, existing);
  const words = codeWords(error.code);
  return (
    <div className="error-note pr-save-error" role="alert" data-testid="prompt-error">
      <div className="error-note-body">
        <div className="error-note-title">{p.title}</div>
        <div className="error-note-message">
          {words ? <span className="error-code">{words}</span> : null}
          {p.message}
        </div>
        {p.reload ? (
          <div className="pr-error-actions">
            <button type="button" className="btn btn-small" data-testid="prompt-reload-latest" onClick={() => void reloadLatest()}>
              Reload latest
            </button>
            <span className="hint">Opens the latest version here; the edits shown now are discarded.</span>
          </div>
        ) : null}
      </div>
      <button type="button" className="btn-icon" aria-label="Dismiss" title="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
