// The decode gate on the real node-llama-cpp: four sequences generating at once must decode together, one
// batch per step, instead of the 3-of-4 batches node-llama-cpp's own loop forms. Counts batches, not time.
import { getLlama, LlamaCompletion, LlamaLogLevel, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { DecodeGate } from './decodeGate';
import { endOfGenerationTokens, ignoreEosBias } from './ignoreEos';

let model: LlamaModel;

beforeAll(async () => {
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: fx.tinyQ8_0, gpuLayers: 0 });
}, 120_000);
afterAll(async () => {
  await model?.dispose();
});

/** Sizes of the batches the context decodes (its native object is sealed, so it is wrapped). */
function recordBatches(context: LlamaContext): number[] {
  const sizes: number[] = [];
  const c = context as unknown as { _ctx: Record<string | symbol, unknown> };
  const real = c._ctx;
  c._ctx = new Proxy(real, {
    get(t, k) {
      const v = t[k];
      if (k === 'initBatch') return (n: number) => (sizes.push(n), (v as (n: number) => unknown).call(t, n));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return sizes;
}

const N = 4;
const TOKENS = 24;

/** N completions at once on N sequences of one context; returns the decode batch sizes and tokens per run. */
async function generateTogether(gated: boolean): Promise<{ batches: number[]; tokens: number[]; gate: DecodeGate | null }> {
  const context = await model.createContext({ contextSize: 256, sequences: N, threads: 1 });
  try {
    let generating = 0;
    const gate = gated ? new DecodeGate(() => generating) : null;
    gate?.attach(context);
    const sequences = Array.from({ length: N }, () => context.getSequence());
    const batches = recordBatches(context);
    generating = N;
    const tokens = await Promise.all(
      sequences.map(async (sequence, i) => {
        const completion = new LlamaCompletion({ contextSequence: sequence });
        let n = 0;
        try {
          await completion.generateCompletion(`Story ${i}: once upon a time`, {
            maxTokens: TOKENS,
            temperature: 0,
            tokenBias: ignoreEosBias(model),
            onToken: (t) => void (n += t.length),
          });
        } finally {
          generating--;
          completion.dispose({ disposeSequence: false });
        }
        return n;
      }),
    );
    return { batches, tokens, gate };
  } finally {
    await context.dispose();
  }
}

describe('DecodeGate', () => {
  it('four sequences generating at once decode together: one batch per step', { timeout: 120_000 }, async () => {
    const { batches, tokens, gate } = await generateTogether(true);
    expect(tokens).toEqual([TOKENS, TOKENS, TOKENS, TOKENS]);
    // Decode steps carry one token per sequence; prompts (several tokens each) go in the first batch.
    // Without the gate this measured [80, 3 × 31, 2]: 33 batches for 24 steps.
    const steps = batches.filter((b) => b <= N);
    const full = steps.filter((b) => b === N).length;
    expect(full).toBeGreaterThanOrEqual(TOKENS - 3);
    expect(batches.length).toBeLessThanOrEqual(TOKENS + 3);
    expect(gate?.stats.decodes).toBeGreaterThan(0);
  });

  it('ignore-EOS biases every end-of-generation token to -Infinity', () => {
    const eog = endOfGenerationTokens(model);
    expect(eog).toContain(model.tokens.eos);
    const biases = (ignoreEosBias(model) as unknown as { _biases: Map<number, number> })._biases;
    for (const t of eog) expect(biases.get(t)).toBe(-Infinity);
  });
});

