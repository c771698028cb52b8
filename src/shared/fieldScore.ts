// Field-level scoring of an extraction: each field compared after the normalization its template
// declares; a document is correct when every scored field is. Line items (type 'list') are compared in
// order: the counts must agree and item i must match item i on every sub-field.
import { z } from 'zod';
import { DateOrder, DecimalSeparator, describeAmountRule, normalizeAmount, normalizeDate, normalizeId, normalizeText, type Normalized } from './normalize';

const FieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a field name is a letter or _ then letters, digits or _ (≤ 64)');
const scalarField = {
  name: FieldName,
  description: z.string().max(500).default(''),
  /** amount: the decimal separator; grouping is the other one or a space. */
  decimal: DecimalSeparator.default('.'),
  /** date: how d/m/y forms are read. */
  dateOrder: DateOrder.default('YMD'),
  /** id and text: compare case. Default: IDs ignore case, text keeps it. */
  caseSensitive: z.boolean().optional(),
};
export const ScalarFieldSpec = z.object({ ...scalarField, type: z.enum(['amount', 'date', 'id', 'text']) });
export type ScalarFieldSpec = z.infer<typeof ScalarFieldSpec>;
export const FieldSpec = z.discriminatedUnion('type', [
  ScalarFieldSpec.extend({ type: z.enum(['amount', 'date', 'id', 'text']) }),
  z.object({ ...scalarField, type: z.literal('list'), items: z.array(ScalarFieldSpec).min(1).max(32) }),
]);
export type FieldSpec = z.infer<typeof FieldSpec>;
export type FieldSpecInput = z.input<typeof FieldSpec>;
export const FieldSpecs = z
  .array(FieldSpec)
  .min(1)
  .max(64)
  .refine((fs) => new Set(fs.map((f) => f.name)).size === fs.length, 'field names must be unique');

export interface FieldOutcome {
  field: string;
  /** false where the reference has no value for the field: it is not scored. */
  scored: boolean;
  pass: boolean;
  expected: string;
  got: string;
  /** Why it failed, or the normalized value that matched. */
  reason: string;
}
export interface DocumentScore {
  /** The output parsed as a JSON object with the template's types. */
  valid: boolean;
  invalidReason: string | null;
  fields: FieldOutcome[];
  /** Every scored field passed (and the output was valid). */
  documentPass: boolean;
}

const shown = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const absent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export function normalizeField(f: ScalarFieldSpec, v: unknown): Normalized {
  if (typeof v !== 'string' && typeof v !== 'number') return { ok: false, reason: `${shown(v) || 'nothing'} is not a string or number` };
  if (f.type === 'amount') return normalizeAmount(v, f.decimal);
  const s = String(v);
  if (f.type === 'date') return normalizeDate(s, f.dateOrder);
  if (f.type === 'id') return normalizeId(s, f.caseSensitive ?? false);
  return normalizeText(s, f.caseSensitive ?? true);
}

/** The normalization rule in words, shown beside a field's accuracy. */
export function describeRule(f: FieldSpec): string {
  if (f.type === 'list') return `ordered list: same count, item i matches item i on ${f.items.map((i) => i.name).join(', ')}`;
  if (f.type === 'amount') return describeAmountRule(f.decimal);
  if (f.type === 'date') return `d/m/y read ${f.dateOrder}; year-first forms (2025-10-01, CJK year-month-day) read as written`;
  if (f.type === 'id') return `whitespace removed, full-width folded, ${f.caseSensitive ? 'case kept' : 'case ignored'}`;
  return `whitespace collapsed, full-width folded, ${f.caseSensitive === false ? 'case ignored' : 'case kept'}`;
}

function scoreScalar(f: ScalarFieldSpec, name: string, want: unknown, got: unknown): FieldOutcome {
  const base = { field: name, expected: shown(want), got: shown(got) };
  if (absent(want)) return { ...base, scored: false, pass: true, reason: 'no reference value' };
  const w = normalizeField(f, want);
  if (!w.ok) return { ...base, scored: false, pass: false, reason: `reference: ${w.reason}` };
  if (absent(got)) return { ...base, scored: true, pass: false, reason: 'missing in the output' };
  const g = normalizeField(f, got);
  if (!g.ok) return { ...base, scored: true, pass: false, reason: g.reason };
  return g.value === w.value ? { ...base, scored: true, pass: true, reason: w.value } : { ...base, scored: true, pass: false, reason: `${g.value} ≠ ${w.value}` };
}

function scoreList(f: Extract<FieldSpec, { type: 'list' }>, want: unknown, got: unknown): FieldOutcome[] {
  const head = { field: f.name, expected: shown(want), got: shown(got) };
  if (!Array.isArray(want)) return [{ ...head, scored: false, pass: true, reason: 'no reference list' }];
  const items = Array.isArray(got) ? got : [];
  const details: FieldOutcome[] = [];
  want.forEach((w, i) => {
    const g: unknown = items[i];
    for (const sub of f.items) {
      const pick = (o: unknown) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[sub.name] : undefined);
      details.push(scoreScalar(sub, `${f.name}[${i + 1}].${sub.name}`, pick(w), pick(g)));
    }
  });
  const countOk = items.length === want.length;
  const failing = details.filter((d) => d.scored && !d.pass);
  const reason = !Array.isArray(got) ? 'not a list in the output' : !countOk ? `${items.length} items, expected ${want.length}` : failing.length ? `${failing.length} item fields differ` : `${want.length} items match`;
  return [{ ...head, scored: true, pass: countOk && failing.length === 0, reason }, ...details];
}

/** Parses a reference (the row's expected output) as a JSON object. */
export function parseReference(text: string): Record<string, unknown> | string {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : 'the reference is not a JSON object';
  } catch (e) {
    return `the reference is not JSON: ${(e as Error).message}`;
  }
}

/** The model output as a JSON object: the whole output, or the first {...} block inside a ``` fence. */
export function parseOutput(out: string): Record<string, unknown> | string {
  const t = out.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(t);
  const parsed = parseReference(fenced ? (fenced[1] as string) : t);
  // parseReference's reasons name the reference: here it is the model's output that is at fault.
  return typeof parsed === 'string' ? parsed.replace(/^the reference/, 'the output') : parsed;
}

/**
 * Scores one output against a reference. The top-level outcome of a list field says whether the whole
 * list matched; its item outcomes (`lines[2].amount`) follow it and do not count towards the document.
 */
export function scoreDocument(fields: readonly FieldSpec[], reference: Record<string, unknown>, output: string): DocumentScore {
  const parsed = parseOutput(output);
  const got = typeof parsed === 'string' ? {} : parsed;
  const outcomes: FieldOutcome[] = [];
  for (const f of fields) {
    if (f.type === 'list') outcomes.push(...scoreList(f, reference[f.name], got[f.name]));
    else outcomes.push(scoreScalar(f, f.name, reference[f.name], got[f.name]));
  }
  const invalid = typeof parsed === 'string' ? parsed : typeProblem(fields, got);
  const top = outcomes.filter((o) => fields.some((f) => f.name === o.field));
  return { valid: invalid === null, invalidReason: invalid, fields: outcomes, documentPass: invalid === null && top.every((o) => !o.scored || o.pass) };
}

function typeProblem(fields: readonly FieldSpec[], got: Record<string, unknown>): string | null {
  for (const f of fields) {
    const v = got[f.name];
    if (v === undefined || v === null) continue;
    if (f.type === 'list' ? !Array.isArray(v) : typeof v !== 'string' && typeof v !== 'number') return `${f.name}: ${f.type === 'list' ? 'not a list' : 'not a string or number'}`;
  }
  return null;
}

/** The JSON schema a template's output is constrained to (json_schema / response_format / local grammar). */
export function templateJsonSchema(fields: readonly FieldSpec[]): Record<string, unknown> {
  const scalar = (f: ScalarFieldSpec) => ({
    type: f.type === 'amount' ? ['string', 'number'] : 'string',
    ...(f.description ? { description: f.description } : {}),
  });
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    properties[f.name] =
      f.type === 'list'
        ? { type: 'array', items: { type: 'object', properties: Object.fromEntries(f.items.map((i) => [i.name, scalar(i)])), required: f.items.map((i) => i.name), additionalProperties: false } }
        : scalar(f);
  }
  return { type: 'object', properties, required: fields.map((f) => f.name), additionalProperties: false };
}
