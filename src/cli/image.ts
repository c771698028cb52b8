// `lamplight image redact|scan FILE` — the image guard on a local file: OCR on this machine, the PII
// detectors (and the guard policy's custom rules) on what it read. scan prints findings with masked values
// only; redact writes the image with every finding painted black and no metadata.
import { readFile, writeFile } from 'node:fs/promises';
import { CoreError } from '../core/coreError';
import { parseFlags, UsageError, type Command } from './main';

export const imageCommand: Command = {
  summary: 'find (scan) or paint over (redact) personal numbers in an image, with OCR on this machine',
  usage: [
    'Usage: lamplight image scan FILE [--json]',
    '       lamplight image redact FILE --out FILE [--json]',
    '',
    'scan lists each finding as TYPE X,Y WxH MASKED (id_card, bank_card, phone, email, or a custom rule of',
    'the guard policy); raw values are never printed. --json prints {"file", "findings": [{"type", "box",',
    '"masked"}], "counts", "ocrMs"}.',
    'redact writes the image with each finding painted black (PNG, JPEG and WebP keep their format, GIF',
    'becomes PNG; no metadata) and lists the regions painted; --json prints {"file", "out", "regions":',
    '[{"type", "box"}], "counts", "ocrMs", "originalHash", "sentHash"}.',
    'OCR reads digits and Latin letters (English model): ID, card and phone numbers and e-mail are found;',
    'Chinese names and addresses are NOT, unless the guard policy names a Chinese (chi_sim) traineddata file.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { json: { type: 'boolean' }, out: { type: 'string' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'scan' && sub !== 'redact') throw new UsageError(sub ? `unknown subcommand "${sub}" (scan or redact)` : 'a subcommand is needed: scan or redact');
    if (!file) throw new UsageError(`image ${sub} needs a FILE`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'redact' && !values.out) throw new UsageError('image redact needs --out FILE (where the redacted image is written)');
    if (sub === 'scan' && values.out) throw new UsageError('--out applies to redact only (scan writes nothing)');

    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      ctx.err(`lamplight image: ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image' : `cannot read it (${(e as Error).message})`}\n`);
      return 1;
    }
    const guard = ctx.openCore().imageGuard;
    try {
      if (sub === 'scan') {
        const r = await guard.scan(bytes, file);
        if (values.json) ctx.out(JSON.stringify({ file, findings: r.findings, counts: r.counts, ocrMs: r.ocrMs }) + '\n');
        else {
          for (const f of r.findings) ctx.out(`${f.type}\t${f.box.x},${f.box.y} ${f.box.w}x${f.box.h}\t${f.masked}\n`);
          ctx.out(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}\n`);
        }
        return 0;
      }
      const out = values.out as string;
      const r = await guard.redact(bytes, file);
      await writeFile(out, r.data);
      if (values.json) {
        ctx.out(JSON.stringify({ file, out, regions: r.regions, counts: r.counts, ocrMs: r.ocrMs, originalHash: r.originalHash, sentHash: r.sentHash }) + '\n');
      } else {
        for (const g of r.regions) ctx.out(`${g.type}\t${g.box.x},${g.box.y} ${g.box.w}x${g.box.h}\n`);
        ctx.out(`${r.regions.length} region${r.regions.length === 1 ? '' : 's'} painted; written to ${out}\n`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      ctx.err(`lamplight image: ${e.message}\n`);
      return 1;
    }
  },
};
