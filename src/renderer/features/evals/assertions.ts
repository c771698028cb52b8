// The assertion list editor's vocabulary: a fresh assertion of each type and the fields a person edits.
// Pure, so defaults and the schema agree (checked in assertions.test.ts).
import type { AssertionInput } from '../../../shared/assertions.schema';

export type AssertionType = AssertionInput['type'];

export type FieldKind = 'text' | 'longText' | 'number' | 'optionalNumber' | 'bool' | 'rougeVariant';
export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  placeholder?: string;
}

export const ASSERTION_TYPES: readonly { type: AssertionType; label: string }[] = [
  { type: 'regex', label: 'Matches regex' },
  { type: 'contains', label: 'Contains' },
  { type: 'notContains', label: 'Does not contain' },
  { type: 'equals', label: 'Equals' },
  { type: 'isJson', label: 'Is JSON' },
  { type: 'jsonSchema', label: 'Matches JSON schema' },
  { type: 'numeric', label: 'Number within tolerance' },
  { type: 'classification', label: 'Equals the row label' },
  { type: 'maxLatency', label: 'Latency at most' },
  { type: 'bleu', label: 'BLEU at least' },
  { type: 'rouge', label: 'ROUGE at least' },
  { type: 'fields', label: 'Fields match (extraction template)' },
];

export function newAssertion(type: AssertionType): AssertionInput {
  switch (type) {
    case 'equals':
      return { type, trim: true, caseSensitive: true };
    case 'contains':
    case 'notContains':
      return { type, value: '', caseSensitive: true };
    case 'regex':
      return { type, pattern: '.+', flags: '' };
    case 'isJson':
    case 'classification':
      return { type };
    case 'jsonSchema':
      return { type, schema: '{ "type": "object" }' };
    case 'numeric':
      return { type, tolerance: 0 };
    case 'maxLatency':
      return { type, ms: 5000 };
    case 'bleu':
      return { type, min: 30 };
    case 'rouge':
      return { type, variant: 'rougeL', min: 0.5, stem: false };
    case 'fields':
      // Made from a template in the Extraction view; a bare one scores a single amount.
      return { type, fields: [{ name: 'total', type: 'amount' }] };
  }
}

export const ASSERTION_FIELDS: Record<AssertionType, readonly FieldSpec[]> = {
  equals: [
    { key: 'value', label: 'value', kind: 'text', placeholder: 'blank: the row’s expected output' },
    { key: 'trim', label: 'trim', kind: 'bool' },
    { key: 'caseSensitive', label: 'case-sensitive', kind: 'bool' },
  ],
  contains: [
    { key: 'value', label: 'text', kind: 'text', placeholder: 'may use {{variables}}' },
    { key: 'caseSensitive', label: 'case-sensitive', kind: 'bool' },
  ],
  notContains: [
    { key: 'value', label: 'text', kind: 'text', placeholder: 'may use {{variables}}' },
    { key: 'caseSensitive', label: 'case-sensitive', kind: 'bool' },
  ],
  regex: [
    { key: 'pattern', label: 'pattern', kind: 'text' },
    { key: 'flags', label: 'flags (imsu)', kind: 'text' },
  ],
  isJson: [],
  fields: [],
  jsonSchema: [{ key: 'schema', label: 'JSON schema', kind: 'longText' }],
  numeric: [
    { key: 'value', label: 'value', kind: 'optionalNumber', placeholder: 'blank: expected output' },
    { key: 'tolerance', label: 'tolerance', kind: 'number' },
  ],
  classification: [],
  maxLatency: [{ key: 'ms', label: 'ms', kind: 'number' }],
  bleu: [{ key: 'min', label: 'min (0–100)', kind: 'number' }],
  rouge: [
    { key: 'variant', label: 'variant', kind: 'rougeVariant' },
    { key: 'min', label: 'min F (0–1)', kind: 'number' },
    { key: 'stem', label: 'stem', kind: 'bool' },
  ],
};

/** One assertion in a line: "regex /.+/", "contains “Paris”". */
export function describeCheckType(type: string): string {
  return ASSERTION_TYPES.find((t) => t.type === type)?.label ?? (type === 'judge' ? 'Judge' : type);
}
