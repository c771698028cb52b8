// Runtime LoRA adapters on a vLLM target through the real core, against a vLLM-like server on 127.0.0.1:
// load → listed as a module of the base model → a run with the adapter's name → unload → gone; and the
// failures people meet (already loaded, runtime updating disabled, a wrong key, half the replicas) in words.
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/contract';
import type { Core } from '../createCore';
import { deadBaseUrl, jsonResponse, startFaultServer } from '../remote/testing/faultServer';
import { fakeVllmAnswer, startFakeVllm, type FakeVllm, type FakeVllmOptions } from '../remote/testing/fakeVllm';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { closeAfterEach } from '../testing/closeAfterEach';

const KEY = 'sk-lamplight-lora-SECRET-5151';
const opened = closeAfterEach();

function core(): Core {
  const c = openTestCore({ dataDir: tempDir() });
  opened.core(c);
  return c;
}
async function vllm(opts: FakeVllmOptions = {}): Promise<FakeVllm> {
  const s = await startFakeVllm({ apiKey: KEY, lifetimeMs: 20_000, ...opts });
  opened.server(s);
  return s;
}

describe('runtime LoRA adapters on vLLM targets', () => {
  it('loads an adapter on the server, lists it under its base model, runs it, and unloads it', async () => {
    const c = core();
    const events: string[] = [];
    c.onAny((name: EventName, payload: unknown) => events.push(`${name} ${JSON.stringify(payload)}`));
    const s = await vllm();
    const t = await c.invoke('targets.add', { name: 'gpu box', baseUrls: [s.baseUrl], apiKey: KEY });

    const before = events.length;
    const loaded = await c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' });
    expect(loaded.loaded).toBe(true);
    expect(loaded.message).toBe('Loaded LoRA adapter "sql-lora" on gpu box (1 replica). Pick "sql-lora" as the model to use it.');
    const load = s.requests.find((r) => r.path === '/v1/load_lora_adapter');
    expect(load?.body).toEqual({ lora_name: 'sql-lora', lora_path: '/adapters/sql' });
    expect(load?.authorization).toBe(`Bearer ${KEY}`);
    // The target was re-checked, and the UI heard about it.
    expect(events.slice(before).some((e) => e.startsWith('targets.changed'))).toBe(true);

    const check = await c.invoke('targets.check', { targetId: t.id });
    const module = check.models.find((m) => m.id === 'sql-lora');
    expect(module).toMatchObject({ parent: s.baseModel, root: '/adapters/sql' });

    const rec = await c.runs.wait((await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'sql-lora' }, userMessage: 'SELECT?' })).runId);
    expect(rec.error).toBeNull();
    expect(rec.output).toBe(fakeVllmAnswer('sql-lora'));
    const chat = s.requests.find((r) => r.path === '/v1/chat/completions');
    expect((chat?.body as { model: string }).model).toBe('sql-lora');

    const unloaded = await c.invoke('targets.unloadLora', { targetId: t.id, name: 'sql-lora' });
    expect(unloaded).toEqual({ unloaded: true, message: 'Unloaded LoRA adapter "sql-lora" on gpu box (1 replica).' });
    expect((await c.invoke('targets.check', { targetId: t.id })).models.map((m) => m.id)).toEqual([s.baseModel]);
    expect(s.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(events.join('\n')).not.toContain(KEY);
  });

  it('says clearly when the adapter is already loaded, or not loaded, and keeps the key out', async () => {
    const c = core();
    const s = await vllm();
    const t = await c.invoke('targets.add', { name: 'gpu box', baseUrls: [s.baseUrl], apiKey: KEY });
    await c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' });

    const again = await failureOf(c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toBe(`LoRA adapter "sql-lora" on gpu box is already loaded: replica ${s.baseUrl} : 400 The lora adapter 'sql-lora' has already been loaded.`);

    const missing = await failureOf(c.invoke('targets.unloadLora', { targetId: t.id, name: 'nope' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toBe(`LoRA adapter "nope" on gpu box is not loaded: replica ${s.baseUrl} : 404 The lora adapter 'nope' cannot be found.`);
    expect(again.message + missing.message).not.toContain(KEY);
  });

  it('explains a server without runtime LoRA updating, and a refused key', async () => {
    const c = core();
    const off = await vllm({ runtimeLora: false });
    const t = await c.invoke('targets.add', { name: 'plain vllm', baseUrls: [off.baseUrl], apiKey: KEY });
    const disabled = await failureOf(c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' }));
    expect(disabled.code).toBe('NOT_FOUND');
    expect(disabled.message).toBe(
      `Could not load LoRA adapter "sql-lora" on plain vllm: replica ${off.baseUrl} : 404 runtime LoRA updating is not enabled on this server (start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)`,
    );

    const wrong = await c.invoke('targets.add', { name: 'wrong key', baseUrls: [(await vllm()).baseUrl], apiKey: 'sk-not-the-right-one-0000' });
    const refused = await failureOf(c.invoke('targets.loadLora', { targetId: wrong.id, name: 'x', path: '/a' }));
    expect(refused.code).toBe('UNAUTHORIZED');
    expect(refused.message).toMatch(/: 401 Unauthorized — the server refused the API key/);
    expect(refused.message).not.toContain('sk-not-the-right-one-0000');
  });

  it('redacts a key the server echoes back', async () => {
    const c = core();
    const s = await startFaultServer([jsonResponse(400, { error: { message: `adapter path invalid for key ${KEY}` } })]);
    opened.server(s);
    const t = await c.invoke('targets.add', { name: 'echo', baseUrls: [s.baseUrl], apiKey: KEY });
    const f = await failureOf(c.invoke('targets.loadLora', { targetId: t.id, name: 'a', path: '/a' }));
    expect(f.code).toBe('BAD_INPUT');
    expect(f.message).toContain('400 Bad Request — adapter path invalid for key ***');
    expect(f.message).not.toContain(KEY);
  });

  it('loads on every replica and names the ones that failed', async () => {
    const c = core();
    const a = await vllm();
    const b = await vllm();
    const off = await vllm({ runtimeLora: false });
    const dead = await deadBaseUrl();
    const t = await c.invoke('targets.add', { name: 'pool', baseUrls: [a.baseUrl, b.baseUrl, off.baseUrl, dead], apiKey: KEY, timeouts: { connectMs: 2000, firstTokenMs: 2000, idleMs: 2000 } });
    const r = await c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' });
    expect(r.loaded).toBe(false);
    expect(r.message).toContain('Loaded LoRA adapter "sql-lora" on pool only on 2 of 4 replicas: replica');
    expect(r.message).toContain(`replica ${off.baseUrl} : 404 runtime LoRA updating is not enabled`);
    expect(r.message).toMatch(new RegExp(`replica ${dead.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} : could not connect \\(ECONNREFUSED`));
    expect([...a.loras.keys(), ...b.loras.keys()]).toEqual(['sql-lora', 'sql-lora']);

    // A replica that already has it counts as done; the others load it.
    await c.invoke('targets.update', { targetId: t.id, patch: { baseUrls: [a.baseUrl, (await vllm()).baseUrl] } });
    const again = await c.invoke('targets.loadLora', { targetId: t.id, name: 'sql-lora', path: '/adapters/sql' });
    expect(again.loaded).toBe(true);
    expect(again.message).toContain(`(2 replicas; already loaded on ${a.baseUrl}).`);
  });
});
