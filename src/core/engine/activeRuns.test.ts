// The engine status names the runs generating, so the header does not say "ready" while the model is busy.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../shared/engine.schema';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore } from '../testing/testCore';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
const opened = closeAfterEach();
beforeAll(async () => {
  fx = await ensureFixtureModels();
});

describe('engine status while generating', () => {
  it('lists a run while it generates and empties the list when it ends', async () => {
    const c = opened.core(openTestCore());
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
    const seen: EngineStatus[] = [];
    c.engine.on('status', (s) => seen.push(s));
    const { runId } = await c.invoke('runs.start', { modelId: m.id, userMessage: 'go', params: { temperature: 0, seed: 1, maxTokens: 8 } });
    expect((await c.invoke('engine.status', {})).activeRunIds ?? []).toContain(runId);
    await c.runs.wait(runId);
    expect(seen.some((s) => s.activeRunIds?.includes(runId))).toBe(true);
    expect((await c.invoke('engine.status', {})).activeRunIds).toEqual([]);
  });
});
