import { describe, expect, it } from 'vitest';
import { TargetInput, TargetPatch, Timeouts } from '../../shared/targets.schema';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUTS_MS,
  emptyTargetForm,
  formFromTarget,
  parseBaseUrls,
  parseHeaders,
  parseTargetForm,
  toTargetInput,
  toTargetPatch,
  type TargetForm,
} from './targetForm';

const filled: TargetForm = { ...emptyTargetForm(), name: ' gpu box ', urls: 'http://gpu-1:8000/v1/\n\nhttp://gpu-2:8000/v1\n' };

describe('target form defaults', () => {
  it('match the contract defaults', () => {
    expect(DEFAULT_TIMEOUTS_MS).toEqual(Timeouts.parse({}));
    expect(DEFAULT_MAX_RETRIES).toBe(TargetInput.parse({ name: 'x', baseUrls: ['http://a/v1'] }).maxRetries);
    const f = emptyTargetForm();
    expect([f.connectS, f.firstTokenS, f.idleS]).toEqual(['10', '120', '60']);
  });
  it('fill from a stored target without any secret', () => {
    const f = formFromTarget({
      id: 'T1', name: 'vllm', baseUrls: ['http://a/v1', 'http://b/v1'], hasApiKey: true, headerNames: ['X-Org'],
      timeouts: { connectMs: 2500, firstTokenMs: 30_000, idleMs: 15_000 }, maxRetries: 1, createdAt: 0, replicas: [],
    });
    expect(f).toMatchObject({ name: 'vllm', urls: 'http://a/v1\nhttp://b/v1', apiKey: '', headers: '', connectS: '2.5', firstTokenS: '30', idleS: '15', maxRetries: '1' });
  });
});

describe('parseBaseUrls', () => {
  it('reads one per line, drops trailing slashes and duplicates', () => {
    expect(parseBaseUrls('http://a:8000/v1/\n http://a:8000/v1 \nhttps://b/v1')).toEqual({ urls: ['http://a:8000/v1', 'https://b/v1'], error: null });
  });
  it('explains what is wrong', () => {
    expect(parseBaseUrls('').error).toMatch(/at least one/);
    expect(parseBaseUrls('gpu-1:8000').error).toMatch(/http/);
    expect(parseBaseUrls('not a url').error).toMatch(/not a URL/);
    expect(parseBaseUrls('ftp://a/v1').error).toMatch(/http:\/\/ or https:\/\//);
    expect(parseBaseUrls('http://u:p@a/v1').error).toMatch(/credentials/);
  });
});

describe('parseHeaders', () => {
  it('reads Name: value lines, values may hold colons', () => {
    expect(parseHeaders('X-Org: acme\n\nX-Trace:  a:b:c ')).toEqual({ headers: { 'X-Org': 'acme', 'X-Trace': 'a:b:c' }, error: null });
  });
  it('refuses lines without a colon and bad names', () => {
    expect(parseHeaders('X-Org acme').error).toMatch(/colon/);
    expect(parseHeaders('X Org: a').error).toMatch(/letters, digits/);
  });
});

describe('parseTargetForm', () => {
  it('turns seconds into ms and builds an input the contract accepts', () => {
    const r = parseTargetForm({ ...filled, apiKey: 'sk-1', headers: 'X-Org: acme', connectS: '2.5', maxRetries: '0' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const input = toTargetInput(r.value);
    expect(input).toEqual({
      name: 'gpu box',
      baseUrls: ['http://gpu-1:8000/v1', 'http://gpu-2:8000/v1'],
      apiKey: 'sk-1',
      headers: { 'X-Org': 'acme' },
      timeouts: { connectMs: 2500, firstTokenMs: 120_000, idleMs: 60_000 },
      maxRetries: 0,
    });
    expect(TargetInput.parse(input)).toEqual(input);
  });
  it('reports every bad field', () => {
    const r = parseTargetForm({ ...emptyTargetForm(), headers: 'bad', connectS: '0', firstTokenS: 'x', idleS: '', maxRetries: '9' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['connectS', 'firstTokenS', 'headers', 'idleS', 'maxRetries', 'name', 'urls']);
  });
});

describe('toTargetPatch', () => {
  const parse = (f: TargetForm) => {
    const r = parseTargetForm(f);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.value;
  };
  it('keeps stored secrets when nothing is typed', () => {
    const patch = toTargetPatch(parse(filled), filled);
    expect('apiKey' in patch).toBe(false);
    expect('headers' in patch).toBe(false);
    expect(TargetPatch.parse(patch)).toMatchObject({ name: 'gpu box' });
  });
  it('replaces or clears them on request', () => {
    const typed = { ...filled, apiKey: 'sk-2', headers: 'X-A: 1' };
    expect(toTargetPatch(parse(typed), typed)).toMatchObject({ apiKey: 'sk-2', headers: { 'X-A': '1' } });
    const cleared = { ...filled, clearKey: true, clearHeaders: true };
    const patch = toTargetPatch(parse(cleared), cleared);
    expect(patch.apiKey).toBeNull();
    expect(patch.headers).toEqual({});
    expect(TargetPatch.parse(patch).apiKey).toBeNull();
  });
});
