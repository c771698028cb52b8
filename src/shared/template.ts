// {{variable}} placeholders: one definition of what a variable name is, used by the UI, core and CLI.
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Variable names in order of first appearance across the given texts. */
export function extractVariables(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(VARIABLE)) seen.add(m[1] as string);
  }
  return [...seen];
}

export interface Substituted {
  text: string;
  missing: string[];
}

/** Replaces {{name}} with its value; unknown names stay as written and are reported as missing. */
export function substituteVariables(text: string, values: Readonly<Record<string, string>>): Substituted {
  const missing = new Set<string>();
  const out = text.replace(VARIABLE, (whole, name: string) => {
    if (Object.prototype.hasOwnProperty.call(values, name)) return values[name] as string;
    missing.add(name);
    return whole;
  });
  return { text: out, missing: [...missing] };
}
