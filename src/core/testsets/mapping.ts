// Columns → variables, expected output and label: the suggestion a preview shows, and applying the
// confirmed mapping to one row.
import { VARIABLE_NAME, type ColumnMapping } from '../../shared/testsets.schema';
import type { Cells } from '../io/table';

const EXPECTED_NAMES = ['expected', 'expected_output', 'output', 'answer', 'target'];
const LABEL_NAMES = ['label', 'class', 'category'];

const normalized = (column: string) => column.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** A column name as a {{variable}} name: kept when it already is one, otherwise a lowercase slug. */
export function toVariableName(column: string, index: number): string {
  const t = column.trim();
  if (VARIABLE_NAME.test(t) && t.length <= 64 && t !== '__proto__') return t;
  let s = t
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  if (s === '') return `column_${index + 1}`;
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return s;
}

/** Earlier names in the list win: a file with both "expected" and "output" columns maps "expected". */
function pick(columns: readonly string[], names: readonly string[]): string | null {
  for (const name of names) {
    const hit = columns.find((c) => normalized(c) === name);
    if (hit !== undefined) return hit;
  }
  return null;
}

export function suggestMapping(columns: readonly string[]): ColumnMapping {
  const expected = pick(columns, EXPECTED_NAMES);
  const label = pick(columns, LABEL_NAMES);
  const variables: Record<string, string> = {};
  const used = new Set<string>();
  columns.forEach((column, i) => {
    if (column === expected || column === label) return;
    const base = toVariableName(column, i);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    variables[column] = name;
  });
  return { variables, expected, label, images: [] };
}

export type MappedRow = { ok: true; variables: Record<string, string>; expected: string | null; label: string | null } | { ok: false; reason: string };

/** '' and null both mean "none" for expected and label, so a round trip through any format keeps them. */
export const noneIfEmpty = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

export function applyMapping(values: Cells, mapping: ColumnMapping): MappedRow {
  const variables: Record<string, string> = {};
  let missing: string[] | null = null;
  for (const [column, name] of Object.entries(mapping.variables)) {
    if (!Object.prototype.hasOwnProperty.call(values, column)) {
      (missing ??= []).push(column);
      continue;
    }
    variables[name] = values[column] ?? '';
  }
  if (missing !== null) {
    const list = missing.map((c) => JSON.stringify(c)).join(', ');
    return { ok: false, reason: `missing ${missing.length === 1 ? 'column' : 'columns'} ${list}` };
  }
  return {
    ok: true,
    variables,
    expected: mapping.expected === null ? null : noneIfEmpty(values[mapping.expected]),
    label: mapping.label === null ? null : noneIfEmpty(values[mapping.label]),
  };
}
