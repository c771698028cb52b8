// The decode gate on the real node-llama-cpp: four sequences generating at once must decode together, one
// batch per step, instead of the 3-of-4 batches node-llama-cpp's own loop forms. Counts batches, not time.
import { getLlama, LlamaCompletion, LlamaLogLevel, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { DecodeGate } from './decodeGate';
import { StepTrace } from './stepTrace';
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

/**
 * Sizes of the batches the context decodes (its native object is sealed, so it is wrapped). `slowMs` makes
 * each decode take that much longer, as a real model's does (the tiny one decodes in well under a millisecond).
 */
function recordBatches(context: LlamaContext, slowMs = 0): number[] & { ids: number[][] } {
  // The sequence ids of each batch's items, in the order they were added.
  const sizes = Object.assign([] as number[], { ids: [] as number[][] });
  const c = context as unknown as { _ctx: Record<string | symbol, unknown> };
  const real = c._ctx;
  c._ctx = new Proxy(real, {
    get(t, k) {
      const v = t[k];
      if (k === 'initBatch') return (n: number) => (sizes.push(n), sizes.ids.push([]), (v as (n: number) => unknown).call(t, n));
      if (k === 'addToBatch') return (id: number, ...rest: unknown[]) => (sizes.ids.at(-1)?.push(id), (v as (...a: unknown[]) => unknown).call(t, id, ...rest));
      if (k === 'decodeBatch' && slowMs > 0) {
        return async () => {
          await (v as () => Promise<unknown>).call(t);
          await new Promise((r) => setTimeout(r, slowMs));
        };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return sizes;
}

const N = 4;
const TOKENS = 24;

/**
 * N completions on N sequences of one context; returns the decode batch sizes and tokens per run. With
 * `staggerMs`, run i starts i × staggerMs after the first (requests arrive apart, as over HTTP).
 */
async function generateTogether(
  gated: boolean,
  { slowMs = 0, staggerMs = 0, trace = null as StepTrace | null } = {},
): Promise<{ batches: number[] & { ids: number[][] }; tokens: number[]; gate: DecodeGate | null }> {
  const context = await model.createContext({ contextSize: 256, sequences: N, threads: 1 });
  try {
    let generating = 0;
    const gate = gated ? new DecodeGate(() => generating, 10, trace) : null;
    gate?.attach(context);
    const sequences = Array.from({ length: N }, () => context.getSequence());
    const batches = recordBatches(context, slowMs);
    if (staggerMs === 0) generating = N;
    const tokens = await Promise.all(
      sequences.map(async (sequence, i) => {
        if (staggerMs > 0) {
          // The highest sequence id starts first: arrival order is the reverse of id order.
          await new Promise((r) => setTimeout(r, (N - 1 - i) * staggerMs));
          generating++;
        }
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

  it('sequences that start apart, on a model slower than the gate wait, still decode together', { timeout: 120_000 }, async () => {
    // Each decode takes 25 ms, longer than the gate's wait: before, the wait ran out while a decode was in
    // flight, the sequences split into two groups, and the groups took turns (batches of 1 and 3) to the end.
    const { batches, tokens, gate } = await generateTogether(true, { slowMs: 25, staggerMs: 40 });
    expect(tokens).toEqual([TOKENS, TOKENS, TOKENS, TOKENS]);
    const steps = batches.filter((b) => b <= N);
    // Once the last run has started, every step carries all four until the first finishes. How many steps the
    // ramp-up takes depends on how fast this machine decodes against the 40 ms stagger, and the earlier runs
    // finish as many steps early as they started, so the bound is taken from the ramp-up seen in this run.
    // (Ramp-up counts every batch before the first full step: a joining run's prompt shares a batch with the
    // others' tokens. Seen: [20,1,21,22,3,23, 4 × 18, 3,3,2,1,1].)
    const rampUp = batches.indexOf(N);
    expect(rampUp).toBeGreaterThanOrEqual(0);
    expect(steps.filter((b) => b === N).length).toBeGreaterThanOrEqual(TOKENS - rampUp - 1);
    expect(steps.length).toBeLessThanOrEqual(TOKENS + 10);
    expect(gate?.stats.singles).toBeLessThanOrEqual(4);
    // Each step's tokens go in increasing sequence id, whatever order they came in: llama.cpp decodes a
    // batch in one pass only over consecutive ids (else 4 tokens cost ~4× one).
    for (const ids of batches.ids.filter((x) => x.length > 1)) expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('the step trace splits each full step into its phases, in order', { timeout: 120_000 }, async () => {
    const trace = new StepTrace(null);
    const { tokens } = await generateTogether(true, { slowMs: 5, trace });
    expect(tokens).toEqual([TOKENS, TOKENS, TOKENS, TOKENS]);
    const full = trace.steps.filter((s) => s.size === N);
    expect(full.length).toBeGreaterThanOrEqual(TOKENS - 4);
    for (const s of full) {
      // The test's 5 ms delay wraps the traced native call: it shows up after the decode, never before it.
      expect(s.decode).toBeGreaterThan(0);
      for (const v of [s.dispatch, s.sample, s.js, s.spread, s.gate]) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(trace.summary()[`size${N}`]?.steps).toBe(full.length);
  });

  it('ignore-EOS biases every end-of-generation token to -Infinity', () => {
    const eog = endOfGenerationTokens(model);
    expect(eog).toContain(model.tokens.eos);
    const biases = (ignoreEosBias(model) as unknown as { _biases: Map<number, number> })._biases;
    for (const t of eog) expect(biases.get(t)).toBe(-Infinity);
  });
});

