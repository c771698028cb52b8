import { describe, expect, it } from 'vitest';
import { Assertion, type AssertionInput } from '../../shared/assertions.schema';
import { assertionVariableProblems, evaluateAll, evaluateAssertion, type AssertionContext } from './assertions';

const ctx = (output: string, more: Partial<AssertionContext> = {}): AssertionContext => ({
  output,
  expected: null,
  label: null,
  latencyMs: null,
  variables: {},
  ...more,
});
const check = (a: AssertionInput, c: AssertionContext) => evaluateAssertion(Assertion.parse(a), c);

describe('assertions', () => {
  it('equals compares with the expected output, trimmed, optionally case-insensitive', () => {
    expect(check({ type: 'equals' }, ctx(' Paris\n', { expected: 'Paris' })).pass).toBe(true);
    expect(check({ type: 'equals' }, ctx('paris', { expected: 'Paris' })).pass).toBe(false);
    expect(check({ type: 'equals', caseSensitive: false }, ctx('paris', { expected: 'Paris' })).pass).toBe(true);
    expect(check({ type: 'equals' }, ctx('x')).reason).toMatch(/no value and no expected/);
  });

  it('contains / notContains / regex use the row variables', () => {
    const c = ctx('The capital of France is Paris.', { variables: { city: 'Paris' } });
    expect(check({ type: 'contains', value: '{{city}}' }, c).pass).toBe(true);
    expect(check({ type: 'notContains', value: 'London' }, c).pass).toBe(true);
    expect(check({ type: 'notContains', value: 'paris', caseSensitive: false }, c).pass).toBe(false);
    expect(check({ type: 'regex', pattern: '^The .* {{city}}\\.$' }, c).pass).toBe(true);
    expect(check({ type: 'regex', pattern: '(' }, c).reason).toMatch(/invalid regex/);
  });

  it('{{expected}} and {{label}} in a value are the row\'s expected output and label, as in promptfoo', () => {
    const c = ctx('The answer is Paris.', { expected: 'Paris', label: 'geo', variables: { city: 'Rome' } });
    expect(check({ type: 'contains', value: '{{expected}}' }, c).pass).toBe(true);
    expect(check({ type: 'contains', value: '{{expected}}' }, ctx('{{expected}}', { expected: 'Paris' })).pass).toBe(false);
    expect(check({ type: 'equals', value: 'The answer is {{expected}}.' }, c).pass).toBe(true);
    expect(check({ type: 'regex', pattern: '{{expected}}\\.$' }, c).pass).toBe(true);
    expect(check({ type: 'notContains', value: '{{label}}' }, c).pass).toBe(true);
    // A row variable of that name wins over the column.
    expect(check({ type: 'contains', value: '{{expected}}' }, ctx('Rome', { expected: 'Paris', variables: { expected: 'Rome' } })).pass).toBe(true);
  });

  it('names an assertion variable that a row lacks, with the field and what the row has', () => {
    const rows = [
      { position: 0, variables: { city: 'Paris' }, expected: 'Paris', label: null },
      { position: 1, variables: { city: 'Rome' }, expected: null, label: null },
    ];
    const as = [Assertion.parse({ type: 'contains', value: '{{city}}' }), Assertion.parse({ type: 'regex', pattern: '{{expected}}|{{countryy}}' })];
    expect(assertionVariableProblems(as, rows)).toEqual([
      'assertions.1.pattern: {{expected}} is not a variable of row 2 (it has {{city}})',
      'assertions.1.pattern: {{countryy}} is not a variable of row 1 (it has {{expected}}, {{city}})',
    ]);
    expect(assertionVariableProblems([as[0] as Assertion], rows)).toEqual([]);
  });

  it('isJson and jsonSchema explain what is wrong and where', () => {
    expect(check({ type: 'isJson' }, ctx('{"a": 1}')).pass).toBe(true);
    expect(check({ type: 'isJson' }, ctx('{a: 1}')).reason).toMatch(/not JSON/);
    const schema = JSON.stringify({ type: 'object', properties: { age: { type: 'integer' } }, required: ['age'] });
    expect(check({ type: 'jsonSchema', schema }, ctx('{"age": 3}')).pass).toBe(true);
    const bad = check({ type: 'jsonSchema', schema }, ctx('{"age": 4.5}'));
    expect(bad.pass).toBe(false);
    expect(bad.reason).toMatch(/\/age must be integer/);
    expect(check({ type: 'jsonSchema', schema: '{"type": 5}' }, ctx('{}')).reason).toMatch(/schema is invalid/);
  });

  it('numeric tolerance finds the first number in the output', () => {
    expect(check({ type: 'numeric', tolerance: 0.01 }, ctx('The answer is 3.14159.', { expected: '3.14' })).pass).toBe(true);
    expect(check({ type: 'numeric', value: 10, tolerance: 0.5 }, ctx('about 11')).pass).toBe(false);
    expect(check({ type: 'numeric', value: 10 }, ctx('no idea')).reason).toMatch(/no number/);
  });

  it('classification compares with the label; maxLatency with the measured latency', () => {
    expect(check({ type: 'classification' }, ctx(' Positive ', { label: 'positive' })).pass).toBe(true);
    expect(check({ type: 'classification' }, ctx('negative', { label: 'positive' })).score).toBe(0);
    expect(check({ type: 'maxLatency', ms: 1000 }, ctx('x', { latencyMs: 800 })).pass).toBe(true);
    expect(check({ type: 'maxLatency', ms: 1000 }, ctx('x', { latencyMs: 1200 })).pass).toBe(false);
  });

  it('BLEU and ROUGE score against the expected output', () => {
    const exact = ctx('the cat sat on the mat', { expected: 'the cat sat on the mat' });
    expect(check({ type: 'bleu', min: 99 }, exact).score).toBeCloseTo(100, 6);
    expect(check({ type: 'rouge', min: 0.99 }, exact).pass).toBe(true);
    const partial = check({ type: 'rouge', variant: 'rouge1', min: 0.9 }, ctx('the cat', { expected: 'the cat sat' }));
    expect(partial.score).toBeCloseTo(0.8, 10); // P = 1, R = 2/3 → F = 0.8
    expect(partial.pass).toBe(false);
    expect(check({ type: 'bleu', min: 1 }, ctx('x')).reason).toMatch(/no expected output/);
  });

  it('a row passes only when every assertion passes', () => {
    const r = evaluateAll(
      [Assertion.parse({ type: 'contains', value: 'a' }), Assertion.parse({ type: 'contains', value: 'z' })],
      ctx('abc'),
    );
    expect(r.pass).toBe(false);
    expect(r.results.map((x) => x.pass)).toEqual([true, false]);
  });

  it('bad assertion definitions are rejected with the field named', () => {
    expect(() => Assertion.parse({ type: 'rouge', variant: 'rouge9', min: 0.5 })).toThrow(/variant/);
    expect(() => Assertion.parse({ type: 'regex', pattern: '' })).toThrow();
  });
});
