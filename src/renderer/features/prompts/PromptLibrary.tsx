import { useMemo } from 'react';
import type { PromptInfo } from '../../../shared/prompts.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { filterPrompts, sortLabels } from './library';
import { NEW_PROMPT, usePromptsStore } from './prompts.store';

/** The library: every prompt not removed, newest change first, with a search over names and labels. */
export function PromptLibrary(): React.JSX.Element {
  const prompts = usePromptsStore((s) => s.prompts);
  const listed = usePromptsStore((s) => s.listed);
  const listError = usePromptsStore((s) => s.listError);
  const query = usePromptsStore((s) => s.query);
  const setQuery = usePromptsStore((s) => s.setQuery);
  const newPrompt = usePromptsStore((s) => s.newPrompt);
  const editingNew = usePromptsStore((s) => s.ws !== null && s.ws.promptId === null);
  const newParked = usePromptsStore((s) => NEW_PROMPT in s.parked);
  const shown = useMemo(() => filterPrompts(prompts, query), [prompts, query]);

  return (
    <aside className="pr-library" aria-label="Prompt library">
      <div className="pr-library-head">
        <input
          className="input grow"
          type="search"
          data-testid="prompt-search"
          placeholder="Search"
          aria-label="Search prompts by name, description or label"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" className="btn btn-primary btn-small" data-testid="prompt-new" onClick={newPrompt} title="Start a new prompt">
          + New
        </button>
      </div>
      <ErrorNote error={listError} title="Could not list prompts" />
      <ul className="pr-list">
        {editingNew || newParked ? (
          <li>
            <button type="button" className={editingNew ? 'pr-row current' : 'pr-row'} onClick={newPrompt}>
              <span className="pr-row-top">
                <span className="pr-row-name muted">New prompt</span>
                <span className="pr-unsaved" title="Not saved yet" />
              </span>
              <span className="pr-row-meta muted">not saved yet</span>
            </button>
          </li>
        ) : null}
        {shown.map((p) => (
          <PromptRow key={p.id} prompt={p} />
        ))}
      </ul>
      {listed && !listError && prompts.length === 0 && !editingNew ? (
        <p className="hint pr-list-empty">No prompts yet. New starts one; its first save is v1.</p>
      ) : null}
      {prompts.length > 0 && shown.length === 0 ? <p className="hint pr-list-empty">No prompt matches “{query}”.</p> : null}
    </aside>
  );
}

function PromptRow({ prompt }: { prompt: PromptInfo }): React.JSX.Element {
  const current = usePromptsStore((s) => s.ws?.promptId === prompt.id || s.opening === prompt.id);
  const unsaved = usePromptsStore((s) => prompt.id in s.parked);
  const select = usePromptsStore((s) => s.select);
  const labels = sortLabels(prompt.labels.map((l) => l.label));
  const at = new Map(prompt.labels.map((l) => [l.label, l.versionNumber]));
  return (
    <li>
      <button type="button" className={current ? 'pr-row current' : 'pr-row'} data-testid="prompt-row" aria-current={current || undefined} onClick={() => void select(prompt.id)}>
        <span className="pr-row-top">
          <span className="pr-row-name">{prompt.name}</span>
          {unsaved ? <span className="pr-unsaved" title="Unsaved changes" /> : null}
          <span className="pr-row-version num">v{prompt.latest.number}</span>
        </span>
        {labels.length ? (
          <span className="pr-row-labels">
            {labels.map((l) => (
              <span key={l} className={`chip label-chip label-${l}`} data-testid="label-chip" title={`${l} → v${at.get(l) ?? '?'}`}>
                {l} <span className="muted">v{at.get(l)}</span>
              </span>
            ))}
          </span>
        ) : null}
        <span className="pr-row-meta muted num">updated {formatTime(prompt.updatedAt)}</span>
      </button>
    </li>
  );
}
