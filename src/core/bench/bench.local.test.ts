// A benchmark on the real engine: the tiny generated model at concurrency 1 and 2. The model is reloaded
// with two sequences for the sweep (and the result says so); pp/tg rates come out as llama-bench's.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openTestCore } from '../testing/testCore';

let fx: { tinyQ8_0: string };
const cores: Core[] = [];
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

describe('benchmarks on the local engine', () => {
  it('runs concurrency 1 and 2 on the tiny model with pp/tg rates and per-request timings', async () => {
    const core = openTestCore();
    cores.push(core);
    const m = await core.invoke('models.add', { path: fx.tinyQ8_0 });
    await core.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1 } });
    const { benchId } = await core.invoke('bench.start', {
      name: 'tiny',
      targets: [{ target: { kind: 'local', modelId: m.id } }],
      workload: { kind: 'synthetic', inputLen: 24, outputLen: 8 },
      loads: [
        { kind: 'concurrency', concurrency: 1 },
        { kind: 'concurrency', concurrency: 2 },
      ],
      warmupRequests: 1,
      requests: 4,
    });
    const run = await core.bench.wait(benchId);
    expect(run.state).toBe('done');
    expect(run.results).toHaveLength(2);
    expect(core.engine.status.settings?.sequences).toBe(2);
    expect(core.engine.status.settings?.contextSize).toBe(512);
    for (const r of run.results) {
      expect(r.failed).toBe(0);
      expect(r.completed).toBe(4);
      expect(r.targetKey).toBe(`local:${m.id}`);
      expect(r.ppTokPerSec).toBeGreaterThan(0);
      expect(r.tgTokPerSec).toBeGreaterThan(0);
      expect(r.ttftMs.median).toBeGreaterThan(0);
      expect(r.e2elMs.median).toBeGreaterThanOrEqual(r.ttftMs.median);
      expect(r.totalInputTokens).toBeGreaterThan(4 * 10);
      // The tiny model may stop early (no ignore-EOS in the engine): counted as produced, at most asked.
      expect(r.totalOutputTokens).toBeGreaterThan(0);
      expect(r.totalOutputTokens).toBeLessThanOrEqual(4 * 8);
      expect(r.outputThroughput).toBeGreaterThan(0);
      expect(r.errors.some((e) => e.startsWith('note:'))).toBe(true);
    }
    const rows = core.db.prepare<[string], { chunk_times_json: string; output_tokens: number }>('SELECT chunk_times_json, output_tokens FROM bench_requests WHERE bench_id = ?').all(benchId);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect((JSON.parse(row.chunk_times_json) as number[]).length).toBeGreaterThan(0);
  });
});
