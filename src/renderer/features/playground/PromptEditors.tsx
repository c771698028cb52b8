import { lazy, Suspense } from 'react';
import { usePlaygroundStore } from './playground.store';

// Monaco is most of the renderer's weight; only the Playground pays for it, and only when opened.
const MonacoEditor = lazy(() => import('./MonacoEditor'));

function EditorFallback({ height }: { height: number }): React.JSX.Element {
  return <div className="monaco-host monaco-loading" style={{ height }} aria-hidden />;
}

export function PromptEditors(): React.JSX.Element {
  const systemPrompt = usePlaygroundStore((s) => s.systemPrompt);
  const userMessage = usePlaygroundStore((s) => s.userMessage);
  const setSystemPrompt = usePlaygroundStore((s) => s.setSystemPrompt);
  const setUserMessage = usePlaygroundStore((s) => s.setUserMessage);
  return (
    <>
      <div className="field-block">
        <div className="block-label">
          <span>System prompt</span>
          <span className="hint">{'{{name}}'} inserts a variable</span>
        </div>
        <Suspense fallback={<EditorFallback height={96} />}>
          <MonacoEditor
            testId="system-editor"
            ariaLabel="System prompt"
            language="plaintext"
            height={96}
            placeholder="You are a helpful assistant."
            value={systemPrompt}
            onChange={setSystemPrompt}
          />
        </Suspense>
      </div>
      <div className="field-block">
        <div className="block-label">
          <span>User message</span>
          <span className="hint">Ctrl/⌘+Enter runs</span>
        </div>
        <Suspense fallback={<EditorFallback height={150} />}>
          <MonacoEditor
            testId="user-editor"
            ariaLabel="User message"
            language="plaintext"
            height={150}
            placeholder="Write about {{topic}}…"
            value={userMessage}
            onChange={setUserMessage}
          />
        </Suspense>
      </div>
    </>
  );
}

export function SchemaEditor(): React.JSX.Element {
  const schemaText = usePlaygroundStore((s) => s.schemaText);
  const setSchemaText = usePlaygroundStore((s) => s.setSchemaText);
  return (
    <Suspense fallback={<EditorFallback height={180} />}>
      <MonacoEditor
        testId="json-schema-editor"
        ariaLabel="JSON schema"
        language="json"
        height={180}
        value={schemaText}
        onChange={setSchemaText}
      />
    </Suspense>
  );
}
