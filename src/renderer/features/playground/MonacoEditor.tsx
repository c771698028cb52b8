import { useEffect, useRef } from 'react';
import { monaco } from './monacoEnv';

interface Props {
  value: string;
  onChange: (text: string) => void;
  language: 'plaintext' | 'json';
  height: number;
  testId: string;
  ariaLabel: string;
  placeholder?: string;
}

/**
 * One Monaco editor. The instance lives here; only its text goes to the store. Typing is kept literal
 * (no auto-closing, no suggestions) so what a person or a test types is exactly what is sent.
 */
export default function MonacoEditor({ value, onChange, language, height, testId, ariaLabel, placeholder }: Props): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  const latestValue = useRef(value);

  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const model = monaco.editor.createModel(latestValue.current, language);
    const editor = monaco.editor.create(host, {
      model,
      theme: 'lamplight-dark',
      ariaLabel,
      placeholder,
      automaticLayout: true,
      wordWrap: 'on',
      minimap: { enabled: false },
      lineNumbers: language === 'json' ? 'on' : 'off',
      lineDecorationsWidth: language === 'json' ? 6 : 10,
      lineNumbersMinChars: 3,
      glyphMargin: false,
      folding: language === 'json',
      scrollBeyondLastLine: false,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      overviewRulerBorder: false,
      scrollbar: { verticalScrollbarSize: 8, horizontalScrollbarSize: 8, alwaysConsumeMouseWheel: false },
      stickyScroll: { enabled: false },
      fontSize: 13,
      lineHeight: 19,
      fontFamily: 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      padding: { top: 6, bottom: 6 },
      tabSize: 2,
      autoClosingBrackets: 'never',
      autoClosingQuotes: 'never',
      autoSurround: 'never',
      autoClosingOvertype: 'never',
      quickSuggestions: false,
      suggestOnTriggerCharacters: false,
      wordBasedSuggestions: 'off',
      acceptSuggestionOnEnter: 'off',
      parameterHints: { enabled: false },
      formatOnType: false,
      occurrencesHighlight: 'off',
      selectionHighlight: false,
      links: false,
      contextmenu: true,
      unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
    });
    editorRef.current = editor;
    const sub = editor.onDidChangeModelContent(() => onChangeRef.current(editor.getValue()));
    return () => {
      sub.dispose();
      editor.dispose();
      model.dispose();
      editorRef.current = null;
    };
  }, [language, ariaLabel, placeholder]);

  // Text set from outside (a run reopened from History) flows into the editor; our own edits already match.
  useEffect(() => {
    latestValue.current = value;
    const editor = editorRef.current;
    if (editor && editor.getValue() !== value) editor.setValue(value);
  }, [value]);

  return <div ref={hostRef} className="monaco-host" data-testid={testId} style={{ height }} />;
}
