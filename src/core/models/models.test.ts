// Models through the command path on a real core: GGUF metadata read before loading, broken files refused
// with their name and reason, folder scans, and input validated at the boundary.
import { describe, expect, it } from 'vitest';
import { FIXTURE_FILES } from '../fixtures/ensureFixtures';
import { coreTestKit } from '../testing/loadedModel';

const kit = coreTestKit();

describe('models', () => {
  it('reads GGUF metadata before loading', async () => {
    const c = kit.core();
    const m = await c.invoke('models.add', { path: kit.fx.tinyQ8_0 });
    expect(m.metadata.architecture).toBe('llama');
    expect(m.metadata.fileType).toBe('Q8_0');
    expect(m.metadata.hasChatTemplate).toBe(true);
    expect(m.metadata.parameterCount).toBeGreaterThan(100_000);
    expect(m.metadata.contextLength).toBeGreaterThan(0);
    expect(m.hashStatus).toBe('pending');
    await c.models.idle();
    expect(c.models.get(m.id).sha256).toMatch(/^[0-9a-f]{64}$/);
    // Adding the same file again returns the same entry.
    expect((await c.invoke('models.add', { path: kit.fx.tinyQ8_0 })).id).toBe(m.id);
  });

  it('rejects broken files with the file name and the reason, storing nothing', async () => {
    const c = kit.core();
    await expect(c.invoke('models.add', { path: kit.fx.notGguf })).rejects.toThrow(/broken-not-gguf.*not a GGUF file/);
    await expect(c.invoke('models.add', { path: kit.fx.truncated })).rejects.toThrow(/broken-truncated.*truncated/);
    await expect(c.invoke('models.add', { path: kit.fx.tinyLora })).rejects.toThrow(/LoRA adapter/);
    await expect(c.invoke('models.add', { path: '/nope/missing.gguf' })).rejects.toThrow(/missing\.gguf: file not found/);
    expect(await c.invoke('models.list', {})).toEqual([]);
  });

  it('scans a folder, adding good files and reporting bad ones', async () => {
    const c = kit.core();
    const { dirname } = await import('node:path');
    const r = await c.invoke('models.scan', { dir: dirname(kit.fx.tinyQ8_0) });
    const names = r.added.map((m) => m.fileName);
    expect(names).toEqual(expect.arrayContaining([FIXTURE_FILES.tinyQ8_0, FIXTURE_FILES.tinyF16]));
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/truncated/);
    expect(r.errors.some((e) => /not a GGUF/.test(e.message))).toBe(true);
  });

  it('validates command input at the boundary and names the field', async () => {
    const c = kit.core();
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
