// `lamplight pii scan|mask FILE` — the egress PII detectors over a local text file, with the custom rules
// of the stored guard policy. One masker serves the whole file, so a value keeps its placeholder
// throughout. Nothing is sent anywhere; scan shows redacted forms only, never the raw values.
import { readFileSync } from 'node:fs';
import { compilePiiRules, PiiMasker, type CompiledPiiRule } from '../shared/piiMask';
import { parseFlags, UsageError, type CliContext, type Command } from './main';

/** The custom rules of the stored guard policy; a policy that cannot be read is reported, not fatal. */
async function customRules(ctx: CliContext): Promise<CompiledPiiRule[]> {
  let rules;
  try {
    const policy = await ctx.openCore().invoke('guard.getPolicy', {});
    rules = policy.pii.customRules;
  } catch (e) {
    ctx.err(`lamplight pii: note: custom rules not read from the guard policy (${(e as Error).message}); using the built-in detectors only\n`);
    return [];
  }
  // A stored rule that no longer compiles is the policy's fault: say which one.
  return compilePiiRules(rules);
}

export const piiCommand: Command = {
  summary: 'find or mask PII (ID and bank cards, phones, emails, custom rules) in a text file',
  usage: [
    'Usage: lamplight pii scan FILE [--json] [--no-custom]',
    '       lamplight pii mask FILE [--no-custom]',
    '',
    'scan lists each finding as LINE:START-END KIND REDACTED PLACEHOLDER, with 1-based line numbers and',
    '0-based start/end columns (UTF-16 units) in that line. --json prints JSON Lines instead: one object per',
    'finding, {"line", "kind", "start", "end", "redacted", "placeholder"}. Raw values are never printed.',
    'mask prints the file with every finding replaced by a placeholder ([ID_1], [CARD_1], [PHONE_1],',
    '[EMAIL_1], [RULE_NAME_1]); the same value gets the same placeholder throughout the file. A count per',
    'kind goes to stderr.',
    'Both apply the custom rules of the stored guard policy; --no-custom uses the built-in detectors only.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.args, { json: { type: 'boolean' }, 'no-custom': { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'scan' && sub !== 'mask') throw new UsageError(sub ? `unknown subcommand "${sub}" (scan or mask)` : 'a subcommand is needed: scan or mask');
    if (!file) throw new UsageError(`pii ${sub} needs a FILE`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'mask' && values.json) throw new UsageError('--json applies to scan only');

    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      ctx.err(`lamplight pii: cannot read ${file}: ${(e as Error).message}\n`);
      return 1;
    }
    // Read as UTF-8, UTF-16 would come out as noise with no findings: a clean result that is not true.
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.subarray(0, 8192).includes(0)) {
      ctx.err(`lamplight pii: ${file} is not UTF-8 text (UTF-16 or binary); convert it to UTF-8 first\n`);
      return 1;
    }
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

    const masker = new PiiMasker(values['no-custom'] ? [] : await customRules(ctx));
    // Split on \n only: a \r stays at the end of its line, so columns and `mask` output keep the file's endings.
    const lines = text.split('\n');
    if (sub === 'mask') {
      ctx.out(lines.map((l) => masker.mask(l).text).join('\n'));
      const counts = Object.entries(masker.counts()).map(([k, n]) => `${k} ${n}`);
      ctx.err(`masked ${counts.length ? counts.join(', ') : 'nothing'}\n`);
      return 0;
    }
    let total = 0;
    lines.forEach((l, i) => {
      for (const f of masker.mask(l).findings) {
        total++;
        const row = { line: i + 1, kind: f.kind, start: f.start, end: f.end, redacted: f.redacted, placeholder: f.placeholder };
        ctx.out(values.json ? JSON.stringify(row) + '\n' : `${row.line}:${row.start}-${row.end}\t${row.kind}\t${row.redacted}\t${row.placeholder}\n`);
      }
    });
    if (!values.json) ctx.out(`${total} finding${total === 1 ? '' : 's'}\n`);
    return 0;
  },
};
