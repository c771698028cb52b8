// Checks an evaluation applies to each output. Values may use {{variables}} of the test row.
import { z } from 'zod';
import { FieldSpecs, type FieldOutcome } from './fieldScore';

const text = z.string().max(100_000);

export const Assertion = z.discriminatedUnion('type', [
  /** Output equals the value (default: the row's expected output). */
  z.object({ type: z.literal('equals'), value: text.optional(), trim: z.boolean().default(true), caseSensitive: z.boolean().default(true) }),
  z.object({ type: z.literal('contains'), value: text, caseSensitive: z.boolean().default(true) }),
  z.object({ type: z.literal('notContains'), value: text, caseSensitive: z.boolean().default(true) }),
  z.object({ type: z.literal('regex'), pattern: z.string().min(1).max(10_000), flags: z.string().regex(/^[imsu]*$/).default('') }),
  z.object({ type: z.literal('isJson') }),
  z.object({ type: z.literal('jsonSchema'), schema: text }),
  /** The first number in the output is within `tolerance` of the value (default: the expected output). */
  z.object({ type: z.literal('numeric'), value: z.number().optional(), tolerance: z.number().min(0).default(0) }),
  /** The output, trimmed and case-folded, equals the row's label: accuracy is the pass rate. */
  z.object({ type: z.literal('classification') }),
  z.object({ type: z.literal('maxLatency'), ms: z.number().int().min(1) }),
  /** Sentence BLEU (sacreBLEU, 0–100) against the expected output. */
  z.object({ type: z.literal('bleu'), min: z.number().min(0).max(100) }),
  /** ROUGE F-measure (rouge-score, 0–1) against the expected output. */
  /** Extraction: the output (JSON) scored per field against the reference JSON (default: the row's expected
   *  output) under the template's declared normalization; passes when every scored field matches. */
  z.object({ type: z.literal('fields'), templateId: z.string().max(64).optional(), fields: FieldSpecs, reference: text.optional() }),
  z.object({ type: z.literal('rouge'), variant: z.enum(['rouge1', 'rouge2', 'rougeL']).default('rougeL'), min: z.number().min(0).max(1), stem: z.boolean().default(false) }),
]);
export type Assertion = z.infer<typeof Assertion>;
export type AssertionInput = z.input<typeof Assertion>;

export interface AssertionResult {
  type: Assertion['type'];
  pass: boolean;
  /** A number where the check has one (BLEU, ROUGE, latency, numeric distance); null otherwise. */
  score: number | null;
  /** Why it failed (or what was measured), in words. */
  reason: string;
  /** `fields` only: the per-field outcomes (list items as `lines[2].amount`), and whether the output was valid JSON. */
  fields?: FieldOutcome[];
  valid?: boolean;
}
