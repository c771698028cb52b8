import { useEffect, useRef } from 'react';
import { LITERAL_EDITOR_OPTIONS, monaco } from '../../../ui/monaco/monacoEnv';

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
      ...LITERAL_EDITOR_OPTIONS,
      model,
      ariaLabel: 'Edit the response; Ctrl+Enter saves, Escape cancels',
      lineNumbers: 'off',
      lineDecorationsWidth: 10,
      folding: false,
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
