import { describe, expect, it } from 'vitest';
import { constrainedLabel, formSchemaName } from './outputSchema';

const templates = [{ id: 'T1', name: 'Invoice' }];

describe("the schema an evaluation's outputs are held to", () => {
  it("is the first fields check's template, by name; none without a fields check", () => {
    expect(formSchemaName([{ type: 'regex', pattern: '.' }], templates)).toBeNull();
    expect(formSchemaName([{ type: 'regex', pattern: '.' }, { type: 'fields', templateId: 'T1', fields: [{ name: 'total', type: 'amount' }] }], templates)).toBe('Invoice');
    expect(formSchemaName([{ type: 'fields', fields: [{ name: 'total', type: 'amount' }] }], templates)).toBe('the fields check');
    expect(constrainedLabel('Invoice')).toBe("Output constrained to Invoice's schema");
  });
});
