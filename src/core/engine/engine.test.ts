// The engine in its own process on real llama.cpp: load failures are clear errors that leave the engine
// usable, and a native crash mid-run is reported, keeps the partial text and the database, and restarts.
import { describe, expect, it } from 'vitest';
import { coreTestKit, greedy } from '../testing/loadedModel';
import { nextEvent, tempDir } from '../testing/testCore';

const kit = coreTestKit();

describe('engine failures', () => {
  it('a wrong architecture is refused when added; swapped in later, it fails to load with a clear error and the engine stays usable', async () => {
    const { copyFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const c = kit.core();
    await expect(c.invoke('models.add', { path: kit.fx.wrongArchitecture })).rejects.toThrow(
      /broken-wrong-arch.*: architecture "lamplight-unknown" is not supported/,
    );
    const file = join(tempDir(), 'swapped-arch.gguf');
    copyFileSync(kit.fx.tinyQ8_0, file);
    const bad = await c.invoke('models.add', { path: file });
    copyFileSync(kit.fx.wrongArchitecture, file);
    await expect(c.invoke('engine.load', { modelId: bad.id, settings: { gpu: 'cpu' } })).rejects.toThrow(
      /swapped-arch\.gguf: .*(not supported|could not load)/,
    );
    const st = await c.invoke('engine.status', {});
    expect(st.state).toBe('idle');
    expect(st.error).toMatch(/swapped-arch/);
    await kit.loaded(c);
  });

  it('a file that was cut short after it was added fails to load with llama.cpp\'s reason', async () => {
    const { copyFileSync, truncateSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(tempDir(), 'shrinks.gguf');
    copyFileSync(kit.fx.tinyQ8_0, file);
    const c = kit.core();
    const m = await c.invoke('models.add', { path: file });
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu' } })).rejects.toThrow(
      /shrinks\.gguf: llama\.cpp could not load it: .*(file bounds|truncated|read)/i,
    );
    expect((await c.invoke('engine.status', {})).state).toBe('idle');
  });

  it('a model too large for the memory limit is refused before loading', async () => {
    const c = kit.core({ memoryLimitBytes: 64 * 1024 });
    const m = await c.invoke('models.add', { path: kit.fx.tinyQ8_0 });
    await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu' } })).rejects.toThrow(/too large for memory.*GiB/);
  });

  it('an unavailable GPU backend is a clear error', async () => {
    const c = kit.core();
    const info = await c.invoke('app.info', {});
    test: if (!info.supportedGpu.includes('metal')) {
      const m = await c.invoke('models.add', { path: kit.fx.tinyQ8_0 });
      await expect(c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'metal' } })).rejects.toThrow(/"metal" is not available/);
      break test;
    }
  });

  it('a native crash of the worker mid-run is reported, keeps the partial text and the database, and restarts', async () => {
    const dataDir = tempDir();
    const c = kit.core({ dataDir });
    const m = await kit.loaded(c);
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

});
