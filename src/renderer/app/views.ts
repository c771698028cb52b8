export type View = 'models' | 'playground' | 'history';

export const VIEWS: readonly { id: View; label: string; subtitle: string }[] = [
  { id: 'models', label: 'Models', subtitle: 'Local GGUF files, downloads and loading' },
  { id: 'playground', label: 'Playground', subtitle: 'Prompts, variables, sampling and streamed output' },
  { id: 'history', label: 'History', subtitle: 'Every run with its settings and timings' },
];
