import { describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import { defaultContextSize, defaultLoadForm, gpuUnavailableReason, parseLoadForm } from './loadForm';

const meta = (contextLength: number | null) => ({
  metadata: {
    name: null, architecture: 'llama', parameterCount: 1, fileType: 'F16', contextLength, blockCount: 1,
    embeddingLength: 1, vocabSize: 1, hasChatTemplate: true, ggufVersion: 3, tensorCount: 1,
  },
});

describe('defaultLoadForm', () => {
  it('shows the machine parallelism as threads and caps context at the trained length', () => {
    const form = defaultLoadForm(meta(256), 2);
    expect(form.threads).toBe('2');
    expect(form.contextSize).toBe('256');
    expect(defaultLoadForm(meta(32768), null).contextSize).toBe('4096');
    expect(defaultLoadForm(null, null).threads).toBe('0');
  });
  it('falls back to 4096 without a usable trained length', () => {
    expect(defaultContextSize(null)).toBe(4096);
    expect(defaultContextSize(8)).toBe(4096);
  });
});

describe('parseLoadForm', () => {
  it('parses a valid form', () => {
    const r = parseLoadForm({ ...defaultLoadForm(meta(2048), 8), gpu: 'cpu' });
    expect(r).toEqual({ ok: true, settings: { gpu: 'cpu', gpuLayers: 'auto', contextSize: 2048, threads: 8, batchSize: 512, sequences: 1 } });
  });
  it('accepts max and a pinned number of GPU layers', () => {
    const base = defaultLoadForm(null, 4);
    expect(parseLoadForm({ ...base, gpuLayersMode: 'max' })).toMatchObject({ ok: true, settings: { gpuLayers: 'max' } });
    expect(parseLoadForm({ ...base, gpuLayersMode: 'custom', gpuLayers: '20' })).toMatchObject({ ok: true, settings: { gpuLayers: 20 } });
  });
  it('reports every bad field', () => {
    const r = parseLoadForm({ gpu: 'auto', gpuLayersMode: 'custom', gpuLayers: 'x', contextSize: '10', threads: '-1', batchSize: '', sequences: '17' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['batchSize', 'contextSize', 'gpuLayers', 'sequences', 'threads']);
  });
});

describe('sequences', () => {
  it('defaults to one and is sent to the contract', () => {
    const base = defaultLoadForm(null, 2);
    expect(base.sequences).toBe('1');
    expect(parseLoadForm({ ...base, sequences: '4' })).toMatchObject({ ok: true, settings: { sequences: 4 } });
    expect(LoadSettings.parse({})).toMatchObject({ sequences: 1 });
  });
});

describe('gpuUnavailableReason', () => {
  it('explains backends the machine lacks', () => {
    expect(gpuUnavailableReason('auto', ['cpu'])).toBeNull();
    expect(gpuUnavailableReason('cpu', [])).toBeNull();
    expect(gpuUnavailableReason('cuda', ['cuda', 'cpu'])).toBeNull();
    expect(gpuUnavailableReason('metal', ['cpu', 'vulkan'])).toMatch(/supported: cpu, vulkan/);
  });
});
