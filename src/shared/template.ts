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

/** `{{image:name}}`: an image variable, filled with a stored image placed where it stands in the text. */
const IMAGE_VARIABLE = /\{\{\s*image:([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Image variable names in order of first appearance across the given texts. */
export function extractImageVariables(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(IMAGE_VARIABLE)) seen.add(m[1] as string);
  }
  return [...seen];
}

/** A user message as ordered parts: text, and images where `{{image:name}}` stood. */
export type TemplatePart<I> = { kind: 'text'; text: string } | { kind: 'image'; name: string; value: I };

/**
 * Splits text at each `{{image:name}}` with a value, putting the image in its place; variables without a
 * value stay in the text as written and are reported missing (a run refuses them, like text variables).
 * Empty text between images is dropped.
 */
export function splitImageVariables<I>(text: string, values: Readonly<Record<string, I>>): { parts: TemplatePart<I>[]; missing: string[] } {
  const parts: TemplatePart<I>[] = [];
  const missing = new Set<string>();
  let pending = '';
  let at = 0;
  for (const m of text.matchAll(IMAGE_VARIABLE)) {
    const name = m[1] as string;
    const end = (m.index ?? 0) + m[0].length;
    if (!Object.prototype.hasOwnProperty.call(values, name)) {
      missing.add(name);
      pending += text.slice(at, end);
    } else {
      pending += text.slice(at, m.index);
      if (pending !== '') parts.push({ kind: 'text', text: pending });
      pending = '';
      parts.push({ kind: 'image', name, value: values[name] as I });
    }
    at = end;
  }
  pending += text.slice(at);
  if (pending !== '') parts.push({ kind: 'text', text: pending });
  return { parts, missing: [...missing] };
}
