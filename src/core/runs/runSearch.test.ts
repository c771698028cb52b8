// History search over real runs on a real model: prompts, variable values and outputs match; the file name comes back.
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_PERMISSION } from '../../shared/roles';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore } from '../testing/testCore';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
const opened = closeAfterEach();
beforeAll(async () => {
  fx = await ensureFixtureModels();
});

describe('runs.search', () => {
  it('finds runs by prompt text, variable value and output, names the file and returns the values', async () => {
    const c = opened.core(openTestCore());
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
    const params = { temperature: 0, seed: 1, maxTokens: 6 };
    const a = await c.runs.wait((await c.invoke('runs.start', { modelId: m.id, userMessage: 'Explain {{topic}} to {{audience}}', variables: { topic: 'tides', audience: 'kids' }, params })).runId);
    const b = await c.runs.wait((await c.invoke('runs.start', { modelId: m.id, userMessage: 'Say 100%_done', params })).runId);

    const all = await c.invoke('runs.search', {});
    expect(all.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(all[1]?.fileName).toBe(m.fileName);
    expect(all[1]?.variables).toEqual({ topic: 'tides', audience: 'kids' });

    expect((await c.invoke('runs.search', { query: 'KIDS' })).map((r) => r.id)).toEqual([a.id]);
    expect((await c.invoke('runs.search', { query: 'explain {{topic' })).map((r) => r.id)).toEqual([a.id]);
    // LIKE wildcards in the query match literally.
    expect((await c.invoke('runs.search', { query: '100%_' })).map((r) => r.id)).toEqual([b.id]);
    expect(await c.invoke('runs.search', { query: '0%d' })).toEqual([]);
    const piece = a.output.trim().slice(0, 4);
    if (piece.length === 4) expect((await c.invoke('runs.search', { query: piece })).map((r) => r.id)).toContain(a.id);
    expect((await c.invoke('runs.search', { query: m.fileName })).length).toBe(2);
    expect(COMMAND_PERMISSION['runs.search']).toBe(COMMAND_PERMISSION['runs.list']);
  });

  it('models.template answers for a model in the library', async () => {
    const c = opened.core(openTestCore());
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    const t = await c.invoke('models.template', { modelId: m.id });
    expect(t.rendered).toContain('<|im_start|>user\nAnd of Italy?');
  });
});
