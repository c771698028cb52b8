// `lamplight adapter check`: a LoRA adapter file against a base model file, before anything loads either.
// Works on the files directly; needs no database.
import { checkAdapterFiles } from '../core/adapters/adapterInspect';
import { parseFlags, UsageError, type Command } from './main';

export const adapterCommand: Command = {
  summary: 'check a LoRA adapter GGUF against a base model GGUF (architecture, sizes, every tensor shape)',
  usage: [
    'Usage: lamplight adapter check --model FILE --adapter FILE [--json]',
    '',
    'Exits 0 with a summary when the adapter fits the model; 1 with the first mismatching tensor and both',
    'shapes when it does not.',
  ].join('\n'),
  async run(ctx) {
    const { positionals, values } = parseFlags(ctx.args, {
      model: { type: 'string' },
      adapter: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, ...extra] = positionals;
    if (sub !== 'check') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'give a subcommand: check');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!values.model) throw new UsageError('--model FILE is required');
    if (!values.adapter) throw new UsageError('--adapter FILE is required');
    const check = await checkAdapterFiles(values.adapter, values.model);
    if (values.json) ctx.out(JSON.stringify(check, null, 2) + '\n');
    else if (check.compatible) ctx.out(`compatible: ${check.summary}\n`);
    else ctx.err(`incompatible: ${check.reason}\n  adapter: ${check.summary}\n`);
    return check.compatible ? 0 : 1;
  },
};
