// Applies assertions to one output. Pure apart from the JSON-schema validator (ajv), which is cached.
import { Ajv, type ValidateFunction } from 'ajv';
import type { Assertion, AssertionResult } from '../../shared/assertions.schema';
import { parseOutput, parseReference, scoreDocument, templateJsonSchema, type FieldSpec } from '../../shared/fieldScore';
import { sentenceBleu } from '../../shared/metrics/bleu';
import { rougeScore } from '../../shared/metrics/rouge';
import { extractVariables, substituteVariables } from '../../shared/template';

export interface AssertionContext {
  output: string;
  expected: string | null;
  label: string | null;
  latencyMs: number | null;
  variables: Readonly<Record<string, string>>;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction | Error>();

function validatorFor(schemaText: string): ValidateFunction | Error {
  let v = compiled.get(schemaText);
  if (!v) {
    try {
      v = ajv.compile(JSON.parse(schemaText) as object);
    } catch (e) {
      v = new Error(`the JSON schema is invalid: ${(e as Error).message}`);
    }
    compiled.set(schemaText, v);
  }
  return v;
}

/** Why a JSON object output does not match the template's schema (a missing or extra field, a wrong type), or null. */
function schemaProblem(fields: readonly FieldSpec[], output: string): string | null {
  const parsed = parseOutput(output);
  if (typeof parsed === 'string') return null;
  const v = validatorFor(JSON.stringify(templateJsonSchema(fields)));
  if (v instanceof Error || v(parsed)) return null;
  const err = v.errors?.[0];
  return `does not match the template's schema: ${err?.instancePath || '(root)'} ${err?.message ?? 'does not match'}`;
}

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);
/** What {{name}} in an assertion value may name: the row's variables, and (as promptfoo users expect) its
 *  expected output and label; a row variable of the same name wins. */
function rowValues(row: { variables: Readonly<Record<string, string>>; expected: string | null; label: string | null }): Record<string, string> {
  return { ...(row.expected !== null ? { expected: row.expected } : {}), ...(row.label !== null ? { label: row.label } : {}), ...row.variables };
}
const fill = (s: string, ctx: AssertionContext) => substituteVariables(s, rowValues(ctx)).text;

/** The texts of an assertion that {{variables}} are filled into, by field name. */
function templatedFields(a: Assertion): [string, string][] {
  if ((a.type === 'equals' && a.value !== undefined) || a.type === 'contains' || a.type === 'notContains') return [['value', a.value as string]];
  if (a.type === 'regex') return [['pattern', a.pattern]];
  if (a.type === 'fields' && a.reference !== undefined) return [['reference', a.reference]];
  return [];
}

/**
 * Saving refuses an assertion that names a variable some row lacks: it would be compared as the literal
 * "{{name}}" and fail for a reason nobody sees. Returns the problems, first ones first.
 */
export function assertionVariableProblems(
  assertions: readonly Assertion[],
  rows: readonly { position: number; variables: Readonly<Record<string, string>>; expected: string | null; label: string | null }[],
): string[] {
  const problems: string[] = [];
  assertions.forEach((a, i) => {
    for (const [field, text] of templatedFields(a)) {
      for (const name of extractVariables(text)) {
        const row = rows.find((r) => !Object.prototype.hasOwnProperty.call(rowValues(r), name));
        if (!row) continue;
        const known = Object.keys(rowValues(row));
        problems.push(
          `assertions.${i}.${field}: {{${name}}} is not a variable of row ${row.position + 1} (it has ${known.length ? known.map((k) => `{{${k}}}`).join(', ') : 'none'})`,
        );
      }
    }
  });
  return problems;
}

function parseJson(output: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(output.trim()) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function needExpected(ctx: AssertionContext, type: Assertion['type']): AssertionResult | null {
  return ctx.expected === null ? { type, pass: false, score: null, reason: 'the test row has no expected output' } : null;
}

export function evaluateAssertion(a: Assertion, ctx: AssertionContext): AssertionResult {
  const out = ctx.output;
  switch (a.type) {
    case 'equals': {
      const want = a.value !== undefined ? fill(a.value, ctx) : ctx.expected;
      if (want === null) return { type: a.type, pass: false, score: null, reason: 'no value and no expected output to compare with' };
      const norm = (s: string) => {
        const t = a.trim ? s.trim() : s;
        return a.caseSensitive ? t : t.toLowerCase();
      };
      const pass = norm(out) === norm(want);
      return { type: a.type, pass, score: null, reason: pass ? 'equal' : `expected "${short(want)}", got "${short(out)}"` };
    }
    case 'contains':
    case 'notContains': {
      const v = fill(a.value, ctx);
      const has = a.caseSensitive ? out.includes(v) : out.toLowerCase().includes(v.toLowerCase());
      const pass = a.type === 'contains' ? has : !has;
      return { type: a.type, pass, score: null, reason: `${has ? 'contains' : 'does not contain'} "${short(v)}"` };
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(fill(a.pattern, ctx), a.flags);
      } catch (e) {
        return { type: a.type, pass: false, score: null, reason: `invalid regex: ${(e as Error).message}` };
      }
      const pass = re.test(out);
      return { type: a.type, pass, score: null, reason: pass ? `matches /${short(re.source)}/` : `does not match /${short(re.source)}/` };
    }
    case 'isJson': {
      const j = parseJson(out);
      return { type: a.type, pass: j.ok, score: null, reason: j.ok ? 'valid JSON' : `not JSON: ${j.error}` };
    }
    case 'jsonSchema': {
      const j = parseJson(out);
      if (!j.ok) return { type: a.type, pass: false, score: null, reason: `not JSON: ${j.error}` };
      const v = validatorFor(a.schema);
      if (v instanceof Error) return { type: a.type, pass: false, score: null, reason: v.message };
      const pass = v(j.value);
      const err = v.errors?.[0];
      return { type: a.type, pass, score: null, reason: pass ? 'matches the schema' : `${err?.instancePath || '(root)'} ${err?.message ?? 'does not match'}` };
    }
    case 'numeric': {
      const want = a.value ?? (ctx.expected !== null ? Number(ctx.expected.trim()) : NaN);
      if (!Number.isFinite(want)) return { type: a.type, pass: false, score: null, reason: 'no numeric value or expected output to compare with' };
      const m = /-?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?/i.exec(out);
      if (!m) return { type: a.type, pass: false, score: null, reason: 'the output has no number' };
      const got = Number(m[0].replace(',', '.'));
      const diff = Math.abs(got - want);
      const pass = diff <= a.tolerance;
      return { type: a.type, pass, score: diff, reason: `${got} vs ${want} (±${a.tolerance})` };
    }
    case 'classification': {
      if (ctx.label === null) return { type: a.type, pass: false, score: null, reason: 'the test row has no label' };
      const pass = out.trim().toLowerCase() === ctx.label.trim().toLowerCase();
      return { type: a.type, pass, score: pass ? 1 : 0, reason: pass ? `label ${ctx.label}` : `expected label "${ctx.label}", got "${short(out.trim())}"` };
    }
    case 'maxLatency': {
      if (ctx.latencyMs === null) return { type: a.type, pass: false, score: null, reason: 'no latency was measured' };
      const pass = ctx.latencyMs <= a.ms;
      return { type: a.type, pass, score: ctx.latencyMs, reason: `${Math.round(ctx.latencyMs)} ms (max ${a.ms})` };
    }
    case 'bleu': {
      const missing = needExpected(ctx, a.type);
      if (missing) return missing;
      const s = sentenceBleu(out, [ctx.expected as string]).score;
      return { type: a.type, pass: s >= a.min, score: s, reason: `BLEU ${s.toFixed(2)} (min ${a.min})` };
    }
    case 'fields': {
      const refText = a.reference !== undefined ? fill(a.reference, ctx) : ctx.expected;
      if (refText === null) return { type: a.type, pass: false, score: null, reason: 'the test row has no expected output (the reference JSON)' };
      const ref = parseReference(refText);
      if (typeof ref === 'string') return { type: a.type, pass: false, score: null, reason: ref };
      const doc = scoreDocument(a.fields, ref, out);
      // Output that breaks the schema is invalid even where its fields compare: it counts as a wrong document.
      const off = doc.valid ? schemaProblem(a.fields, out) : null;
      const d = off === null ? doc : { ...doc, valid: false, invalidReason: off, documentPass: false };
      const scored = d.fields.filter((f) => f.scored && !f.field.includes('['));
      const passed = scored.filter((f) => f.pass).length;
      const failing = scored.filter((f) => !f.pass).map((f) => f.field);
      const reason = !d.valid ? `invalid output: ${d.invalidReason}` : failing.length ? `fields differ: ${failing.join(', ')}` : `${passed} fields match`;
      return { type: a.type, pass: d.documentPass, score: scored.length ? passed / scored.length : null, reason, fields: d.fields, valid: d.valid };
    }
    case 'rouge': {
      const missing = needExpected(ctx, a.type);
      if (missing) return missing;
      const f = rougeScore(out, [ctx.expected as string], { stem: a.stem })[a.variant].fmeasure;
      return { type: a.type, pass: f >= a.min, score: f, reason: `${a.variant} F ${f.toFixed(4)} (min ${a.min})` };
    }
  }
}

export function evaluateAll(assertions: readonly Assertion[], ctx: AssertionContext): { pass: boolean; results: AssertionResult[] } {
  const results = assertions.map((a) => evaluateAssertion(a, ctx));
  return { pass: results.every((r) => r.pass), results };
}
