import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatasetContainer, DatasetEncoding, DatasetFormat, ExportFormat } from '../shared/datasets.record';
import type { RowFilterInput } from '../shared/datasets.schema';
import { parseFlags, UsageError, type Command } from './main';

const pick = <T extends string>(name: string, value: string | undefined, allowed: readonly T[], dflt: T | 'auto'): T | 'auto' => {
  if (value === undefined) return dflt;
  if (value === 'auto' || (allowed as readonly string[]).includes(value)) return value as T | 'auto';
  throw new UsageError(`--${name} must be one of: auto, ${allowed.join(', ')} (got "${value}")`);
};

export const datasetCommand: Command = {
  summary: 'import, export and list fine-tune datasets',
  usage: [
    'Usage: lamplight dataset import FILE [--name NAME] [--format auto|messages|alpaca|sharegpt|preference|csv]',
    '                                [--container auto|jsonl|json|csv] [--encoding auto|utf-8|gb18030] [--json]',
    '       lamplight dataset import-images DIR [--sidecar FILE.csv|FILE.jsonl] [--name NAME] [--prompt TEXT] [--json]',
    '       lamplight dataset export ID --format messages|alpaca-jsonl|alpaca-json|sharegpt|llamafactory|preference',
    '                                        |llamafactory-vision|messages-vision',
    '                                --out FILE [--status accepted|all|new|rejected|skipped] [--pii keep|mask|drop]',
    '                                [--drop-duplicates] [--json]',
    '       lamplight dataset list [--json]',
    '',
    'import prints the dataset id, rows imported and every bad line with its number and reason; the rest of',
    'the file imports. --format csv means a CSV/TSV file of prompt/response columns (mapped by their names).',
    'import-images stores every PNG/JPEG/WebP image of DIR (other files are listed as skipped); the sidecar',
    'maps file (or images) to prompt, answer or other fields. Any bad image or sidecar line: nothing imported.',
    'export writes accepted rows by default, in import order; the vision formats copy images to images/ beside it.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, {
      json: { type: 'boolean' },
      name: { type: 'string' },
      format: { type: 'string' },
      container: { type: 'string' },
      encoding: { type: 'string' },
      out: { type: 'string' },
      status: { type: 'string' },
      pii: { type: 'string' },
      'drop-duplicates': { type: 'boolean' },
      sidecar: { type: 'string' },
      prompt: { type: 'string' },
    });
    const [sub, arg] = positionals;
    const core = ctx.openCore();
    switch (sub) {
      case 'import': {
        if (!arg) throw new UsageError('dataset import needs a FILE');
        const csv = values.format === 'csv';
        const format = csv ? 'columns' : pick('format', values.format, DatasetFormat.options, 'auto');
        const container = csv ? 'csv' : pick('container', values.container, DatasetContainer.options, 'auto');
        const encoding = pick('encoding', values.encoding, DatasetEncoding.options, 'auto');
        const name = values.name ?? arg.split(/[\\/]/).pop()?.replace(/\.[^.]+$/, '') ?? arg;
        let mapping;
        if (format === 'columns') {
          const p = await core.invoke('datasets.preview', { path: arg, format, container, encoding });
          if (!p.mapping) throw new UsageError(`${arg}: no prompt column found (columns: ${p.fields.join(', ')})`);
          mapping = p.mapping;
        }
        const r = await core.invoke('datasets.import', { path: arg, name, format, container, encoding, ...(mapping ? { mapping } : {}) });
        const report = r.dataset.importReport;
        const out = { datasetId: r.dataset.id, name: r.dataset.name, format: report?.format, encoding: report?.encoding, imported: r.imported, badTotal: r.badTotal, bad: r.bad };
        if (values.json) ctx.out(JSON.stringify(out, null, 2) + '\n');
        else {
          ctx.out(`dataset ${r.dataset.id} "${r.dataset.name}": ${r.imported} rows imported (${report?.format}, ${report?.encoding}), ${r.badTotal} bad lines\n`);
          for (const b of r.bad) ctx.out(`  line ${b.line}: ${b.reason}\n`);
        }
        await core.datasets.idle();
        return 0;
      }
      case 'import-images': {
        if (!arg) throw new UsageError('dataset import-images needs a folder DIR');
        const name = values.name ?? arg.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? arg;
        const r = await core.invoke('datasets.importImages', { dir: arg, sidecar: values.sidecar ?? null, name, ...(values.prompt ? { prompt: values.prompt } : {}) });
        const out = { datasetId: r.dataset.id, name: r.dataset.name, imported: r.imported, images: r.images, skipped: r.skipped, notes: r.notes };
        if (values.json) ctx.out(JSON.stringify(out, null, 2) + '\n');
        else {
          ctx.out(`dataset ${r.dataset.id} "${r.dataset.name}": ${r.imported} rows, ${r.images} images, ${r.skipped.length} files skipped\n`);
          for (const s of r.skipped) ctx.out(`  ${s.file}: ${s.reason}\n`);
          for (const n of r.notes) ctx.out(`  ${n.file}: ${n.note}\n`);
        }
        await core.datasets.idle();
        return 0;
      }
      case 'export': {
        if (!arg) throw new UsageError('dataset export needs a dataset ID');
        if (!values.out) throw new UsageError('dataset export needs --out FILE');
        const fmt = values.format;
        if (!fmt || !(ExportFormat.options as readonly string[]).includes(fmt)) throw new UsageError(`--format must be one of: ${ExportFormat.options.join(', ')}`);
        const status = values.status ?? 'accepted';
        if (!['accepted', 'all', 'new', 'rejected', 'skipped'].includes(status)) throw new UsageError('--status must be accepted, all, new, rejected or skipped');
        const pii = values.pii ?? 'keep';
        if (!['keep', 'mask', 'drop'].includes(pii)) throw new UsageError('--pii must be keep, mask or drop');
        const filter: RowFilterInput = { status: status === 'all' ? null : (status as 'accepted') };
        // --out data/chat.json in a fresh folder: the user named the folder, so make it (the core refuses a missing one).
        const out = resolve(values.out);
        mkdirSync(dirname(out), { recursive: true });
        const r = await core.invoke('datasets.export', { datasetId: arg, format: fmt as ExportFormat, path: out, filter, pii: pii as 'keep', dropDuplicates: values['drop-duplicates'] ?? false });
        if (values.json) ctx.out(JSON.stringify(r, null, 2) + '\n');
        else ctx.out(`${r.rows} rows${r.images !== undefined ? ` and ${r.images} images` : ''} written to ${r.files.join(', ')} (skipped: ${r.skipped.noAnswer} without an answer, ${r.skipped.pii} with personal data, ${r.skipped.duplicate} duplicates)\n`);
        return 0;
      }
      case 'list': {
        const list = await core.invoke('datasets.list', {});
        if (values.json) ctx.out(JSON.stringify(list, null, 2) + '\n');
        else if (list.length === 0) ctx.out('No datasets yet. Import one: lamplight dataset import FILE\n');
        else for (const d of list) ctx.out(`${d.id}  ${d.name}  ${d.rowCount} rows\n`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "dataset ${sub}"` : 'dataset needs a subcommand: import, import-images, export or list');
    }
  },
};
