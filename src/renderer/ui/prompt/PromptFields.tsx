import { lazy, Suspense } from 'react';

// Monaco is most of the renderer's weight; only the views with editors pay for it, and only when opened.
const MonacoEditor = lazy(() => import('../monaco/MonacoEditor'));

function EditorFallback({ height }: { height: number }): React.JSX.Element {
  return <div className="monaco-host monaco-loading" style={{ height }} aria-hidden />;
}

interface PromptFieldsProps {
  systemPrompt: string;
  userMessage: string;
  onSystemPrompt: (text: string) => void;
  onUserMessage: (text: string) => void;
  /** Prefixes the editors' test ids, e.g. "compare-" → compare-system-editor. */
  testIdPrefix?: string;
  userHeight?: number;
}

/** The system prompt and user message editors, for any view that holds prompt texts. */
export function PromptFields({ systemPrompt, userMessage, onSystemPrompt, onUserMessage, testIdPrefix = '', userHeight = 150 }: PromptFieldsProps): React.JSX.Element {
  return (
    <>
      <div className="field-block">
        <div className="block-label">
          <span>System prompt</span>
          <span className="hint">{'{{name}}'} inserts a variable</span>
        </div>
        <Suspense fallback={<EditorFallback height={96} />}>
          <MonacoEditor
            testId={`${testIdPrefix}system-editor`}
            ariaLabel="System prompt"
            language="plaintext"
            height={96}
            placeholder="You are a helpful assistant."
            value={systemPrompt}
            onChange={onSystemPrompt}
          />
        </Suspense>
      </div>
      <div className="field-block">
        <div className="block-label">
          <span>User message</span>
          <span className="hint">Ctrl/⌘+Enter runs</span>
        </div>
        <Suspense fallback={<EditorFallback height={userHeight} />}>
          <MonacoEditor
            testId={`${testIdPrefix}user-editor`}
            ariaLabel="User message"
            language="plaintext"
            height={userHeight}
            placeholder="Write about {{topic}}…"
            value={userMessage}
            onChange={onUserMessage}
          />
        </Suspense>
      </div>
    </>
  );
}

export function SchemaField({ value, onChange, testId = 'json-schema-editor' }: { value: string; onChange: (text: string) => void; testId?: string }): React.JSX.Element {
  return (
    <Suspense fallback={<EditorFallback height={180} />}>
      <MonacoEditor testId={testId} ariaLabel="JSON schema" language="json" height={180} value={value} onChange={onChange} />
    </Suspense>
  );
}
