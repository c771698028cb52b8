import { describe, expect, it } from 'vitest';
import { SamplingParams } from '../../../shared/runs.schema';
import { DEFAULT_PARAMS, formatStopSequences, jsonSchemaProblem, parseParamsForm, parseStopSequences, toParamsForm } from './params';

describe('params form', () => {
  it('defaults match the contract defaults', () => {
    expect(DEFAULT_PARAMS).toEqual(SamplingParams.parse({}));
  });
  it('round-trips through the form', () => {
    const p = { ...DEFAULT_PARAMS, seed: 42, stop: ['###', '\n\n'] };
    expect(parseParamsForm(toParamsForm(p))).toEqual({ ok: true, params: p });
  });
  it('treats a blank seed as random', () => {
    const r = parseParamsForm({ ...toParamsForm(DEFAULT_PARAMS), seed: '  ' });
    expect(r.ok && r.params.seed).toBeNull();
  });
  it('reports out-of-range and malformed fields', () => {
    const r = parseParamsForm({ ...toParamsForm(DEFAULT_PARAMS), temperature: '9', topK: '1.5', maxTokens: '', seed: '-3' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.temperature).toMatch(/between 0 and 5/);
      expect(r.errors.topK).toMatch(/whole number/);
      expect(r.errors.maxTokens).toMatch(/required/);
      expect(r.errors.seed).toMatch(/blank for random/);
    }
  });
  it('result always satisfies the contract schema', () => {
    const r = parseParamsForm({ ...toParamsForm(DEFAULT_PARAMS), temperature: '0', stop: 'END' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(SamplingParams.parse(r.params)).toEqual(r.params);
  });
});

describe('stop sequences', () => {
  it('reads one per line with escapes, skipping blanks and duplicates', () => {
    expect(parseStopSequences('###\n\nEND\n\\n\\n\nEND\na\\\\b')).toEqual(['###', 'END', '\n\n', 'a\\b']);
  });
  it('writes escapes back', () => {
    expect(formatStopSequences(['\n', 'a\\b', 'x\ty'])).toBe('\\n\na\\\\b\nx\\ty');
    expect(parseStopSequences(formatStopSequences(['\n', 'a\\b', 'x\ty']))).toEqual(['\n', 'a\\b', 'x\ty']);
  });
  it('limits the count', () => {
    const many = Array.from({ length: 17 }, (_, i) => `s${i}`).join('\n');
    const r = parseParamsForm({ ...toParamsForm(DEFAULT_PARAMS), stop: many });
    expect(r.ok).toBe(false);
  });
});

describe('jsonSchemaProblem', () => {
  it('accepts objects and explains the rest', () => {
    expect(jsonSchemaProblem('{"type":"object"}')).toBeNull();
    expect(jsonSchemaProblem('')).toMatch(/empty/);
    expect(jsonSchemaProblem('[1]')).toMatch(/must be an object/);
    expect(jsonSchemaProblem('{"type":')).toMatch(/not valid JSON/);
  });
});
