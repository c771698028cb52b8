import type { ModelInfo } from '../shared/models.schema';
import { formatBytes, formatParams } from '../shared/format';
import { parseFlags, UsageError, type Command } from './main';

function table(models: ModelInfo[]): string {
  if (models.length === 0) return 'No models yet. Add one: lamplight models add FILE.gguf\n';
  const rows = models.map((m) => [
    m.id,
    m.fileName,
    m.metadata.architecture ?? '?',
    formatParams(m.metadata.parameterCount),
    m.metadata.fileType ?? '?',
    formatBytes(m.sizeBytes),
  ]);
  const head = ['ID', 'FILE', 'ARCH', 'PARAMS', 'TYPE', 'SIZE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export const modelsCommand: Command = {
  summary: 'add, scan and list local GGUF models',
  usage: [
    'Usage: lamplight models add FILE [--json]',
    '       lamplight models scan DIR [--json]',
    '       lamplight models list [--json]',
    '',
    'Adding reads the GGUF header (architecture, parameters, quantization, context length, chat template)',
    'and refuses files that are not GGUF, truncated or malformed, adapters, or of an architecture llama.cpp',
    'cannot load, naming the file and the reason (exit code 1). The sha256 is computed in the background.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { json: { type: 'boolean' } });
    const [sub, arg] = positionals;
    const core = ctx.openCore();
    const print = (v: unknown, text: string) => ctx.out(values.json ? JSON.stringify(v, null, 2) + '\n' : text);
    switch (sub) {
      case 'add': {
        if (!arg) throw new UsageError('models add needs a FILE');
        const m = await core.invoke('models.add', { path: arg });
        await core.models.idle(); // the sha256 is computed in the background; no command waits for it
        const fresh = (await core.invoke('models.list', {})).find((x) => x.id === m.id) ?? m;
        print(fresh, table([fresh]));
        return 0;
      }
      case 'scan': {
        if (!arg) throw new UsageError('models scan needs a DIR');
        const r = await core.invoke('models.scan', { dir: arg });
        print(r, table(r.added) + r.errors.map((e) => `skipped ${e.message}\n`).join(''));
        return r.added.length === 0 && r.errors.length > 0 ? 1 : 0;
      }
      case 'list': {
        const list = await core.invoke('models.list', {});
        print(list, table(list));
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "models ${sub}"` : 'models needs a subcommand: add, scan or list');
    }
  },
};
