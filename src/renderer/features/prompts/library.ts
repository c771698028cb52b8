// The library list: search and the small words it shows. Pure.
import type { PromptInfo } from '../../../shared/prompts.schema';

/** Case-insensitive match on name, description and labels; every word of the query must match. */
export function filterPrompts(prompts: readonly PromptInfo[], query: string): PromptInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return prompts.slice();
  return prompts.filter((p) => {
    const hay = [p.name, p.description, ...p.labels.map((l) => l.label)].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** A name for a fork that is not taken yet: "Name (fork)", then "Name (fork 2)", … */
export function forkName(name: string, taken: readonly string[]): string {
  const names = new Set(taken.map((t) => t.toLowerCase()));
  const first = `${name} (fork)`;
  if (!names.has(first.toLowerCase())) return first;
  for (let i = 2; ; i++) {
    const next = `${name} (fork ${i})`;
    if (!names.has(next.toLowerCase())) return next;
  }
}

/** "production", "candidate", then the rest alphabetically, so the important labels read first. */
export function sortLabels(labels: readonly string[]): string[] {
  const rank = (l: string): number => (l === 'production' ? 0 : l === 'candidate' ? 1 : 2);
  return labels.slice().sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
