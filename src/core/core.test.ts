// The spine end to end in plain Node: real SQLite, real worker process, real llama.cpp on generated models.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunChunk } from '../shared/runs.schema';
import type { ModelInfo } from '../shared/models.schema';
import type { Core } from './createCore';
import { ensureFixtureModels } from './fixtures/ensureFixtures';
import { nextEvent, openTestCore, tempDir } from './testing/testCore';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
const cores: Core[] = [];
function core(opts: Parameters<typeof openTestCore>[0] = {}): Core {
  const c = openTestCore(opts);
  cores.push(c);
  return c;
}

beforeAll(async () => {
  fx = await ensureFixtureModels();
});
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

const greedy = { temperature: 0, seed: 1, maxTokens: 12 };

async function loaded(c: Core, path = fx.tinyQ8_0): Promise<ModelInfo> {
  const m = await c.invoke('models.add', { path });
  const st = await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
  expect(st.state).toBe('ready');
  return m;
}

describe('models', () => {
  it('reads GGUF metadata before loading', async () => {
    const c = core();
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    expect(m.metadata.architecture).toBe('llama');
    expect(m.metadata.fileType).toBe('Q8_0');
    expect(m.metadata.hasChatTemplate).toBe(true);
    expect(m.metadata.parameterCount).toBeGreaterThan(100_000);
    expect(m.metadata.contextLength).toBeGreaterThan(0);
    expect(m.hashStatus).toBe('pending');
    await c.models.idle();
    expect(c.models.get(m.id).sha256).toMatch(/^[0-9a-f]{64}$/);
    // Adding the same file again returns the same entry.
    expect((await c.invoke('models.add', { path: fx.tinyQ8_0 })).id).toBe(m.id);
  });

  it('rejects broken files with the file name and the reason, storing nothing', async () => {
    const c = core();
    await expect(c.invoke('models.add', { path: fx.notGguf })).rejects.toThrow(/broken-not-gguf.*not a GGUF file/);
    await expect(c.invoke('models.add', { path: fx.truncated })).rejects.toThrow(/broken-truncated.*truncated/);
    await expect(c.invoke('models.add', { path: fx.tinyLora })).rejects.toThrow(/LoRA adapter/);
    await expect(c.invoke('models.add', { path: '/nope/missing.gguf' })).rejects.toThrow(/missing\.gguf: file not found/);
    expect(await c.invoke('models.list', {})).toEqual([]);
  });

  it('scans a folder, adding good files and reporting bad ones', async () => {
    const c = core();
    const { dirname } = await import('node:path');
    const r = await c.invoke('models.scan', { dir: dirname(fx.tinyQ8_0) });
    const names = r.added.map((m) => m.fileName);
    expect(names).toEqual(expect.arrayContaining(['tiny-q8_0-s1.v1.gguf', 'tiny-f16-s1.v1.gguf']));
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/truncated/);
    expect(r.errors.some((e) => /not a GGUF/.test(e.message))).toBe(true);
  });

  it('validates command input at the boundary and names the field', async () => {
    const c = core();
    const r = await c.dispatch('engine.load', { modelId: 'x', settings: { contextSize: 'big' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_INPUT');
      expect(r.error.message).toMatch(/settings\.contextSize/);
    }
    const unknown = await c.dispatch('models.destroyEverything', {});
    expect(unknown.ok).toBe(false);
  });
});

describe('engine and runs', () => {
  it('streams a run in batched deltas, stores it with metrics, and renders the exact prompt', async () => {
    const c = core();
    const m = await loaded(c);
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
    const c = core();
    const m = await loaded(c);
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
    const c = core();
    const m = await loaded(c);
    const { runId } = await c.invoke('runs.start', { modelId: m.id, userMessage: 'Go on', params: { maxTokens: 100_000, seed: 2 } });
    await nextEvent(c, 'runs.chunk', (ch) => ch.runId === runId);
    expect((await c.invoke('runs.cancel', { runId })).cancelled).toBe(true);
    const rec = await c.runs.wait(runId);
    expect(rec.stopReason).toBe('abort');
    expect(rec.output.length).toBeGreaterThan(0);
    expect(rec.completionTokens).toBeLessThan(100_000);
  });

  it('constrains output with a JSON schema', async () => {
    const c = core();
    const m = await loaded(c);
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
    const c = core();
    const m = await c.invoke('models.add', { path: fx.tinyF16 });
    await expect(c.invoke('runs.start', { modelId: m.id, userMessage: 'hi' })).rejects.toThrow(/not loaded/);
    await loaded(c, fx.tinyQ8_0);
    const q8 = (await c.invoke('models.list', {})).find((x) => x.path === fx.tinyQ8_0) as ModelInfo;
    await expect(c.invoke('runs.start', { modelId: q8.id, userMessage: '{{empty}}', variables: { empty: ' ' } })).rejects.toThrow(/userMessage/);
  });
  it('takes a client-chosen run id: its first chunk carries it, a taken id or a malformed one is refused', async () => {
    const c = core();
    const m = await loaded(c);
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

describe('failures', () => {
  it('a wrong architecture is refused when added; swapped in later, it fails to load with a clear error and the engine stays usable', async () => {
    const { copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const c = core();
    await expect(c.invoke('models.add', { path: fx.wrongArchitecture })).rejects.toThrow(
      /broken-wrong-arch.*: architecture "lamplight-unknown" is not supported/,
    );
    const file = join(tempDir(), 'swapped-arch.gguf');
    copyFileSync(fx.tinyQ8_0, file);
    const bad = await c.invoke('models.add', { path: file });
    copyFileSync(fx.wrongArchitecture, file);
    await expect(c.invoke('engine.load', { modelId: bad.id, settings: { gpu: 'cpu' } })).rejects.toThrow(
      /swapped-arch\.gguf: .*(not supported|could not load)/,
    );
    const st = await c.invoke('engine.status', {});
    expect(st.state).toBe('idle');
    expect(st.error).toMatch(/swapped-arch/);
    await loaded(c);
  });

  it('a file that was cut short after it was added fails to load with llama.cpp\'s reason', async () => {
    const { copyFileSync, truncateSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(tempDir(), 'shrinks.gguf');
    copyFileSync(fx.tinyQ8_0, file);
    const c = core();
    const m = await c.invoke('models.add', { path: file });
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu' } })).rejects.toThrow(
      /shrinks\.gguf: llama\.cpp could not load it: .*(file bounds|truncated|read)/i,
    );
    expect((await c.invoke('engine.status', {})).state).toBe('idle');
  });

  it('a model too large for the memory limit is refused before loading', async () => {
    const c = core({ memoryLimitBytes: 64 * 1024 });
    const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu' } })).rejects.toThrow(/too large for memory.*GiB/);
  });

  it('an unavailable GPU backend is a clear error', async () => {
    const c = core();
    const info = await c.invoke('app.info', {});
    test: if (!info.supportedGpu.includes('metal')) {
      const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
      await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'metal' } })).rejects.toThrow(/"metal" is not available/);
      break test;
    }
  });

  it('a native crash of the worker mid-run is reported, keeps the partial text and the database, and restarts', async () => {
    const dataDir = tempDir();
    const c = core({ dataDir });
    const m = await loaded(c);
    const done = await c.runs.wait((await c.invoke('runs.start', { modelId: m.id, userMessage: 'before', params: greedy })).runId);
    const { runId } = await c.invoke('runs.start', { modelId: m.id, userMessage: 'crash me', params: { maxTokens: 100_000, seed: 1 } });
    await nextEvent(c, 'runs.chunk', (ch) => ch.runId === runId);
    const pid = c.engine.workerPid as number;
    const crashed = nextEvent(c, 'engine.status', (s) => s.state === 'crashed');
    process.kill(pid, 'SIGABRT'); // what llama.cpp's GGML_ASSERT does
    const st = await crashed;
    expect(st.error).toMatch(/stopped unexpectedly \(SIGABRT\)/);
    const rec = await c.runs.wait(runId);
    expect(rec.stopReason).toBe('crash');
    expect(rec.output.length).toBeGreaterThan(0);
    expect(rec.error).toMatch(/SIGABRT/);
    // The core process and its database are fine.
    expect((await c.invoke('runs.get', { runId: done.id })).output).toBe(done.output);
    await expect(c.invoke('runs.start', { modelId: m.id, userMessage: 'x' })).rejects.toThrow(/not loaded/);
    const restarted = await c.invoke('engine.restart', {});
    expect(restarted.state).toBe('ready');
    expect(restarted.modelId).toBe(m.id);
    expect(restarted.pid).not.toBe(pid);
    const after = await c.runs.wait((await c.invoke('runs.start', { modelId: m.id, userMessage: 'before', params: greedy })).runId);
    expect(after.output).toBe(done.output);
  });

  it('runs survive a restart of the app; a run cut off by exit is marked interrupted', async () => {
    const dataDir = tempDir();
    const c1 = openTestCore({ dataDir });
    const m = await loaded(c1);
    const finished = await c1.runs.wait((await c1.invoke('runs.start', { modelId: m.id, userMessage: 'one', params: greedy })).runId);
    const { runId } = await c1.invoke('runs.start', { modelId: m.id, userMessage: 'two', params: { maxTokens: 100_000 } });
    await nextEvent(c1, 'runs.chunk', (ch) => ch.runId === runId);
    await c1.close(); // exits mid-run
    const c2 = core({ dataDir });
    const list = await c2.invoke('runs.list', {});
    expect(list.map((r) => r.id)).toEqual(expect.arrayContaining([finished.id, runId]));
    expect((await c2.invoke('runs.get', { runId: finished.id })).output).toBe(finished.output);
    const cut = await c2.invoke('runs.get', { runId });
    expect(cut.status).toBe('done');
    expect(['interrupted', 'crash']).toContain(cut.stopReason);
  });
});
