// `lamplight score` through main() with captured output, on temp files.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main';

const dir = mkdtempSync(join(tmpdir(), 'lamplight-score-'));
const dataDir = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `f${n++}.txt`);
  writeFileSync(p, content);
  return p;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--data-dir', dataDir, ...argv], { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

// The sacreBLEU README example (github.com/mjpost/sacrebleu README.md), as files.
const hyp = file("The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
const ref1 = file('The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n');
const ref2 = file('The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n');

describe('lamplight score bleu', () => {
  it('prints sacreBLEU\'s summary line for the README example and opens no database', async () => {
    const r = await cli('score', 'bleu', '--hyp', hyp, '--ref', ref1, '--ref', ref2);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)\n');
    expect(existsSync(join(dataDir, 'lamplight.db'))).toBe(false);
  });

  it('--json carries the statistics', async () => {
    const r = await cli('score', 'bleu', '--hyp', hyp, '--ref', ref1, '--ref', ref2, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { metric: string; score: number; sysLen: number; refLen: number; lines: number; nrefs: number; signature: string };
    expect(j.metric).toBe('bleu');
    expect(Math.abs(j.score - 48.530827)).toBeLessThan(1e-6);
    expect([j.sysLen, j.refLen, j.lines, j.nrefs]).toEqual([17, 18, 3, 2]);
    expect(j.signature).toBe('nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp');
  });

  it('reads CRLF files and a missing final newline like sacreBLEU (lines are right-stripped)', async () => {
    const crlfHyp = file("The dog bit the man.\r\nIt wasn't surprising.\r\nThe man had just bitten him.");
    const r = await cli('score', 'bleu', '--hyp', crlfHyp, '--ref', ref1, '--ref', ref2);
    expect(r.out).toBe('BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)\n');
  });

  it('--lowercase makes the score case-insensitive', async () => {
    const h = file('The Dog BIT the man.\n');
    const rf = file('the dog bit the MAN.\n');
    expect((await cli('score', 'bleu', '--hyp', h, '--ref', rf)).out).toContain('BLEU = 9.65 ');
    expect((await cli('score', 'bleu', '--hyp', h, '--ref', rf, '--lowercase')).out).toContain('BLEU = 100.00 ');
  });

  it('an empty line in one reference file is skipped; empty in all is an error', async () => {
    // sacreBLEU README.md "Variable Number of References".
    const partial = file('\nIt was not unexpected.\nThe man bit him first.\n');
    const ok = await cli('score', 'bleu', '--hyp', hyp, '--ref', partial, '--ref', ref2);
    expect(ok.out).toBe('BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)\n');
    const blank = file('The dog bit the man.\n   \nx\n');
    const bad = await cli('score', 'bleu', '--hyp', hyp, '--ref', blank);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('line 2: every reference is empty');
    expect(bad.err).toContain(blank);
  });
});

describe('lamplight score rouge', () => {
  // Cases from rouge-score's rouge_scorer_test.py (google-research/google-research rouge/): per line,
  // "testing" -> rouge1 P 1 R 1/3 F 1/2 and "testing one" -> P 1 R 2/3 F 4/5 against "testing one two".
  const h = file('testing\ntesting one\n');
  const rf = file('testing one two\ntesting one two\n');

  it('prints the mean of each type over lines', async () => {
    const r = await cli('score', 'rouge', '--hyp', h, '--ref', rf);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      [
        'ROUGE, mean over 2 lines, stemming off',
        '        precision    recall  fmeasure',
        'rouge1   1.000000  0.500000  0.650000',
        'rouge2   0.500000  0.250000  0.333333',
        'rougeL   1.000000  0.500000  0.650000',
        '',
      ].join('\n'),
    );
  });

  it('--json with several references takes the best F-measure per type (score_multi)', async () => {
    // rouge_scorer_test.py testRougeAllMulti: refs "first text" / "first something", prediction "text first".
    const r = await cli('score', 'rouge', '--hyp', file('text first\n'), '--ref', file('first text\n'), '--ref', file('first something\n'), '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as Record<string, { fmeasure: number }> & { aggregation: string; nrefs: number };
    expect(j.aggregation).toBe('mean');
    expect(j.nrefs).toBe(2);
    expect([j.rouge1?.fmeasure, j.rouge2?.fmeasure, j.rougeL?.fmeasure]).toEqual([1, 0, 0.5]);
  });

  it('--stem uses rouge-score\'s Porter stemming', async () => {
    // rouge-score tokenizers_test.py: "the friends had a meeting" -> the friend had a meet.
    const args = ['score', 'rouge', '--hyp', file('friend meet\n'), '--ref', file('the friends had a meeting\n'), '--json'];
    const plain = JSON.parse((await cli(...args)).out) as { rouge1: { recall: number } };
    const stemmed = JSON.parse((await cli(...args, '--stem')).out) as { rouge1: { recall: number }; stem: boolean };
    expect(plain.rouge1.recall).toBe(0);
    expect(stemmed.rouge1.recall).toBeCloseTo(2 / 5, 12);
    expect(stemmed.stem).toBe(true);
  });
});

describe('lamplight score errors', () => {
  it('--help explains both metrics and the ROUGE aggregation', async () => {
    const r = await cli('score', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: lamplight score bleu');
    expect(r.out).toContain('plain mean over lines');
    expect(r.out).toContain('bootstrap');
    expect((await cli('--help')).out).toMatch(/^ {2}score\b/m);
  });

  it.each([
    [[], 'score needs a metric: bleu or rouge'],
    [['meteor', '--hyp', hyp, '--ref', ref1], 'unknown metric "meteor"'],
    [['bleu', '--ref', ref1], '--hyp FILE is required'],
    [['bleu', '--hyp', hyp], 'at least one --ref FILE is required'],
    [['bleu', '--hyp', hyp, '--ref', ref1, '--stem'], '--stem applies to rouge only'],
    [['rouge', '--hyp', hyp, '--ref', ref1, '--lowercase'], '--lowercase applies to bleu only'],
    [['bleu', '--hyp', hyp, '--ref', ref1, '--bogus'], '--bogus'],
    [['bleu', 'extra', '--hyp', hyp, '--ref', ref1], 'unexpected argument "extra"'],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await cli('score', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('Usage: lamplight score');
  });

  it('a missing file exits 1 and names it', async () => {
    const missing = join(dir, 'nope.txt');
    const r = await cli('score', 'bleu', '--hyp', hyp, '--ref', missing);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot read --ref file "${missing}": no such file`);
    mkdirSync(join(dir, 'adir'));
    const d = await cli('score', 'rouge', '--hyp', join(dir, 'adir'), '--ref', ref1);
    expect(d.code).toBe(1);
    expect(d.err).toContain('it is a directory');
  });

  it('a line-count mismatch exits 1 and names both files and their counts', async () => {
    const short = file('one line\n');
    for (const metric of ['bleu', 'rouge']) {
      const r = await cli('score', metric, '--hyp', hyp, '--ref', ref1, '--ref', short);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`--hyp "${hyp}" has 3 lines, --ref "${short}" has 1`);
    }
  });

  it('an empty hypothesis file or invalid UTF-8 exits 1', async () => {
    const empty = file('');
    expect((await cli('score', 'bleu', '--hyp', empty, '--ref', file(''))).err).toContain(`--hyp file "${empty}" has no lines`);
    const latin1 = file(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const r = await cli('score', 'rouge', '--hyp', latin1, '--ref', file('cafe\n'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`--hyp file "${latin1}" is not valid UTF-8`);
  });
});
