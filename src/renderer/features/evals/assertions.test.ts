import { describe, expect, it } from 'vitest';
import { Assertion } from '../../../shared/assertions.schema';
import { ASSERTION_FIELDS, ASSERTION_TYPES, newAssertion } from './assertions';

describe('assertion editor vocabulary', () => {
  it('offers every schema type with a default the schema accepts (contains needs its text first)', () => {
    for (const { type } of ASSERTION_TYPES) {
      const a = newAssertion(type);
      const parsed = Assertion.safeParse(a);
      expect(parsed.success, type).toBe(true);
      for (const f of ASSERTION_FIELDS[type]) expect(f.key in Assertion.options.find((o) => o.shape.type.value === type)!.shape, `${type}.${f.key}`).toBe(true);
    }
    expect(new Set(ASSERTION_TYPES.map((t) => t.type)).size).toBe(Assertion.options.length);
  });
});
