import { useEffect } from 'react';
import type { RenderedPromptVersion } from '../../../shared/prompts.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { BuildingBlocks } from './BuildingBlocks';
import { ExamplePicker } from './ExamplePicker';
import { MessagesEditor } from './MessagesEditor';
import { PromptHistory } from './PromptHistory';
import { PromptLibrary } from './PromptLibrary';
import { PromptPreview } from './PromptPreview';
import { usePromptsStore } from './prompts.store';
import { RunDefaults } from './RunDefaults';
import { SaveBar } from './SaveBar';
import { useDraftCheck } from './useDraftCheck';
import '../../ui/workbench.css';
import './prompts.css';
import './promptBlocks.css';
import './promptHistory.css';

/** What the shell needs, besides the rendered version, to hand it to the Playground. */
export interface PromptSource {
  promptName: string;
  versionNumber: number;
  variables: Record<string, string>;
}

interface Props {
  /** The shell moves a rendered version into the Playground, so neither feature reaches into the other. */
  onOpenInPlayground: (rendered: RenderedPromptVersion, source: PromptSource) => void;
}

export function PromptsView({ onOpenInPlayground }: Props): React.JSX.Element {
  const refreshList = usePromptsStore((s) => s.refreshList);
  const hasWs = usePromptsStore((s) => s.ws !== null);
  const opening = usePromptsStore((s) => s.opening);
  const openError = usePromptsStore((s) => s.openError);
  const newPrompt = usePromptsStore((s) => s.newPrompt);

  useEffect(() => {
    void refreshList();
  }, [refreshList]);

  return (
    <div className="view view-prompts">
      <PromptLibrary />
      <section className="pr-main">
        <ErrorNote error={openError} title="Could not open the prompt" />
        {hasWs ? (
          <Workspace onOpenInPlayground={onOpenInPlayground} />
        ) : opening ? (
          <p className="hint pr-pad">Opening…</p>
        ) : (
          <div className="empty-hero pr-hero">
            <h2>Prompt library</h2>
            <p>
              Prompts are chat templates with building blocks (persona, context, output rules, examples, reasoning layouts). Every save is an immutable
              version you can diff, label for production, restore or fork. Pick one on the left, or start a new one.
            </p>
            <button type="button" className="btn btn-primary pr-hero-new" onClick={newPrompt}>
              New prompt
            </button>
          </div>
        )}
        {!hasWs && !opening ? <ExamplePicker /> : null}
      </section>
    </div>
  );
}

function Workspace({ onOpenInPlayground }: Props): React.JSX.Element {
  const tab = usePromptsStore((s) => s.tab);
  const isNew = usePromptsStore((s) => s.ws?.promptId === null);
  const { check, changed } = useDraftCheck();
  const errors = check?.errors ?? null;

  // Ctrl/⌘+S saves a version; capture phase, so neither Monaco nor the browser's "save page" sees it.
  useEffect(() => {
    if (tab !== 'editor' && !isNew) return undefined;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key.toLowerCase() === 's' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault();
        e.stopPropagation();
        void usePromptsStore.getState().save();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [tab, isNew]);

  return (
    <>
      <WorkspaceHead changed={changed} onOpenInPlayground={onOpenInPlayground} />
      {tab === 'history' && !isNew ? (
        <div className="pr-scroll">
          <PromptHistory />
        </div>
      ) : (
        <>
          <div className="pr-editor">
            <div className="pr-col pr-compose">
              {errors?.general.length ? (
                <div className="field-error" data-testid="prompt-general-errors">
                  {errors.general.join(' · ')}
                </div>
              ) : null}
              <MessagesEditor errors={errors} />
              <BuildingBlocks errors={errors} />
              <RunDefaults />
            </div>
            <div className="pr-col pr-side">
              <PromptPreview />
            </div>
          </div>
          <SaveBar changed={changed} valid={check?.ok ?? false} />
        </>
      )}
    </>
  );
}

function WorkspaceHead({ changed, onOpenInPlayground }: { changed: boolean } & Props): React.JSX.Element | null {
  const ws = usePromptsStore((s) => s.ws);
  const detail = usePromptsStore((s) => s.detail);
  const tab = usePromptsStore((s) => s.tab);
  const selectedId = usePromptsStore((s) => s.selectedVersionId);
  const renaming = usePromptsStore((s) => s.renaming);
  const busy = usePromptsStore((s) => s.busy);
  const confirmRemove = usePromptsStore((s) => s.confirmRemove);
  const removing = usePromptsStore((s) => s.removing);
  const store = usePromptsStore.getState();
  if (!ws) return null;

  const isNew = ws.promptId === null;
  const savedName = detail?.prompt.name ?? null;
  const nameChanged = !isNew && savedName !== null && ws.name.trim() !== savedName;
  const latest = detail?.versions[0] ?? null;
  const stale = ws.base !== null && latest !== null && latest.number > ws.base.number;
  // History acts on the version selected there; the editor on the version it started from.
  const chosen = tab === 'history' ? (detail?.versions.find((v) => v.id === selectedId) ?? latest) : ws.base;

  const open = async (): Promise<void> => {
    if (!chosen) return;
    const rendered = await store.renderVersion(chosen.id);
    if (rendered) onOpenInPlayground(rendered, { promptName: savedName ?? ws.name, versionNumber: chosen.number, variables: usePromptsStore.getState().variables });
  };

  return (
    <div className="pr-head-wrap">
      <div className="pr-head">
        <form
          className="pr-name-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (nameChanged) void store.rename();
          }}
        >
          <input
            className={isNew && !ws.name.trim() ? 'input pr-name warn' : 'input pr-name'}
            data-testid="prompt-name-input"
            aria-label="Prompt name"
            placeholder="Name this prompt"
            maxLength={200}
            value={ws.name}
            onChange={(e) => store.setName(e.target.value)}
          />
          {nameChanged ? (
            <>
              <button type="submit" className="btn btn-small" data-testid="prompt-rename" disabled={renaming || !ws.name.trim()}>
                {renaming ? 'Renaming…' : 'Rename'}
              </button>
              <button type="button" className="btn-link" onClick={() => store.setName(savedName ?? '')}>
                Undo
              </button>
            </>
          ) : null}
        </form>
        {ws.base ? (
          <span className="tag pr-base" title="The version this working copy started from; the next save builds on it">
            from v{ws.base.number}
          </span>
        ) : (
          <span className="tag">new</span>
        )}
        {changed ? (
          <span className="pr-dirty" data-testid="prompt-dirty" title={isNew ? 'Not saved yet' : `Differs from v${ws.base?.number ?? '?'}`}>
            <span className="pr-unsaved" aria-hidden />
            {isNew ? 'Not saved yet' : 'Unsaved changes'}
          </span>
        ) : (
          <span className="muted pr-clean">Saved</span>
        )}
        {stale ? (
          <span className="text-warn pr-stale" data-testid="prompt-stale">
            v{latest?.number} is newer
            <button type="button" className="btn-link" onClick={() => void store.reloadLatest()} title="Open the latest version; edits here are discarded">
              Reload
            </button>
          </span>
        ) : null}
        <span className="spacer" />
        <div className="segmented pr-tabs" role="tablist" aria-label="Prompt panels">
          <button type="button" role="tab" className={tab === 'editor' ? 'on' : ''} aria-selected={tab === 'editor'} data-testid="prompt-tab-editor" onClick={() => store.setTab('editor')}>
            Editor
          </button>
          <button
            type="button"
            role="tab"
            className={tab === 'history' && !isNew ? 'on' : ''}
            aria-selected={tab === 'history'}
            data-testid="prompt-tab-history"
            disabled={isNew}
            title={isNew ? 'Save v1 first' : undefined}
            onClick={() => store.setTab('history')}
          >
            History{detail ? ` · ${detail.versions.length}` : ''}
          </button>
        </div>
        <button
          type="button"
          className="btn btn-small"
          data-testid="open-in-playground"
          disabled={!chosen || busy !== null}
          title={chosen ? `Render saved v${chosen.number} with the variable values here and open it in the Playground${changed && tab === 'editor' ? ' (unsaved edits are not included)' : ''}` : 'Save v1 first'}
          onClick={() => void open()}
        >
          {busy === 'render' ? 'Rendering…' : chosen ? `Open v${chosen.number} in Playground` : 'Open in Playground'}
        </button>
        <button type="button" className="icon-btn" data-testid="prompt-remove" aria-label="Remove prompt" title={isNew ? 'Discard this new prompt' : 'Remove from the library'} onClick={() => store.askRemove(!confirmRemove)}>
          <svg viewBox="0 0 16 16" aria-hidden>
            <path d="M3 4.5h10 M6.5 4.5V3h3v1.5 M4.5 4.5l.7 8.5h5.6l.7-8.5 M7 7v4 M9 7v4" />
          </svg>
        </button>
      </div>
      {confirmRemove ? (
        <div className="pr-remove-confirm" role="alertdialog" aria-label="Confirm removal">
          <span>
            {isNew ? (
              <>Discard this new prompt? Nothing was saved.</>
            ) : (
              <>
                Remove <strong>{savedName}</strong> from the library? Its versions are kept, archived and unchanged; the name becomes free.
              </>
            )}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-small btn-danger" data-testid="prompt-remove-confirm" disabled={removing} onClick={() => void store.remove()}>
            {removing ? 'Removing…' : isNew ? 'Discard' : 'Remove'}
          </button>
          <button type="button" className="btn btn-small" onClick={() => store.askRemove(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      {tab === 'editor' || isNew ? <ActionProblemNote /> : null}
    </div>
  );
}

/** Render or remove failures while the editor is shown (History shows its own next to the version). */
function ActionProblemNote(): React.JSX.Element | null {
  const problem = usePromptsStore((s) => s.problem);
  const setProblem = usePromptsStore((s) => s.setProblem);
  return <ErrorNote error={problem?.error ?? null} title={problem?.title} testId="prompt-action-error" onDismiss={() => setProblem(null)} />;
}
