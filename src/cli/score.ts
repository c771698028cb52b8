// `lamplight score bleu|rouge`: text-similarity metrics over plain-text files, one segment per line, as
// sacreBLEU's and rouge-score's command lines read them. Needs no database.
import { readFileSync } from 'node:fs';
import { corpusBleu, formatBleu } from '../shared/metrics/bleu';
import { pyFixed, pyRstrip } from '../shared/metrics/pyCompat';
import { meanRouge, rougeScore, ROUGE_TYPES, type RougeResult } from '../shared/metrics/rouge';
import { parseFlags, UsageError, type Command } from './main';

interface Segments {
  file: string;
  lines: string[];
}

/** Lines as both tools read them: split on \n only, no extra empty line for a final newline. */
function readSegments(flag: string, file: string): Segments {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`cannot read ${flag} file "${file}": ${why}`);
  }
  let text: string;
  try {
    // Python opens these as UTF-8 and fails on bad bytes; so do we, rather than score U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${flag} file "${file}" is not valid UTF-8`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { file, lines };
}

function checkParallel(hyp: Segments, refs: Segments[]): void {
  if (hyp.lines.length === 0) throw new Error(`--hyp file "${hyp.file}" has no lines`);
  for (const ref of refs) {
    if (ref.lines.length !== hyp.lines.length) {
      throw new Error(
        `line counts differ: --hyp "${hyp.file}" has ${hyp.lines.length} lines, --ref "${ref.file}" has ${ref.lines.length}`,
      );
    }
  }
}

function rougeTable(mean: RougeResult): string {
  const rows = ROUGE_TYPES.map((t) => [t, pyFixed(mean[t].precision, 6), pyFixed(mean[t].recall, 6), pyFixed(mean[t].fmeasure, 6)]);
  const head = ['', 'precision', 'recall', 'fmeasure'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export const scoreCommand: Command = {
  summary: 'score hypotheses against references with BLEU (sacreBLEU) or ROUGE (rouge-score)',
  usage: [
    'Usage: lamplight score bleu  --hyp FILE --ref FILE [--ref FILE…] [--lowercase] [--json]',
    '       lamplight score rouge --hyp FILE --ref FILE [--ref FILE…] [--stem] [--json]',
    '',
    'Plain UTF-8 text files, one segment per line; every --ref file needs as many lines as --hyp.',
    '',
    'bleu   corpus BLEU over all lines exactly as sacreBLEU 2.x computes it by default: 13a tokenizer,',
    '       n-grams 1–4, exp smoothing, closest reference length. Lines are right-stripped; an empty',
    '       reference line is skipped for that segment (a variable number of references).',
    '       --lowercase   case-insensitive BLEU (sacreBLEU -lc)',
    'rouge  ROUGE-1, ROUGE-2 and ROUGE-L (sentence-level LCS, not rougeLsum) as Google\'s rouge-score',
    '       computes them. Each line is scored on its own; with several --ref files each ROUGE type takes',
    '       the reference with the best F-measure (rouge-score\'s score_multi). The reported numbers are',
    '       the plain mean over lines. rouge-score\'s own command line reports the "mid" of a bootstrap',
    '       resampling instead, which lands close to, but not exactly on, this mean.',
    '       --stem        Porter-stem tokens longer than 3 characters (rouge-score use_stemmer)',
    '',
    '  --json   print the result as JSON',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, {
      hyp: { type: 'string' },
      ref: { type: 'string', multiple: true },
      stem: { type: 'boolean' },
      lowercase: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [metric, extra] = positionals;
    if (metric !== 'bleu' && metric !== 'rouge') {
      throw new UsageError(metric ? `unknown metric "${metric}": use bleu or rouge` : 'score needs a metric: bleu or rouge');
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (!values.hyp) throw new UsageError('--hyp FILE is required');
    const refFiles = values.ref ?? [];
    if (refFiles.length === 0) throw new UsageError('at least one --ref FILE is required');
    if (metric === 'bleu' && values.stem) throw new UsageError('--stem applies to rouge only');
    // rouge-score always lowercases, so the flag would change nothing there.
    if (metric === 'rouge' && values.lowercase) throw new UsageError('--lowercase applies to bleu only (rouge always lowercases)');

    const hyp = readSegments('--hyp', values.hyp);
    const refs = refFiles.map((f) => readSegments('--ref', f));
    checkParallel(hyp, refs);
    const print = (json: unknown, text: string) => ctx.out(values.json ? JSON.stringify(json, null, 2) + '\n' : text);

    if (metric === 'bleu') {
      const lowercase = values.lowercase ?? false;
      const streams = refs.map((r) => r.lines.map(pyRstrip));
      const empty = hyp.lines.findIndex((_, i) => streams.every((s) => s[i] === ''));
      if (empty >= 0) throw new Error(`line ${empty + 1}: every reference is empty (${refFiles.map((f) => `"${f}"`).join(', ')})`);
      const s = corpusBleu(hyp.lines.map(pyRstrip), streams, { lowercase });
      print(
        {
          metric: 'bleu',
          ...s,
          ratio: s.refLen ? s.sysLen / s.refLen : 0,
          lines: hyp.lines.length,
          nrefs: refs.length,
          signature: `nrefs:${refs.length}|case:${lowercase ? 'lc' : 'mixed'}|eff:no|tok:13a|smooth:exp`,
        },
        formatBleu(s) + '\n',
      );
      return 0;
    }

    const stem = values.stem ?? false;
    const perLine = hyp.lines.map((h, i) => rougeScore(h, refs.map((r) => r.lines[i] as string), { stem }));
    const mean = meanRouge(perLine);
    print(
      { metric: 'rouge', aggregation: 'mean', lines: hyp.lines.length, nrefs: refs.length, stem, ...mean },
      `ROUGE, mean over ${hyp.lines.length} line${hyp.lines.length === 1 ? '' : 's'}, stemming ${stem ? 'on' : 'off'}\n` + rougeTable(mean),
    );
    return 0;
  },
};
