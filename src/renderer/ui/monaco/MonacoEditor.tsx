import { useEffect, useRef } from 'react';
import { LITERAL_EDITOR_OPTIONS, monaco } from './monacoEnv';

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
      ...LITERAL_EDITOR_OPTIONS,
      model,
      ariaLabel,
      placeholder,
      lineNumbers: language === 'json' ? 'on' : 'off',
      lineDecorationsWidth: language === 'json' ? 6 : 10,
      lineNumbersMinChars: 3,
      folding: language === 'json',
      tabSize: 2,
      formatOnType: false,
      contextmenu: true,
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
