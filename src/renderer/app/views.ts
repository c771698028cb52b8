export type View = 'models' | 'playground' | 'history' | 'compare' | 'targets' | 'settings';

// Ctrl+1… follow this order; new views go after the first three so their shortcuts stay put.
export const VIEWS: readonly { id: View; label: string; subtitle: string }[] = [
  { id: 'models', label: 'Models', subtitle: 'Local GGUF files, downloads and loading' },
  { id: 'playground', label: 'Playground', subtitle: 'Prompts, variables, sampling and streamed output' },
  { id: 'history', label: 'History', subtitle: 'Every run with its settings and timings' },
  { id: 'compare', label: 'Compare', subtitle: 'One prompt on several models side by side, differences marked' },
  { id: 'targets', label: 'Targets', subtitle: 'Remote OpenAI-compatible servers (vLLM and friends)' },
  { id: 'settings', label: 'Settings', subtitle: 'Local API server' },
];
