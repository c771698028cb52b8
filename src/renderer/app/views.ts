export type View = 'models' | 'playground' | 'prompts' | 'history' | 'compare' | 'targets' | 'settings' | 'testsets' | 'evals' | 'datasets' | 'training' | 'bench';

// Listed in nav order. Each view keeps the Ctrl+digit it was given when it arrived, so a view placed in
// the middle of the list (Prompts, next to the Playground) moves no one's shortcut. The ten digits are
// taken: later views (Fine-tune, Cost & latency) have none rather than take one from a view people already use.
export const VIEWS: readonly { id: View; label: string; subtitle: string; shortcut: number | null }[] = [
  { id: 'models', label: 'Models', subtitle: 'Local GGUF files, downloads and loading', shortcut: 1 },
  { id: 'playground', label: 'Playground', subtitle: 'Prompts, variables, sampling and streamed output', shortcut: 2 },
  { id: 'prompts', label: 'Prompts', subtitle: 'Versioned prompt templates, labels and diffs', shortcut: 7 },
  { id: 'history', label: 'History', subtitle: 'Every run with its settings and timings', shortcut: 3 },
  { id: 'compare', label: 'Compare', subtitle: 'One prompt on several models side by side, differences marked', shortcut: 4 },
  { id: 'testsets', label: 'Test sets', subtitle: 'Rows of variables and expected outputs, imported from CSV or JSONL', shortcut: 8 },
  { id: 'evals', label: 'Evaluations', subtitle: 'Prompt versions × models × test rows, checked by assertions; A/B verdicts', shortcut: 9 },
  { id: 'datasets', label: 'Datasets', subtitle: 'Fine-tune data: import, search, label, check, export', shortcut: 0 },
  { id: 'training', label: 'Fine-tune', subtitle: 'LoRA training packages from a dataset, runs and their adapters', shortcut: null },
  { id: 'bench', label: 'Cost & latency', subtitle: 'Load tests across targets: latency, throughput, goodput and what each costs', shortcut: null },
  { id: 'targets', label: 'Targets', subtitle: 'Remote OpenAI-compatible servers (vLLM and friends)', shortcut: 5 },
  { id: 'settings', label: 'Settings', subtitle: 'Local API server', shortcut: 6 },
];

/** The view a Ctrl+digit key opens, if any. */
export function viewForShortcut(key: string): View | null {
  return VIEWS.find((v) => v.shortcut !== null && String(v.shortcut) === key)?.id ?? null;
}
