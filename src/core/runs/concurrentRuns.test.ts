// Several local runs at once (the Playground, the latency lab's local target) share the loaded model's
// context sequences: they must decode side by side, not one after the other. Checked on the chunk
// timelines the core emits, never on speed.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openTestCore } from '../testing/testCore';

let core: Core;
let model: ModelInfo;
const arrivals = new Map<string, number[]>();

beforeAll(async () => {
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  core = openTestCore();
  model = await core.invoke('models.add', { path: fx.tinyQ8_0 });
  core.on('runs.chunk', (c) => arrivals.set(c.runId, [...(arrivals.get(c.runId) ?? []), performance.now()]));
}, 120_000);
afterAll(async () => {
  await core?.close();
});

async function twoRunsAtOnce(sequences: number): Promise<{ a: number[]; b: number[] }> {
  await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1, sequences } });
  const start = (userMessage: string) =>
    core.invoke('runs.start', { modelId: model.id, userMessage, params: { temperature: 0, repeatPenalty: 1, maxTokens: 160 } });
  const [ra, rb] = await Promise.all([start('Tell me about the tides.'), start('Tell me about the moon.')]);
  const [a, b] = await Promise.all([core.runs.wait(ra.runId), core.runs.wait(rb.runId)]);
  expect(a.stopReason).not.toBe('error');
  expect(b.stopReason).not.toBe('error');
  return { a: arrivals.get(ra.runId) ?? [], b: arrivals.get(rb.runId) ?? [] };
}

/** Chunks of `other` that arrived while `run` was streaming (between its first and last chunk). */
const during = (run: number[], other: number[]) => other.filter((t) => t > (run[0] as number) && t < (run.at(-1) as number)).length;

describe('concurrent local runs', () => {
  it('with two sequences, two Playground runs stream at the same time; with one, the second waits', { timeout: 180_000 }, async () => {
    const together = await twoRunsAtOnce(2);
    expect(together.a.length).toBeGreaterThan(2);
    expect(together.b.length).toBeGreaterThan(2);
    // Each run's chunks arrive while the other is still streaming: their timelines interleave.
    expect(during(together.a, together.b) + during(together.b, together.a)).toBeGreaterThanOrEqual(2);
    expect(together.b[0]).toBeLessThan(together.a.at(-1) as number);
    expect(together.a[0]).toBeLessThan(together.b.at(-1) as number);

    // The same check tells queueing apart: one sequence, so one run starts after the other has ended.
    const queued = await twoRunsAtOnce(1);
    const [first, second] = (queued.a[0] as number) < (queued.b[0] as number) ? [queued.a, queued.b] : [queued.b, queued.a];
    expect(second[0]).toBeGreaterThan(first.at(-1) as number);
  });
});
