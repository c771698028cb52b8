// {{variables}} in the two prompt texts and the values typed for them. Pure.
import { extractVariables } from '../../../shared/template';

export { extractVariables };

/**
 * Values for exactly the names present now. A name that disappears keeps its value in `memory`, so
 * retyping `{{topic}}` after a slip brings the value back.
 */
export function syncVariables(
  names: readonly string[],
  current: Readonly<Record<string, string>>,
  memory: Readonly<Record<string, string>>,
): { values: Record<string, string>; memory: Record<string, string> } {
  const nextMemory: Record<string, string> = { ...memory, ...current };
  const values: Record<string, string> = {};
  for (const name of names) values[name] = current[name] ?? nextMemory[name] ?? '';
  return { values, memory: nextMemory };
}

/** True when both records hold the same keys in the same order with the same values. */
export function sameVariables(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Values someone actually typed; an empty input counts as missing so the core flags it. */
export function filledVariables(values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== '') out[k] = v;
  return out;
}
