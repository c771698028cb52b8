// Guesses how a dataset file is laid out (container), which format its records follow, and for flat rows
// which fields hold the prompt and the answers.
import { extname } from 'node:path';
import type { DatasetContainer, DatasetFormat, FieldMapping } from '../../../shared/datasets.record';

/** By extension for CSV/TSV, else by the first character: "[" a JSON array, "{" JSON lines. */
export function detectContainer(path: string, head: string): DatasetContainer {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  let i = 0;
  while (i < head.length && ' \t\r\n\uFEFF'.includes(head[i] as string)) i++;
  const c = head[i];
  if (c === '[') return 'json';
  if (c === '{' || ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return 'csv';
}

function has(keys: ReadonlySet<string>, k: string): boolean {
  return keys.has(k);
}

/** The format one object's fields point to. */
export function formatOfFields(keys: ReadonlySet<string>): DatasetFormat {
  if (has(keys, 'messages')) return has(keys, 'chosen') && has(keys, 'rejected') ? 'preference' : 'messages';
  if (has(keys, 'conversations')) return 'sharegpt';
  if (has(keys, 'instruction') && (has(keys, 'output') || has(keys, 'chosen'))) return 'alpaca';
  if (has(keys, 'prompt') && has(keys, 'chosen') && has(keys, 'rejected')) return 'preference';
  return 'columns';
}

/** The format most of the sample objects point to; ties go to the first seen. Null for no sample. */
export function detectFormat(samples: readonly (readonly string[])[]): DatasetFormat | null {
  const votes = new Map<DatasetFormat, number>();
  for (const fields of samples) {
    const f = formatOfFields(new Set(fields));
    votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  let best: DatasetFormat | null = null;
  for (const [f, n] of votes) if (best === null || n > (votes.get(best) ?? 0)) best = f;
  return best;
}

const PROMPT = ['prompt', 'question', 'query', 'input', 'instruction', 'user', 'text'];
const RESPONSE = ['response', 'answer', 'output', 'completion', 'assistant', 'target'];
const SYSTEM = ['system', 'system_prompt', 'systemprompt'];
const CHOSEN = ['chosen', 'accepted', 'preferred'];
const REJECTED = ['rejected', 'dispreferred'];

function pick(fields: readonly string[], names: readonly string[], taken: ReadonlySet<string>): string | null {
  for (const name of names) {
    const f = fields.find((x) => x.trim().toLowerCase() === name && !taken.has(x));
    if (f !== undefined) return f;
  }
  return null;
}

/** Common field names for each part of a record; null when no field looks like a prompt. */
export function suggestMapping(fields: readonly string[]): FieldMapping | null {
  const taken = new Set<string>();
  const take = (names: readonly string[]) => {
    const f = pick(fields, names, taken);
    if (f !== null) taken.add(f);
    return f;
  };
  const prompt = take(PROMPT);
  if (prompt === null) return null;
  return { prompt, response: take(RESPONSE), system: take(SYSTEM), chosen: take(CHOSEN), rejected: take(REJECTED) };
}
