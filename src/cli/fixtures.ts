import { resolve } from 'node:path';
import { ensureBenchModel } from '../core/fixtures/benchModel';
import { defaultFixtureDir, ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import { parseFlags, UsageError, type Command } from './main';

export const fixturesCommand: Command = {
  summary: 'write the generated GGUF models and LoRA adapters used by tests and benchmarks',
  usage: [
    'Usage: lamplight fixtures models [--dir DIR] [--bench]',
    '',
    'Writes small synthetic llama-architecture GGUF models (F16/Q8_0/Q4_0), LoRA adapters that fit them,',
    'a Qwen2-VL vision pair (a qwen2vl text model and its mmproj projector, plus a mismatched projector)',
    'and deliberately broken files, deterministically by seed. Text from them is noise: they exist to',
    'exercise the real engine and to measure speed honestly, never to judge quality.',
    '',
    '  --dir DIR   output folder (default: .fixtures/models in the repository)',
    '  --bench     also write the ~300M-parameter Q4_0 benchmark model (takes seconds, ~200 MB)',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { dir: { type: 'string' }, bench: { type: 'boolean' } });
    if (positionals[0] !== 'models') throw new UsageError('expected "fixtures models"');
    const dir = values.dir ? resolve(values.dir) : defaultFixtureDir();
    const files = await ensureFixtureModels(dir);
    for (const [name, path] of Object.entries(files)) ctx.out(`${name.padEnd(24)} ${path}\n`);
    if (values.bench) {
      const path = await ensureBenchModel(dir);
      ctx.out(`${'bench300mQ4_0'.padEnd(24)} ${path}\n`);
    }
    return 0;
  },
};

