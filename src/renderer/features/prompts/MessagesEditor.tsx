import { lazy, Suspense } from 'react';
import type { MessageRole } from '../../../shared/prompts.schema';
import { addMessage, moveMessage, patchMessage, removeMessage, type DraftErrors, type DraftMessage } from './promptDraft';
import { usePromptsStore } from './prompts.store';

// Monaco loads with the first editor, as in the Playground.
const MonacoEditor = lazy(() => import('../../ui/monaco/MonacoEditor'));

const ROLES: readonly MessageRole[] = ['system', 'user', 'assistant'];
const NO_MESSAGES: DraftMessage[] = [];

const PLACEHOLDERS: Record<MessageRole, string> = {
  system: 'You are a helpful assistant.',
  user: 'Summarize {{text}} in plain words.',
  assistant: 'A reply the model should see as its own earlier turn.',
};

/** The template's messages: a role and a Monaco editor each, in order. */
export function MessagesEditor({ errors }: { errors: DraftErrors | null }): React.JSX.Element {
  const messages = usePromptsStore((s) => s.ws?.draft.messages ?? NO_MESSAGES);
  const update = usePromptsStore((s) => s.updateDraft);

  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Messages</span>
        <span className="hint">System first (optional); the last is the user message a run answers. {'{{name}}'} inserts a variable.</span>
      </div>
      <ol className="pr-messages">
        {messages.map((m, i) => {
          const error = errors?.messages[i];
          const height = m.role === 'system' ? 88 : 112;
          return (
            <li key={m.key} className={error ? 'pr-message invalid' : 'pr-message'}>
              <div className="pr-message-head">
                <span className="pr-index num">{i + 1}</span>
                <select
                  className={`input pr-role role-${m.role}`}
                  data-testid={`prompt-role-${i}`}
                  aria-label={`Role of message ${i + 1}`}
                  value={m.role}
                  onChange={(e) => update((d) => patchMessage(d, m.key, { role: e.target.value as MessageRole }))}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <span className="spacer" />
                <button type="button" className="btn-icon" aria-label={`Move message ${i + 1} up`} title="Move up" disabled={i === 0} onClick={() => update((d) => moveMessage(d, i, -1))}>
                  ↑
                </button>
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={`Move message ${i + 1} down`}
                  title="Move down"
                  disabled={i === messages.length - 1}
                  onClick={() => update((d) => moveMessage(d, i, 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={`Remove message ${i + 1}`}
                  title={messages.length <= 1 ? 'A prompt keeps at least one message' : 'Remove'}
                  disabled={messages.length <= 1}
                  onClick={() => update((d) => removeMessage(d, i))}
                >
                  ×
                </button>
              </div>
              <Suspense fallback={<div className="monaco-host monaco-loading" style={{ height }} aria-hidden />}>
                <MonacoEditor
                  testId={`prompt-message-editor-${i}`}
                  ariaLabel={`${m.role} message`}
                  language="plaintext"
                  height={height}
                  placeholder={PLACEHOLDERS[m.role]}
                  value={m.content}
                  onChange={(text) => update((d) => patchMessage(d, m.key, { content: text }))}
                />
              </Suspense>
              {error ? (
                <div className="field-error" data-testid={`prompt-message-error-${i}`}>
                  {error}
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      <button type="button" className="btn btn-small pr-add" data-testid="prompt-add-message" onClick={() => update(addMessage)}>
        + Message
      </button>
    </section>
  );
}
