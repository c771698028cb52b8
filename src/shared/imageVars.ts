// {{image:name}} placeholders: an image variable whose value is a stored image (by hash), placed where the
// placeholder stands. Used by prompt versions, test sets, evaluations and benchmarks. Names follow the same
// rule as text {{variables}} (template.ts), whose pattern never matches these; the pattern is the run path's
// (h/visionruns template.ts: no space after "image:"), so what is listed here is what a run fills.
const IMAGE_VARIABLE = /\{\{\s*image:([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Image variable names in order of first appearance across the given texts. */
export function extractImageVariables(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(IMAGE_VARIABLE)) seen.add(m[1] as string);
  }
  return [...seen];
}

const HASH = /^[0-9a-f]{64}$/;

/** A value that can fill an image variable: a stored image's hash (64 lower-case hex digits). */
export const isImageHash = (v: string | undefined | null): v is string => typeof v === 'string' && HASH.test(v);

/**
 * The imageVariables of a run request: each name the texts use, filled from the row's value of the same
 * name. Names without a hash value are returned as missing (the caller reports them).
 */
export function imageValuesFor(names: readonly string[], values: Readonly<Record<string, string>>): { imageVariables: Record<string, string>; missing: string[] } {
  const imageVariables: Record<string, string> = {};
  const missing: string[] = [];
  for (const n of names) {
    const v = Object.prototype.hasOwnProperty.call(values, n) ? values[n] : undefined;
    if (isImageHash(v)) imageVariables[n] = v;
    else missing.push(n);
  }
  return { imageVariables, missing };
}
