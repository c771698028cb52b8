import { describe, expect, it } from 'vitest';
import type { EvalProgress } from '../../../shared/evals.schema';
import { etaMs, formatEta } from './evalEta';

const p = (done: number, status: EvalProgress['status'] = 'running'): EvalProgress => ({ evalId: 'E', status, done, total: 30, passed: 0, failed: 0, errors: 0, running: 2 });

describe('eval ETA', () => {
  it('extrapolates from the cells finished since this start, not from those stored before', () => {
    const base = { evalId: 'E', done: 10, at: 1_000 };
    expect(etaMs(base, p(10), 5_000)).toBeNull();
    // 5 cells in 10 s since the start: 15 left take 30 s.
    expect(etaMs(base, p(15), 11_000)).toBe(30_000);
    expect(etaMs(base, p(15, 'done'), 11_000)).toBeNull();
    expect(etaMs({ ...base, evalId: 'other' }, p(15), 11_000)).toBeNull();
  });
  it('says it in words', () => {
    expect(formatEta(null)).toMatch(/first cell/);
    expect(formatEta(30_000)).toBe('about 30 s left');
    expect(formatEta(125_000)).toBe('about 2 min 5 s left');
  });
});
