// The vision engine's lifecycle against a real llama-server (the cached CPU build) serving a generated text
// model without a projector (the vision fixture comes from h/visionfix): start → ready → a chat completion
// through endpoint() → SIGKILL → crashed with the stderr tail → restart → ready → unload leaves no process;
// removing its model from the library stops it.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import type { VisionStatus } from '../../shared/vision.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { builtServer } from '../llamaServer/buildServer';
import { freePort } from '../llamaServer/llamaServerProcess';
import { openTestCore, tempDir } from '../testing/testCore';
import { VisionService } from './vision.service';

// One thread: the test process and the server share 2 cores.
const settings = LoadSettings.parse({ gpu: 'cpu', threads: 1, contextSize: 512, batchSize: 128 });
let core: Core;
let modelId: string;
let binary: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(f: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const bin = builtServer('cpu');
  if (!bin) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server`');
  binary = bin;
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  // --server-bin, as the CLI passes it: the test does not depend on PATH.
  core = openTestCore({ serverBin: binary });
  modelId = (await core.invoke('models.add', { path: fx.tinyQ8_0 })).id;
}, 120_000);

afterAll(async () => {
  await core?.close();
});

describe('vision engine lifecycle (real llama-server, no projector)', () => {
  it('starts, serves a chat completion through endpoint(), crashes on SIGKILL with the stderr tail, restarts, unloads with no process left', async () => {
    const seen: VisionStatus[] = [];
    const off = core.on('vision.status', (s) => seen.push(s));
    const ready = await core.vision.load(modelId, null, settings);
    expect(ready.state).toBe('ready');
    expect(ready.binarySource).toBe('flag');
    expect(seen.map((s) => s.state)).toContain('starting');
    expect(seen.at(-1)?.state).toBe('ready');

    const ep = core.vision.endpoint(modelId);
    expect(ep).not.toBeNull();
    expect(core.vision.endpoint('another-model')).toBeNull();
    const body = JSON.stringify({ model: ep!.model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4, temperature: 0 });
    const res = await fetch(`${ep!.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ep!.apiKey}` }, body });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
    expect(json.usage.completion_tokens).toBeGreaterThan(0);
    // Its own API key: nothing else on the machine can use the server without it.
    const stranger = await fetch(`${ep!.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(stranger.status).toBe(401);

    const pid1 = ready.pid!;
    expect(alive(pid1)).toBe(true);
    process.kill(pid1, 'SIGKILL');
    await until(() => seen.at(-1)?.state === 'crashed', 'the crashed event');
    const crashed = seen.at(-1)!;
    expect(crashed.crashCount).toBe(1);
    expect(crashed.error).toMatch(/SIGKILL/);
    expect(crashed.stderrTail).toBeTruthy();
    expect(crashed.pid).toBeNull();
    expect(core.vision.endpoint(modelId)).toBeNull();

    const again = await core.invoke('vision.restart', {});
    expect(again.state).toBe('ready');
    expect(again.pid).not.toBe(pid1);
    expect(again.modelId).toBe(modelId);
    expect(again.settings).toEqual(settings);
    expect(again.crashCount).toBe(1);
    const pid2 = again.pid!;

    const stopped = await core.invoke('vision.unload', {});
    off();
    expect(stopped.state).toBe('stopped');
    expect(stopped.pid).toBeNull();
    expect(alive(pid2)).toBe(false);
    // A deliberate stop is not a crash.
    expect(seen.filter((s) => s.state === 'crashed')).toHaveLength(1);
  }, 180_000);

  it('picks another port when another process binds the picked one first', async () => {
    const holder: Server = createServer();
    const taken = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    const picked: number[] = [];
    const svc = new VisionService({
      models: core.models,
      dataDir: tempDir(),
      serverBin: binary,
      pickPort: async () => {
        const p = picked.length === 0 ? taken : await freePort();
        picked.push(p);
        return p;
      },
    });
    try {
      const st = await svc.load(modelId, null, settings);
      expect(st.state).toBe('ready');
      expect(picked[0]).toBe(taken);
      expect(picked.length).toBeGreaterThanOrEqual(2);
      expect(st.baseUrl).not.toContain(`:${taken}/`);
      const r = await fetch(`${st.baseUrl!.replace(/\/v1$/, '')}/health`);
      expect(r.status).toBe(200);
    } finally {
      await svc.close();
      holder.close();
    }
  }, 180_000);

  it('core.close() stops the server: no orphan', async () => {
    const own = openTestCore({ serverBin: binary });
    const id = (await own.invoke('models.add', { path: core.models.get(modelId).path })).id;
    const st = await own.vision.load(id, null, settings);
    expect(alive(st.pid!)).toBe(true);
    await own.close();
    expect(alive(st.pid!)).toBe(false);
  }, 180_000);

  it('stops when its model is removed from the library, and has nothing to restart', async () => {
    const own = openTestCore({ serverBin: binary });
    try {
      const id = (await own.invoke('models.add', { path: core.models.get(modelId).path })).id;
      const st = await own.vision.load(id, null, settings);
      expect(alive(st.pid!)).toBe(true);
      expect(await own.invoke('models.remove', { modelId: id })).toEqual({ removed: true });
      await until(() => own.vision.status().state === 'stopped', 'the vision engine to stop');
      await until(() => !alive(st.pid!), 'the server process to exit');
      expect(own.vision.status()).toMatchObject({ modelId: null, pid: null });
      await expect(own.invoke('vision.restart', {})).rejects.toThrow(/Nothing to restart/);
    } finally {
      await own.close();
    }
  }, 180_000);
});
