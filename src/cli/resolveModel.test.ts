import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../core/createCore';
import { ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import { failureOf, openTestCore } from '../core/testing/testCore';
import { resolveModel } from './resolveModel';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
let core: Core;

beforeAll(async () => {
  fx = await ensureFixtureModels();
  core = openTestCore();
});
afterAll(() => core.close());

describe('resolveModel (through the contract)', () => {
  it('adds a new path once, then finds it by path or by id', async () => {
    const added = await resolveModel(core, fx.tinyQ8_0);
    expect((await resolveModel(core, fx.tinyQ8_0)).id).toBe(added.id);
    expect((await resolveModel(core, added.id)).path).toBe(fx.tinyQ8_0);
    expect(await core.invoke('models.list', {})).toHaveLength(1);
  });

  it('refuses a file that is not a model with its wire code and the file name', async () => {
    const f = await failureOf(resolveModel(core, fx.notGguf));
    expect(f.code).toBe('MODEL_INVALID');
    expect(f.message).toContain('broken-not-gguf');
  });
});
