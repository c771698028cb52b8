import { useEffect, useRef } from 'react';
import { monaco } from '../../ui/monaco/monacoEnv';

interface Props {
  original: string;
  modified: string;
  height: number;
}

/** Monaco's diff editor, read-only, side by side. The instance and its two models live here only. */
export default function PromptDiffEditor({ original, modified, height }: Props): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneDiffEditor | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const editor = monaco.editor.createDiffEditor(host, {
      theme: 'lamplight-dark',
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      // The panel is narrower than Monaco's 900 px breakpoint on most windows; side by side still reads best.
      useInlineViewWhenSpaceIsLimited: false,
      diffWordWrap: 'on',
      wordWrap: 'on',
      ignoreTrimWhitespace: false,
      renderOverviewRuler: false,
      overviewRulerLanes: 0,
      overviewRulerBorder: false,
      hideCursorInOverviewRuler: true,
      renderGutterMenu: false,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      stickyScroll: { enabled: false },
      lineNumbersMinChars: 3,
      glyphMargin: false,
      folding: false,
      fontSize: 12.5,
      lineHeight: 18,
      fontFamily: 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      scrollbar: { verticalScrollbarSize: 8, horizontalScrollbarSize: 8, alwaysConsumeMouseWheel: false },
      unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
    });
    editorRef.current = editor;
    return () => {
      const model = editor.getModel();
      editor.dispose();
      model?.original.dispose();
      model?.modified.dispose();
      editorRef.current = null;
    };
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    const old = editor.getModel();
    editor.setModel({ original: monaco.editor.createModel(original, 'markdown'), modified: monaco.editor.createModel(modified, 'markdown') });
    old?.original.dispose();
    old?.modified.dispose();
  }, [original, modified]);

  return <div ref={hostRef} className="monaco-host pr-diff-host" data-testid="diff-editor" style={{ height }} />;
}
