import { describe, expect, it } from 'vitest';
import { StopReason } from '../../shared/runs.schema';
import { isBadStop, stopReasonWords } from './stopReason';

describe('stopReasonWords', () => {
  it('has words for every reason in the contract', () => {
    for (const r of StopReason.options) expect(stopReasonWords(r)).toMatch(/^[a-z ]+$/);
    expect(stopReasonWords('eos')).toBe('end of text');
    expect(stopReasonWords('maxTokens')).toBe('max tokens');
    expect(stopReasonWords('stopSequence')).toBe('stop sequence');
    expect(stopReasonWords('abort')).toBe('stopped by you');
    expect(stopReasonWords('crash')).toBe('engine crashed');
    expect(stopReasonWords(null)).toBe('—');
  });
  it('flags failures', () => {
    expect(isBadStop('crash')).toBe(true);
    expect(isBadStop('eos')).toBe(false);
  });
});
