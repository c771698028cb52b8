// The import form's column mapping: one role per source column, turned into the contract's ColumnMapping.
// Pure, so the rules (unique variable names, one expected and one label column) are tested without a DOM.
import type { ColumnMapping, ColumnMappingInput } from '../../../shared/testsets.schema';
import { VARIABLE_NAME } from '../../../shared/testsets.schema';

/** 'image': a variable whose cells are image files (relative to the file) or data: URIs. */
export type ColumnRoleKind = 'variable' | 'image' | 'expected' | 'label' | 'ignore';
export interface ColumnRole {
  role: ColumnRoleKind;
  /** The variable name when role is 'variable' or 'image'. */
  name: string;
}

/** The roles the core's suggested mapping gives each column; columns it leaves out are ignored. */
export function rolesFromMapping(columns: readonly string[], mapping: ColumnMappingInput | ColumnMapping): Record<string, ColumnRole> {
  const roles: Record<string, ColumnRole> = {};
  for (const c of columns) {
    const variable = mapping.variables[c];
    if (variable !== undefined) roles[c] = { role: (mapping.images ?? []).includes(variable) ? 'image' : 'variable', name: variable };
    else if (mapping.expected === c) roles[c] = { role: 'expected', name: '' };
    else if (mapping.label === c) roles[c] = { role: 'label', name: '' };
    else roles[c] = { role: 'ignore', name: '' };
  }
  return roles;
}

/** A mapping to import with, or the first problem in words. */
export function mappingFromRoles(
  columns: readonly string[],
  roles: Readonly<Record<string, ColumnRole>>,
): { mapping: ColumnMappingInput; problem: null } | { mapping: null; problem: string } {
  const variables: Record<string, string> = {};
  const seen = new Set<string>();
  const images: string[] = [];
  let expected: string | null = null;
  let label: string | null = null;
  for (const c of columns) {
    const r = roles[c] ?? { role: 'ignore', name: '' };
    if (r.role === 'variable' || r.role === 'image') {
      const name = r.name.trim();
      if (!VARIABLE_NAME.test(name) || name === '__proto__') return { mapping: null, problem: `"${name}" (column ${c}) is not a variable name: a letter or _ then letters, digits, _ . -` };
      if (seen.has(name)) return { mapping: null, problem: `two columns map to the variable "${name}"` };
      seen.add(name);
      variables[c] = name;
      if (r.role === 'image') images.push(name);
    } else if (r.role === 'expected') {
      if (expected !== null) return { mapping: null, problem: `only one column can be the expected output (${expected} and ${c})` };
      expected = c;
    } else if (r.role === 'label') {
      if (label !== null) return { mapping: null, problem: `only one column can be the label (${label} and ${c})` };
      label = c;
    }
  }
  if (seen.size === 0 && expected === null) return { mapping: null, problem: 'map at least one column to a variable' };
  return { mapping: { variables, expected, label, images }, problem: null };
}
