// What the models, engine and runs tests share: a core per test (closed after it), the generated fixture
// models, greedy sampling and a model added and loaded on the CPU. Tests only: it registers vitest hooks.
import { beforeAll, expect } from 'vitest';
import type { ModelInfo } from '../../shared/models.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { closeAfterEach } from './closeAfterEach';
import { openTestCore } from './testCore';

export type FixtureModels = Awaited<ReturnType<typeof ensureFixtureModels>>;

/** Greedy and seeded: the same prompt gives the same output, so two runs can be compared. */
export const greedy = { temperature: 0, seed: 1, maxTokens: 12 };

export function coreTestKit() {
  const closing = closeAfterEach();
  let models: FixtureModels | undefined;
  beforeAll(async () => {
    models = await ensureFixtureModels();
  });
  const fixtures = (): FixtureModels => {
    if (!models) throw new Error('fixture models are read in beforeAll: use kit.fx inside a test');
    return models;
  };
  return {
    /** A core on a fresh data folder (or the one given), closed after the test. */
    core: (opts: Parameters<typeof openTestCore>[0] = {}): Core => closing.core(openTestCore(opts)),
    get fx(): FixtureModels {
      return fixtures();
    },
    /** Adds the model (tiny Q8_0 unless told) and loads it on the CPU with a small context. */
    async loaded(c: Core, path = fixtures().tinyQ8_0): Promise<ModelInfo> {
      const m = await c.invoke('models.add', { path });
      const st = await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
      expect(st.state).toBe('ready');
      return m;
    },
  };
}
