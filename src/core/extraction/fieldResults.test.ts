import { describe, expect, it } from 'vitest';
import { Assertion } from '../../shared/assertions.schema';
import type { EvalResults } from '../../shared/evals.schema';
import { evaluateAssertion } from '../evals/assertions';
import { fieldResults } from './fieldResults';

const fields = Assertion.parse({ type: 'fields', fields: [{ name: 'total', type: 'amount' }, { name: 'date', type: 'date', dateOrder: 'DMY' }] });
const hash = 'a'.repeat(64);
const refs = ['{"total":"10","date":"2025-10-01"}', '{"total":"20","date":"2025-10-02"}', '{"total":"30","date":"2025-10-03"}'];
const outA = ['{"total":"10.00","date":"01/10/2025"}', '{"total":"21","date":"02/10/2025"}', 'not json'];
const outB = ['{"total":10,"date":"01/10/2025"}', '{"total":"20","date":"02/10/2025"}', '{"total":"30","date":"03/11/2025"}'];

function results(): EvalResults {
  const cell = (output: string, expected: string) => {
    const check = evaluateAssertion(fields, { output, expected, label: null, latencyMs: null, variables: {} });
    return { versionId: 'v', targetKey: 'k', runId: 'r', judgeRunId: null, output, pass: check.pass, score: null, error: null, checks: [check], ttftMs: null, e2eMs: null, completionTokens: null, finishedAt: 0 };
  };
  return {
    eval: { id: 'e1', definition: { assertions: [fields] }, columns: [{ versionId: 'A' }, { versionId: 'B' }].map((c) => ({ ...c, targetKey: 't', targetName: 't' })) },
    rows: refs.map((expected, i) => ({ id: `r${i}`, position: i, variables: { invoice: hash }, expected, label: null, cells: [{ ...cell(outA[i]!, expected), versionId: 'A' }, { ...cell(outB[i]!, expected), versionId: 'B' }] })),
  } as unknown as EvalResults;
}

describe('fieldResults', () => {
  it('gives per-field and document accuracy per column, with confusions and the row image', () => {
    const [a, b] = fieldResults(results()).columns;
    expect([a?.n, a?.documentPassed, a?.invalid]).toEqual([3, 1, 1]);
    expect(a?.fields.map((f) => [f.field, f.passed, f.n])).toEqual([
      ['total', 1, 3],
      ['date', 2, 3],
    ]);
    expect(a?.fields[0]?.confusions.map((c) => [c.position, c.expected, c.got, c.imageHash])).toEqual([
      [1, '20', '21', hash],
      [2, '30', '', hash],
    ]);
    expect(a?.fields[0]?.rule).toContain("decimal '.'");
    expect([b?.documentAccuracy, b?.fields[1]?.accuracy]).toEqual([2 / 3, 2 / 3]);
    expect(b?.fields[1]?.confusions[0]?.reason).toBe('2025-11-03 ≠ 2025-10-03');
  });
});
