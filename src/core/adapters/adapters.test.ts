// Adapters end to end: the library (real SQLite), the header check, and runs with adapters attached on the
// real worker and llama.cpp over the generated tiny model and its synthetic LoRA adapters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetKey } from '../../shared/evals.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { RunRequestInput } from '../../shared/runs.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { writeSyntheticLora } from '../fixtures/syntheticLora';
import { openTestCore, tempDir } from '../testing/testCore';
import { adapterSetKey } from '../engine/adapterContexts';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
let c: Core;
beforeAll(async () => {
  fx = await ensureFixtureModels();
  c = openTestCore();
});
afterAll(async () => {
  await c.close();
});

const greedy = { temperature: 0, seed: 1, maxTokens: 12 };

describe('adapter library', () => {
  it('reads rank, alpha, targets and architecture from the header, and hashes the file', async () => {
    const a = await c.invoke('adapters.add', { path: fx.tinyLora });
    expect(a.metadata).toMatchObject({ architecture: 'llama', adapterType: 'lora', alpha: 16, rank: 8, targets: ['attn_q.weight', 'attn_v.weight'] });
    expect(a.metadata.layerCount).toBeGreaterThan(0);
    expect(a.metadata.tensorCount).toBe((a.metadata.layerCount as number) * 2 * 2);
    expect(a.provenance).toBeNull();
    await c.adapters.idle();
    expect(c.adapters.get(a.id).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await c.invoke('adapters.list', {})).map((x) => x.id)).toContain(a.id);
    await expect(c.invoke('adapters.add', { path: fx.tinyLora })).rejects.toThrow(/already in the adapter library/);
    expect(await c.invoke('adapters.remove', { adapterId: a.id })).toEqual({ removed: true });
    expect(await c.invoke('adapters.remove', { adapterId: a.id })).toEqual({ removed: false });
  });

  it('refuses models and other files, naming the file', async () => {
    await expect(c.invoke('adapters.add', { path: fx.tinyQ8_0 })).rejects.toThrow(/tiny-q8_0.*is a model, not an adapter/);
    await expect(c.invoke('adapters.add', { path: fx.notGguf })).rejects.toThrow(/broken-not-gguf.*not a readable GGUF/);
    await expect(c.invoke('adapters.add', { path: '/nope/x.gguf' })).rejects.toThrow(/x\.gguf: file not found/);
  });

  it('registers a trained adapter with its provenance', async () => {
    const path = `${tempDir()}/trained.gguf`;
    await writeSyntheticLora({ path, preset: 'tiny', seed: 5 });
    const provenance = {
      trainingId: 'T1', datasetId: 'D1', datasetName: 'sql', datasetVersion: { rows: 10, updatedAt: 1, sha256: 'ab' },
      baseModelId: 'M1', baseModelSha256: null, trainBaseModel: 'org/base',
      hyperparameters: { method: 'lora' as const, r: 8, alpha: 16, dropout: 0.05, targetModules: ['q_proj'], learningRate: 2e-4, epochs: 1, batchSize: 1, gradientAccumulation: 1, maxLength: 512, precision: 'bf16' as const, seed: 42 },
      trainedAt: 2,
    };
    const a = await c.adapters.register(path, provenance);
    expect(c.adapters.get(a.id).provenance).toEqual(provenance);
    expect((await c.adapters.register(path, { ...provenance, trainedAt: 3 })).id).toBe(a.id);
    expect(c.adapters.get(a.id).provenance?.trainedAt).toBe(3);
    c.adapters.remove(a.id);
  });
});

describe('compatibility check', () => {
  it('passes the matching adapter and names the first mismatching tensor with both shapes', async () => {
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    const good = await c.invoke('adapters.add', { path: fx.tinyLora });
    const bad = await c.invoke('adapters.add', { path: fx.tinyLoraMismatch });
    const ok = await c.invoke('adapters.check', { adapterId: good.id, modelId: m.id });
    expect(ok).toMatchObject({ compatible: true, reason: null, mismatch: null });
    expect(ok.summary).toMatch(/^llama, rank 8, alpha 16/);
    const no = await c.invoke('adapters.check', { adapterId: bad.id, modelId: m.id });
    expect(no.compatible).toBe(false);
    expect(no.mismatch?.tensor).toBe('blk.0.attn_q.weight.lora_b');
    const [nIn, nOut] = no.mismatch?.baseShape ?? [];
    expect(no.mismatch?.adapterShape).toEqual([8, (nOut as number) + 32]);
    expect(no.reason).toBe(`blk.0.attn_q.weight.lora_b has shape [8, ${(nOut as number) + 32}] but blk.0.attn_q.weight is [${nIn}, ${nOut}] (lora_b must be [rank, ${nOut}])`);
    c.adapters.remove(good.id);
    c.adapters.remove(bad.id);
  });
});

describe('runs with adapters', () => {
  let m: ModelInfo;
  let lora: string;
  let lora2: string;
  let bad: string;
  beforeAll(async () => {
    m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    const st = await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
    expect(st.state).toBe('ready');
    lora = (await c.invoke('adapters.add', { path: fx.tinyLora })).id;
    const other = `${tempDir()}/other-lora.gguf`;
    await writeSyntheticLora({ path: other, preset: 'tiny', seed: 7, targets: ['attn_k', 'ffn_up'] });
    lora2 = (await c.invoke('adapters.add', { path: other })).id;
    bad = (await c.invoke('adapters.add', { path: fx.tinyLoraMismatch })).id;
  });

  async function output(adapters?: { adapterId: string; scale: number }[]) {
    const req: RunRequestInput = { target: { kind: 'local', modelId: m.id, ...(adapters ? { adapters } : {}) }, userMessage: 'Tell me a story', params: greedy };
    const r = await c.runs.wait((await c.invoke('runs.start', req)).runId);
    expect(r.error).toBeNull();
    return r;
  }

  it('scale 0 reproduces the base output exactly; a scale above 0 changes it', async () => {
    const base = await output();
    expect(base.completionTokens).toBeGreaterThan(0);
    const zero = await output([{ adapterId: lora, scale: 0 }]);
    expect(zero.output).toBe(base.output);
    expect(zero.modelName).toMatch(/ \+ tiny-lora-r8-s1\.v1@0$/);
    expect(zero.target).toEqual({ kind: 'local', modelId: m.id, adapters: [{ adapterId: lora, scale: 0 }] });
    // The synthetic adapter is strong on purpose: scale 1 (and already 0.5) moves greedy output.
    const one = await output([{ adapterId: lora, scale: 1 }]);
    expect(one.output).not.toBe(base.output);
    // A third and fourth adapter set make the worker drop the least recently used context; it comes back.
    await output([{ adapterId: lora, scale: 2 }]);
    await output([{ adapterId: lora, scale: 0.5 }]);
    expect((await output([{ adapterId: lora, scale: 1 }])).output).toBe(one.output);
    // Runs without adapters still use the base context and give the same text.
    expect((await output()).output).toBe(base.output);
  });

  it('stacks two adapters', async () => {
    const r = await output([{ adapterId: lora, scale: 1 }, { adapterId: lora2, scale: 1 }]);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.modelName).toMatch(/ \+ tiny-lora-r8-s1\.v1@1 \+ other-lora@1$/);
  });

  it('refuses an incompatible adapter with the reason, and the engine stays ready', async () => {
    const req: RunRequestInput = { target: { kind: 'local', modelId: m.id, adapters: [{ adapterId: bad, scale: 1 }] }, userMessage: 'x', params: greedy };
    await expect(c.invoke('runs.start', req)).rejects.toThrow(/tiny-lora-mismatch.*does not fit this model: blk\.0\.attn_q\.weight\.lora_b has shape \[8, \d+\]/);
    // Started directly (compare, evals), the refusal is synchronous once the pair has been checked.
    expect(() => c.runs.start({ ...req, modelId: null, target: { kind: 'local', modelId: m.id, adapters: [{ adapterId: bad, scale: 1 }] }, systemPrompt: '', variables: {}, params: { ...greedy, topP: 1, topK: 40, minP: 0, repeatPenalty: 1, stop: [] }, jsonSchema: null } as never)).toThrow(/does not fit/);
    // Never checked before, started directly: the run is stored with the reason and never reaches llama.cpp.
    const other = `${tempDir()}/other-mismatch.gguf`;
    await writeSyntheticLora({ path: other, preset: 'tiny', mismatch: true, seed: 3 });
    const unchecked = (await c.invoke('adapters.add', { path: other })).id;
    const direct = { ...req, target: { kind: 'local' as const, modelId: m.id, adapters: [{ adapterId: unchecked, scale: 1 }] } };
    const { runId } = c.runs.start({ ...direct, modelId: null, systemPrompt: '', variables: {}, params: { ...greedy, topP: 1, topK: 40, minP: 0, repeatPenalty: 1, stop: [] }, jsonSchema: null } as never);
    const rec = await c.runs.wait(runId);
    expect(rec.stopReason).toBe('error');
    expect(rec.error).toMatch(/other-mismatch\.gguf does not fit this model: blk\.0\.attn_q\.weight\.lora_b has shape/);
    expect(c.engine.status.state).toBe('ready');
    expect((await output()).completionTokens).toBeGreaterThan(0);
  });
});

describe('naming', () => {
  it('keys a local target by its adapters and scales, leaving a plain key unchanged', () => {
    expect(targetKey({ kind: 'local', modelId: 'M' })).toBe('local:M');
    const a = targetKey({ kind: 'local', modelId: 'M', adapters: [{ adapterId: 'A', scale: 0.5 }] });
    const b = targetKey({ kind: 'local', modelId: 'M', adapters: [{ adapterId: 'A', scale: 1 }] });
    expect(a).toBe('local:M+A@0.5');
    expect(new Set(['local:M', a, b]).size).toBe(3);
    expect(adapterSetKey([{ path: 'b', scale: 1 }, { path: 'a', scale: 2 }])).toBe(adapterSetKey([{ path: 'a', scale: 2 }, { path: 'b', scale: 1 }]));
  });
});
