import { describe, expect, it } from 'vitest';
import { TargetInput, TargetPatch, Timeouts } from '../../shared/targets.schema';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUTS_MS,
  emptyTargetForm,
  formFromTarget,
  parseBaseUrls,
  parseHeaders,
  parseImagePixels,
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
      acceptsImages: 'auto',
      maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS,
    });
    expect(TargetInput.parse(input)).toEqual(input);
  });
  it('reads the image settings: accepts images, and a pixel budget with separators, in the contract range', () => {
    const r = parseTargetForm({ ...filled, acceptsImages: 'yes', maxImagePixels: '200_704' });
    expect(r.ok && toTargetInput(r.value)).toMatchObject({ acceptsImages: 'yes', maxImagePixels: 200_704 });
    expect(emptyTargetForm().maxImagePixels).toBe('1,003,520');
    expect(parseImagePixels('100')).toMatch(/between 784 and 100,000,000/);
    expect(parseImagePixels('1e6')).toMatch(/whole number/);
    expect(parseImagePixels('')).toMatch(/required/);
    const bad = parseTargetForm({ ...filled, maxImagePixels: '12.5' });
    expect(!bad.ok && bad.errors.maxImagePixels).toMatch(/whole number/);
  });
  it("shows a stored target's image settings, and the defaults for one stored before images", () => {
    const stored = { id: 'T1', name: 'a', baseUrls: ['http://a/v1'], hasApiKey: false, headerNames: [], timeouts: Timeouts.parse({}), maxRetries: 2, createdAt: 0, replicas: [] };
    expect(formFromTarget({ ...stored, acceptsImages: 'no', maxImagePixels: 50_176 })).toMatchObject({ acceptsImages: 'no', maxImagePixels: '50,176' });
    expect(formFromTarget(stored)).toMatchObject({ acceptsImages: 'auto', maxImagePixels: '1,003,520' });
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
  it('keeps stored secrets when nothing is typed, and sends the image settings', () => {
    const patch = toTargetPatch(parse({ ...filled, acceptsImages: 'no' }), filled);
    expect(TargetPatch.parse(patch)).toMatchObject({ acceptsImages: 'no', maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS });
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
