import type { CommandName } from '../../shared/contract';

export type View = 'models' | 'playground' | 'prompts' | 'history' | 'compare' | 'targets' | 'settings' | 'testsets' | 'evals' | 'datasets' | 'training' | 'bench' | 'guard' | 'audit' | 'team' | 'extraction';

/** Nav sections, in order; a view's section is where a new user looks for it. */
export const NAV_GROUPS = [
  { id: 'build', label: 'Build' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'data', label: 'Data' },
  { id: 'setup', label: 'Models & targets' },
  { id: 'govern', label: 'Govern' },
  { id: 'system', label: null },
] as const;
export type NavGroupId = (typeof NAV_GROUPS)[number]['id'];

// Listed in nav order, section by section. Each view keeps the Ctrl+digit it was given when it arrived, so
// regrouping the nav moves no one's shortcut. The ten digits are taken: later views (Fine-tune, Cost &
// latency, Guardrails, Audit) have none rather than take one from a view people already use.
// `needs` is the command a role must be allowed for the view to be of any use; the nav hides it otherwise.
export const VIEWS: readonly { id: View; label: string; subtitle: string; shortcut: number | null; needs: CommandName; group: NavGroupId }[] = [
  { id: 'playground', label: 'Playground', subtitle: 'Prompts, variables, sampling and streamed output', shortcut: 2, needs: 'runs.start', group: 'build' },
  { id: 'prompts', label: 'Prompts', subtitle: 'Versioned prompt templates, labels and diffs', shortcut: 7, needs: 'prompts.list', group: 'build' },
  { id: 'compare', label: 'Compare', subtitle: 'One prompt on several models side by side, differences marked', shortcut: 4, needs: 'compare.start', group: 'build' },
  { id: 'history', label: 'History', subtitle: 'Every run with its settings and timings', shortcut: 3, needs: 'runs.list', group: 'build' },
  { id: 'testsets', label: 'Test sets', subtitle: 'Rows of variables and expected outputs, imported from CSV or JSONL', shortcut: 8, needs: 'testsets.list', group: 'evaluate' },
  { id: 'evals', label: 'Evaluations', subtitle: 'Prompt versions × models × test rows, checked by assertions; A/B verdicts', shortcut: 9, needs: 'evals.start', group: 'evaluate' },
  { id: 'extraction', label: 'Extraction', subtitle: 'Documents to structured data: templates, per-field scores, PDF pages', shortcut: null, needs: 'extraction.list', group: 'evaluate' },
  { id: 'bench', label: 'Cost & latency', subtitle: 'Load tests across targets: latency, throughput, goodput and what each costs', shortcut: null, needs: 'bench.start', group: 'evaluate' },
  { id: 'datasets', label: 'Datasets', subtitle: 'Fine-tune data: import, search, label, check, export', shortcut: 0, needs: 'datasets.list', group: 'data' },
  { id: 'team', label: 'Team', subtitle: 'Labeling queues, agreement between labelers, review', shortcut: null, needs: 'team.myQueues', group: 'data' },
  { id: 'training', label: 'Fine-tune', subtitle: 'LoRA training packages from a dataset, runs and their adapters', shortcut: null, needs: 'training.package', group: 'data' },
  { id: 'models', label: 'Models', subtitle: 'Local GGUF files, downloads and loading', shortcut: 1, needs: 'models.list', group: 'setup' },
  { id: 'targets', label: 'Targets', subtitle: 'Remote OpenAI-compatible servers (vLLM and friends)', shortcut: 5, needs: 'targets.check', group: 'setup' },
  { id: 'guard', label: 'Guardrails', subtitle: 'PII masking before egress, output rules, profiles and roles', shortcut: null, needs: 'guard.preview', group: 'govern' },
  { id: 'audit', label: 'Audit', subtitle: 'Every AI call and refusal, hash-chained: filter, verify, export', shortcut: null, needs: 'audit.list', group: 'govern' },
  { id: 'settings', label: 'Settings', subtitle: 'Local API server, backup and restore', shortcut: 6, needs: 'apiServer.status', group: 'system' },
];

/** How a shortcut reads in the nav: "Ctrl+1", or "⌘1" on a Mac. */
export function shortcutLabel(shortcut: number | null, mac = false): string | null {
  if (shortcut === null) return null;
  return mac ? `⌘${shortcut}` : `Ctrl+${shortcut}`;
}

/** The given views by nav section, in section order; a section none of them is in is left out. */
export function navSections<V extends { group: NavGroupId }>(views: readonly V[]): { id: NavGroupId; label: string | null; views: V[] }[] {
  return NAV_GROUPS.map((g) => ({ id: g.id, label: g.label, views: views.filter((v) => v.group === g.id) })).filter((g) => g.views.length > 0);
}

/** The view a Ctrl+digit key opens, if any. */
export function viewForShortcut(key: string): View | null {
  return VIEWS.find((v) => v.shortcut !== null && String(v.shortcut) === key)?.id ?? null;
}

/** The views this session's commands make useful, in nav order; every view while the session is unknown. */
export function visibleViews(allowed: readonly string[] | null): readonly (typeof VIEWS)[number][] {
  if (!allowed) return VIEWS;
  return VIEWS.filter((v) => allowed.includes(v.needs));
}
