import { useMemo, useState } from 'react';
import { extractImageVariables } from '../../../shared/imageVars';
import { renderPrompt, toPlaygroundFields } from '../../../shared/promptRender';
import { MissingVariables } from '../../ui/prompt/MissingVariables';
import { filledVariables } from '../../ui/prompt/variables';
import { VariablesFields } from '../../ui/prompt/VariablesFields';
import { previewContent } from './promptDraft';
import { usePromptsStore } from './prompts.store';

type Mode = 'messages' | 'playground';

/**
 * Variables for every {{name}} the composed messages use, and the messages they render to. Computed here
 * with the same pure renderPrompt the core uses, because prompts.render only renders saved versions.
 */
export function PromptPreview(): React.JSX.Element | null {
  const draft = usePromptsStore((s) => s.ws?.draft ?? null);
  const variables = usePromptsStore((s) => s.variables);
  const setVariable = usePromptsStore((s) => s.setVariable);
  const [mode, setMode] = useState<Mode>('messages');
  const result = useMemo(() => (draft ? renderPrompt(previewContent(draft), filledVariables(variables)) : null), [draft, variables]);
  const fields = useMemo(() => (result && mode === 'playground' ? toPlaygroundFields(result.messages) : null), [result, mode]);
  const imageVars = useMemo(() => (result ? extractImageVariables(...result.messages.map((m) => m.content)) : []), [result]);
  if (!result) return null;
  const missing = result.missingVariables;

  return (
    <>
      <VariablesFields variables={variables} missing={missing} onChange={setVariable} testIdPrefix="prompt-" />
      {imageVars.length ? (
        <p className="hint" data-testid="prompt-image-variables">
          Image variables: {imageVars.map((n) => `{{image:${n}}}`).join(', ')}. An image column of a test set (or an image picked in the Playground) fills each.
        </p>
      ) : null}
      <section className="panel-section">
        <div className="block-label">
          <span>Preview</span>
          <span className="hint">{result.messages.length} messages</span>
          <div className="segmented" role="group" aria-label="Preview as">
            <button type="button" className={mode === 'messages' ? 'on' : ''} aria-pressed={mode === 'messages'} onClick={() => setMode('messages')}>
              Messages
            </button>
            <button
              type="button"
              className={mode === 'playground' ? 'on' : ''}
              aria-pressed={mode === 'playground'}
              title="What Open in Playground puts in its two fields"
              onClick={() => setMode('playground')}
            >
              Playground
            </button>
          </div>
        </div>
        <MissingVariables missing={missing} />
        <div className="pr-preview" data-testid="prompt-preview">
          {fields ? (
            <>
              <PreviewMessage role="system prompt" text={fields.systemPrompt} />
              <PreviewMessage role="user message" text={fields.userMessage} />
            </>
          ) : (
            result.messages.map((m, i) => <PreviewMessage key={i} role={m.role} text={m.content} />)
          )}
        </div>
      </section>
    </>
  );
}

function PreviewMessage({ role, text }: { role: string; text: string }): React.JSX.Element {
  return (
    <div className={`pv-msg pv-${role.split(' ')[0] ?? role}`}>
      <div className="pv-role">{role}</div>
      <div className="pv-text">{text || <span className="muted">(empty)</span>}</div>
    </div>
  );
}
