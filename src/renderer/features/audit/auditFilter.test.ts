import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../shared/guard.schema';
import { EMPTY_FILTER, finishWords, piiWords, targetWords, toAuditFilter } from './auditFilter';

describe('audit filter form', () => {
  it('leaves empty fields out', () => {
    expect(toAuditFilter(EMPTY_FILTER)).toEqual({});
  });
  it('trims text and spans whole local days', () => {
    const f = toAuditFilter({ ...EMPTY_FILTER, kind: 'ai_call', path: ' playground ', target: ' fake ', outcome: 'masked', from: '2026-03-01', to: '2026-03-01' });
    expect(f).toMatchObject({ kind: 'ai_call', path: 'playground', target: 'fake', outcome: 'masked' });
    expect(f.from).toBe(new Date(2026, 2, 1).getTime());
    expect(f.to).toBe(new Date(2026, 2, 2).getTime() - 1);
    expect(toAuditFilter({ ...EMPTY_FILTER, from: 'soon' }).from).toBeUndefined();
  });
});

describe('audit record words', () => {
  const base = { target: { kind: 'remote', targetId: 't', targetName: 'fake vllm', endpoints: [], model: 'steady-7b' }, pii: { action: 'mask', counts: { id_card: 1, email: 0 } } } as unknown as AuditRecord;
  it('reads target and PII', () => {
    expect(targetWords(base)).toBe('steady-7b @ fake vllm');
    expect(piiWords(base)).toBe('masked id_card 1');
    expect(piiWords({ ...base, pii: null })).toBe('');
  });
});

describe('audit finish words', () => {
  it('use the History words for stop reasons and OpenAI finish reasons alike', () => {
    expect(finishWords({ finishReason: 'maxTokens', error: null })).toBe('max tokens');
    expect(finishWords({ finishReason: 'length', error: null })).toBe('max tokens');
    expect(finishWords({ finishReason: 'stop', error: null })).toBe('end of text');
    expect(finishWords({ finishReason: 'eos', error: null })).toBe('end of text');
    expect(finishWords({ finishReason: 'content_filter', error: null })).toBe('blocked by output policy');
  });
  it('say "error" for a failed call without a reason, a dash for none, and keep an unknown word', () => {
    expect(finishWords({ finishReason: null, error: 'refused' })).toBe('error');
    expect(finishWords({ finishReason: null, error: null })).toBe('—');
    expect(finishWords({ finishReason: 'tool_calls', error: null })).toBe('tool_calls');
  });
});
