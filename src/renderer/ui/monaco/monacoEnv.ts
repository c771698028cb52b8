// Monaco's workers and theme, set once before the first editor exists. The worker paths are the 0.57 ones;
// the old esm/vs/... paths build but fail at run time (see FIELD-NOTES).
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'json') return new JsonWorker();
    return new EditorWorker();
  },
};

monaco.editor.defineTheme('lamplight-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#0f1216',
    'editor.lineHighlightBackground': '#161b22',
    'editor.lineHighlightBorder': '#00000000',
    'editorLineNumber.foreground': '#4a5462',
    'editorLineNumber.activeForeground': '#9aa4b2',
    'editorCursor.foreground': '#f2b85b',
    'editor.selectionBackground': '#3a4a63',
    'editorGutter.background': '#0f1216',
    'scrollbarSlider.background': '#2a313b88',
    'editorWidget.background': '#171b21',
    'focusBorder': '#00000000',
  },
});

// No remote schema fetches; syntax errors still show.
monaco.json.jsonDefaults.setDiagnosticsOptions({ validate: true, allowComments: false, enableSchemaRequest: false, schemas: [] });

/**
 * The look and typing every Lamplight editor shares: the app theme, no minimap or rulers, and literal typing
 * (no auto-closing, no suggestions) so what a person or a test types is exactly what is sent.
 */
export const LITERAL_EDITOR_OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  theme: 'lamplight-dark',
  automaticLayout: true,
  wordWrap: 'on',
  minimap: { enabled: false },
  glyphMargin: false,
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
};

export { monaco };
