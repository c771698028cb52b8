import { useEffect, useRef } from 'react';
import { monaco } from '../playground/monacoEnv';

interface Props {
  initial: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}

/**
 * Monaco for rewriting a response. The instance lives here; only the saved text leaves, through onSave.
 * Ctrl/Cmd+Enter saves, Escape cancels; typing stays literal (no auto-closing, no suggestions).
 */
export default function ResponseEditor({ initial, onSave, onCancel }: Props): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null);
  const actions = useRef({ onSave, onCancel });
  useEffect(() => {
    actions.current = { onSave, onCancel };
  }, [onSave, onCancel]);
  const initialRef = useRef(initial);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const model = monaco.editor.createModel(initialRef.current, 'plaintext');
    const editor = monaco.editor.create(host, {
      model,
      theme: 'lamplight-dark',
      ariaLabel: 'Edit the response; Ctrl+Enter saves, Escape cancels',
      automaticLayout: true,
      wordWrap: 'on',
      minimap: { enabled: false },
      lineNumbers: 'off',
      lineDecorationsWidth: 10,
      glyphMargin: false,
      folding: false,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      overviewRulerBorder: false,
      hideCursorInOverviewRuler: true,
      scrollbar: { verticalScrollbarSize: 8, horizontalScrollbarSize: 8, alwaysConsumeMouseWheel: false },
      stickyScroll: { enabled: false },
      fontSize: 13,
      lineHeight: 19,
      fontFamily: 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      padding: { top: 6, bottom: 6 },
      autoClosingBrackets: 'never',
      autoClosingQuotes: 'never',
      autoSurround: 'never',
      autoClosingOvertype: 'never',
      quickSuggestions: false,
      suggestOnTriggerCharacters: false,
      wordBasedSuggestions: 'off',
      acceptSuggestionOnEnter: 'off',
      parameterHints: { enabled: false },
      occurrencesHighlight: 'off',
      selectionHighlight: false,
      links: false,
      unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
    });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => actions.current.onSave(editor.getValue()));
    editor.addCommand(monaco.KeyCode.Escape, () => actions.current.onCancel());
    editor.focus();
    const end = model.getFullModelRange().getEndPosition();
    editor.setPosition(end);
    return () => {
      editor.dispose();
      model.dispose();
    };
  }, []);

  return <div ref={hostRef} className="monaco-host lb-editor" data-testid="labeling-response-editor" />;
}
