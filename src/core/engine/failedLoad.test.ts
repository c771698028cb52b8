// A failed load of another file must not cost the user the model that works (real worker, real llama.cpp).
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore } from '../testing/testCore';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
const opened = closeAfterEach();
beforeAll(async () => {
  fx = await ensureFixtureModels();
});

describe('a failed load keeps the loaded model', () => {
  it('a file llama.cpp cannot load leaves the working model loaded and runnable, and says why', async () => {
    const c = opened.core(openTestCore());
    const good = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    expect((await c.invoke('engine.load', { modelId: good.id, settings: { gpu: 'cpu', contextSize: 512 } })).state).toBe('ready');
    const pid = c.engine.workerPid;
    const broken = await c.invoke('models.add', { path: fx.missingTensor });
    await expect(c.invoke('engine.load', { modelId: broken.id, settings: { gpu: 'cpu', contextSize: 512 } })).rejects.toThrow(
      /broken-missing-tensor.*llama\.cpp could not load it.*still loaded/,
    );
    const st = await c.invoke('engine.status', {});
    expect(st.state).toBe('ready');
    expect(st.modelId).toBe(good.id);
    expect(st.error).toMatch(/broken-missing-tensor/);
    expect(c.engine.workerPid).toBe(pid);
    const { runId } = await c.invoke('runs.start', { modelId: good.id, userMessage: 'still here?', params: { temperature: 0, seed: 1, maxTokens: 4 } });
    const done = await c.runs.wait(runId);
    expect(done.stopReason).not.toBe('error');
  });

  it('a load refused before llama.cpp starts (absent GPU backend) keeps the model too', async () => {
    const c = opened.core(openTestCore());
    const good = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    await c.invoke('engine.load', { modelId: good.id, settings: { gpu: 'cpu', contextSize: 512 } });
    const other = await c.invoke('models.add', { path: fx.tinyF16 });
    const states: string[] = [];
    c.engine.on('status', (s) => states.push(s.state));
    const info = await c.invoke('app.info', {});
    if (info.supportedGpu.includes('metal')) return;
    await expect(c.invoke('engine.load', { modelId: other.id, settings: { gpu: 'metal' } })).rejects.toThrow(/"metal" is not available.*still loaded/);
    expect((await c.invoke('engine.status', {})).modelId).toBe(good.id);
    expect(states.at(-1)).toBe('ready');
  });
});
