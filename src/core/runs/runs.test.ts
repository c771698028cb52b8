// Runs end to end in plain Node: real SQLite, real worker process, real llama.cpp on generated models.
import { describe, expect, it } from 'vitest';
import type { RunChunk } from '../../shared/runs.schema';
import type { ModelInfo } from '../../shared/models.schema';
import { coreTestKit, greedy } from '../testing/loadedModel';
import { nextEvent, openTestCore, tempDir } from '../testing/testCore';

const kit = coreTestKit();

describe('runs', () => {
  it('streams a run in batched deltas, stores it with metrics, and renders the exact prompt', async () => {
    const c = kit.core();
    const m = await kit.loaded(c);
    const st = await c.invoke('engine.status', {});
    expect(st.effective?.threads).toBe((await import('node:os')).availableParallelism());
    expect(st.effective?.gpu).toBe('cpu');

    const rendered = await c.invoke('prompt.render', {
      modelId: m.id,
      systemPrompt: 'Be brief.',
      userMessage: 'Tell me about {{topic}}',
      variables: { topic: 'tides' },
    });
    expect(rendered.text).toContain('<|im_start|>system\nBe brief.<|im_end|>');
    expect(rendered.text).toContain('<|im_start|>user\nTell me about tides<|im_end|>');
    expect(rendered.text.startsWith('<s>')).toBe(true); // BOS shown as the model's own string
    expect(rendered.tokenCount).toBeGreaterThan(5);
    expect(rendered.missingVariables).toEqual([]);

    const chunks: RunChunk[] = [];
    const off = c.on('runs.chunk', (ch) => chunks.push(ch));
    const { runId } = await c.invoke('runs.start', {
      modelId: m.id,
      systemPrompt: 'Be brief.',
      userMessage: 'Tell me about {{topic}}',
      variables: { topic: 'tides' },
      params: { ...greedy, maxTokens: 40 },
    });
    const rec = await c.runs.wait(runId);
    off();
    expect(rec.stopReason).toBe('maxTokens');
    expect(rec.completionTokens).toBe(40);
    expect(rec.promptTokens).toBe(rendered.tokenCount);
    expect(rec.renderedPrompt).toBe(rendered.text);
    expect(rec.ttftMs).toBeGreaterThan(0);
    expect(rec.decodeTokPerSec).toBeGreaterThan(0);
    const mine = chunks.filter((ch) => ch.runId === runId);
    expect(mine.map((ch) => ch.text).join('')).toBe(rec.output);
    expect(mine.reduce((a, ch) => a + ch.tokens, 0)).toBe(40);
    // Batched: fewer events than tokens, never the whole text again.
    expect(mine.length).toBeLessThan(40);

    const list = await c.invoke('runs.list', {});
    expect(list[0]?.id).toBe(runId);
    expect((await c.invoke('runs.get', { runId })).output).toBe(rec.output);
  });

  it('is deterministic with greedy sampling and honours stop sequences', async () => {
    const c = kit.core();
    const m = await kit.loaded(c);
    const req = { modelId: m.id, userMessage: 'Count', params: greedy };
    const a = await c.runs.wait((await c.invoke('runs.start', req)).runId);
    const b = await c.runs.wait((await c.invoke('runs.start', req)).runId);
    expect(a.output).toBe(b.output);
    expect(a.output.length).toBeGreaterThan(3);
    const stop = a.output.trim().slice(2, 5);
    const s = await c.runs.wait((await c.invoke('runs.start', { ...req, params: { ...greedy, stop: [stop] } })).runId);
    expect(s.stopReason).toBe('stopSequence');
    expect(s.output).not.toContain(stop);
    expect(a.output.startsWith(s.output.trim().slice(0, 1))).toBe(true);
  });

  it('Stop keeps the partial text', async () => {
    const c = kit.core();
    const m = await kit.loaded(c);
    const { runId } = await c.invoke('runs.start', { modelId: m.id, userMessage: 'Go on', params: { maxTokens: 100_000, seed: 2 } });
    await nextEvent(c, 'runs.chunk', (ch) => ch.runId === runId);
    expect((await c.invoke('runs.cancel', { runId })).cancelled).toBe(true);
    const rec = await c.runs.wait(runId);
    expect(rec.stopReason).toBe('abort');
    expect(rec.output.length).toBeGreaterThan(0);
    expect(rec.completionTokens).toBeLessThan(100_000);
  });

  it('constrains output with a JSON schema', async () => {
    const c = kit.core();
    const m = await kit.loaded(c);
    const schema = JSON.stringify({ type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] });
    const rec = await c.runs.wait(
      (await c.invoke('runs.start', { modelId: m.id, userMessage: 'JSON please', jsonSchema: schema, params: { ...greedy, maxTokens: 64 } })).runId,
    );
    expect(rec.stopReason).toBe('eos');
    expect(JSON.parse(rec.output)).toHaveProperty('ok');
    const bad = await c.runs.wait(
      (await c.invoke('runs.start', { modelId: m.id, userMessage: 'x', jsonSchema: '{not json', params: greedy })).runId,
    );
    expect(bad.stopReason).toBe('error');
    expect(bad.error).toMatch(/JSON schema is not valid JSON/);
  });

  it('refuses to run a model that is not loaded, and an empty message', async () => {
    const c = kit.core();
    const m = await c.invoke('models.add', { path: kit.fx.tinyF16 });
    await expect(c.invoke('runs.start', { modelId: m.id, userMessage: 'hi' })).rejects.toThrow(/not loaded/);
    await kit.loaded(c, kit.fx.tinyQ8_0);
    const q8 = (await c.invoke('models.list', {})).find((x) => x.path === kit.fx.tinyQ8_0) as ModelInfo;
    await expect(c.invoke('runs.start', { modelId: q8.id, userMessage: '{{empty}}', variables: { empty: ' ' } })).rejects.toThrow(/userMessage/);
  });

  it('takes a client-chosen run id: its first chunk carries it, a taken id or a malformed one is refused', async () => {
    const c = kit.core();
    const m = await kit.loaded(c);
    const runId = 'client-run-0001';
    // Subscribed before starting: the first chunk may arrive before the reply, and it is matched by the id.
    const first = nextEvent(c, 'runs.chunk', (ch) => ch.runId === runId);
    expect((await c.invoke('runs.start', { runId, modelId: m.id, userMessage: 'Count', params: greedy })).runId).toBe(runId);
    expect((await first).text.length).toBeGreaterThan(0);
    expect((await c.runs.wait(runId)).id).toBe(runId);
    await expect(c.invoke('runs.start', { runId, modelId: m.id, userMessage: 'again', params: greedy })).rejects.toThrow(/already exists/);
    await expect(c.invoke('runs.start', { runId: 'bad id!', modelId: m.id, userMessage: 'x' })).rejects.toThrow(/runId/);
    await expect(
      c.invoke('compare.start', { userMessage: 'x', columns: [{ kind: 'local', modelId: m.id }], runIds: ['a-run-id-1', 'a-run-id-2'] }),
    ).rejects.toThrow(/one run id per column/);
    expect((await c.invoke('runs.list', {})).map((r) => r.id)).toEqual([runId]);
  });
});

describe('runs across restarts', () => {
  it('runs survive a restart of the app; a run cut off by exit is marked interrupted', async () => {
    const dataDir = tempDir();
    const c1 = openTestCore({ dataDir });
    const m = await kit.loaded(c1);
    const finished = await c1.runs.wait((await c1.invoke('runs.start', { modelId: m.id, userMessage: 'one', params: greedy })).runId);
    const { runId } = await c1.invoke('runs.start', { modelId: m.id, userMessage: 'two', params: { maxTokens: 100_000 } });
    await nextEvent(c1, 'runs.chunk', (ch) => ch.runId === runId);
    await c1.close(); // exits mid-run
    const c2 = kit.core({ dataDir });
    const list = await c2.invoke('runs.list', {});
    expect(list.map((r) => r.id)).toEqual(expect.arrayContaining([finished.id, runId]));
    expect((await c2.invoke('runs.get', { runId: finished.id })).output).toBe(finished.output);
    const cut = await c2.invoke('runs.get', { runId });
    expect(cut.status).toBe('done');
    expect(['interrupted', 'crash']).toContain(cut.stopReason);
  });
});
