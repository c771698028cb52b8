// `lamplight adapter check` in-process over the generated fixtures: no database, no engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import { tempDir } from '../core/testing/testCore';
import { main } from './main';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--data-dir', tempDir(), ...argv], { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

let fx: Awaited<ReturnType<typeof ensureFixtureModels<'tinyQ8_0' | 'tinyLora' | 'tinyLoraMismatch'>>>;
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'tinyLora', 'tinyLoraMismatch']);
});

describe('lamplight adapter check', () => {
  it('exits 0 with a summary when the adapter fits', async () => {
    const r = await cli('adapter', 'check', '--model', fx.tinyQ8_0, '--adapter', fx.tinyLora);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^compatible: llama, rank 8, alpha 16, \d+ tensors over \d+ layers: attn_q\.weight, attn_v\.weight/);
  });

  it('exits 1 naming the first mismatching tensor and both shapes', async () => {
    const r = await cli('adapter', 'check', '--model', fx.tinyQ8_0, '--adapter', fx.tinyLoraMismatch);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/blk\.0\.attn_q\.weight\.lora_b has shape \[8, \d+\] but blk\.0\.attn_q\.weight is \[\d+, \d+\]/);
  });

  it('prints the check as JSON', async () => {
    const r = await cli('adapter', 'check', '--json', '--model', fx.tinyQ8_0, '--adapter', fx.tinyLoraMismatch);
    expect(r.code).toBe(1);
    const check = JSON.parse(r.out) as { compatible: boolean; mismatch: { tensor: string; adapterShape: number[]; baseShape: number[] } };
    expect(check.compatible).toBe(false);
    expect(check.mismatch.tensor).toBe('blk.0.attn_q.weight.lora_b');
    expect(check.mismatch.adapterShape[1]).toBe((check.mismatch.baseShape[1] as number) + 32);
  });

  it('refuses a model given as the adapter, and wrong calls with exit 2', async () => {
    const r = await cli('adapter', 'check', '--model', fx.tinyQ8_0, '--adapter', fx.tinyQ8_0);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/tiny-q8_0.*is a model, not an adapter/);
    expect((await cli('adapter', 'check', '--model', fx.tinyQ8_0)).code).toBe(2);
    expect((await cli('adapter', 'nope')).code).toBe(2);
  });
});
