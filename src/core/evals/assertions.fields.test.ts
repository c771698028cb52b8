import { describe, expect, it } from 'vitest';
import { Assertion } from '../../shared/assertions.schema';
import { evaluateAssertion } from './assertions';

const a = Assertion.parse({ type: 'fields', fields: [{ name: 'total', type: 'amount' }, { name: 'issue_date', type: 'date', dateOrder: 'DMY' }] });
const ctx = (output: string, expected: string | null) => ({ output, expected, label: null, latencyMs: null, variables: {} });

describe("the 'fields' assertion", () => {
  it('passes when every field matches after normalization, with per-field outcomes', () => {
    const r = evaluateAssertion(a, ctx('{"total":"¥1,280.00","issue_date":"01/10/2025"}', '{"total":1280,"issue_date":"2025年10月1日"}'));
    expect(r.pass).toBe(true);
    expect(r.score).toBe(1);
    expect(r.fields?.map((f) => [f.field, f.pass])).toEqual([['total', true], ['issue_date', true]]);
  });
  it('fails naming the field that differs, scoring the share that matched', () => {
    const r = evaluateAssertion(a, ctx('{"total":"1280","issue_date":"10/01/2025"}', '{"total":"1280","issue_date":"2025-10-01"}'));
    expect(r.pass).toBe(false);
    expect(r.score).toBe(0.5);
    expect(r.reason).toBe('fields differ: issue_date');
  });
  it('says why when the reference or the output is not JSON', () => {
    expect(evaluateAssertion(a, ctx('{}', null)).reason).toMatch(/no expected output/);
    expect(evaluateAssertion(a, ctx('{}', 'total: 5')).reason).toMatch(/reference is not JSON/);
    const r = evaluateAssertion(a, ctx('total: 5', '{"total":5}'));
    expect([r.pass, r.valid]).toEqual([false, false]);
    expect(r.reason).toMatch(/^invalid output/);
  });
  it('takes the reference from the assertion, filled from row variables', () => {
    const b = Assertion.parse({ type: 'fields', fields: [{ name: 'total', type: 'amount', decimal: ',' }], reference: '{"total":"{{amt}}"}' });
    const r = evaluateAssertion(b, { ...ctx('{"total":"1.280"}', null), variables: { amt: '1280' } });
    expect(r.pass).toBe(true);
  });
  it("counts output that breaks the template's schema as invalid, even where the fields it has match", () => {
    const missing = evaluateAssertion(a, ctx('{"total":"1280"}', '{"total":"1280"}'));
    expect([missing.pass, missing.valid]).toEqual([false, false]);
    expect(missing.reason).toBe("invalid output: does not match the template's schema: (root) must have required property 'issue_date'");
    const extra = evaluateAssertion(a, ctx('{"total":"1280","issue_date":"01/10/2025","note":"x"}', '{"total":"1280","issue_date":"2025-10-01"}'));
    expect([extra.pass, extra.valid]).toEqual([false, false]);
    const wrongType = evaluateAssertion(a, ctx('{"total":"1280","issue_date":20251001}', '{"total":"1280","issue_date":"2025-10-01"}'));
    expect(wrongType.reason).toMatch(/\/issue_date must be string/);
    // A fenced answer is read as the scorer reads it, and valid when it matches.
    expect(evaluateAssertion(a, ctx('```json\n{"total":"1280","issue_date":"01/10/2025"}\n```', '{"total":"1280","issue_date":"2025-10-01"}')).valid).toBe(true);
  });
});
