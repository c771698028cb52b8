import { describe, expect, it } from 'vitest';
import { computeBleu, corpusBleu, formatBleu, sentenceBleu, tokenize13a, type BleuOptions } from './bleu';
import { pyFixed } from './pyCompat';

// The README example of github.com/mjpost/sacrebleu (README.md, "Using SacreBLEU from Python"), also the
// fixture of its test/test_bleu.py.
const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

// sacreBLEU's compat.raw_corpus_bleu: no tokenization, floor smoothing, effective order.
const raw = (smoothValue?: number): BleuOptions => ({ tokenize: 'none', smoothMethod: 'floor', smoothValue, effectiveOrder: true });

describe('corpusBleu matches sacreBLEU', () => {
  // mjpost/sacrebleu README.md: `BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)`
  it('README example, printed exactly as sacreBLEU prints it', () => {
    const s = corpusBleu(hyps, refs);
    expect(formatBleu(s)).toBe('BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)');
    expect(s.sysLen).toBe(17);
    expect(s.refLen).toBe(18);
  });

  // mjpost/sacrebleu test/test_bleu.py, test_corpus_bleu_cases (EPSILON = 1e-8).
  it.each([
    ['default settings', hyps, {}, 48.530827],
    ['empty hypotheses are not removed', ['', '', ''], {}, 0.0],
    ["tokenize: 'none'", hyps, { tokenize: 'none' }, 49.1919566],
    ["tokenize: '13a'", hyps, { tokenize: '13a' }, 48.530827],
    ["smooth_method: 'none'", hyps, { smoothMethod: 'none' }, 48.530827],
  ] as const)('test_corpus_bleu: %s', (_name, h, opts, expected) => {
    expect(Math.abs(corpusBleu(h, refs, opts as BleuOptions).score - expected)).toBeLessThan(1e-8);
  });

  // mjpost/sacrebleu test/test_bleu.py, test_bleu_max_order (compared as f'{score:.2f}').
  it.each([
    [1, '77.65'],
    [2, '60.50'],
    [3, '53.93'],
    [4, '48.53'],
    [5, '46.14'],
    [6, '43.28'],
  ])('test_max_ngram_order: order %i -> %s', (order, expected) => {
    expect(pyFixed(corpusBleu(hyps, refs, { maxNgramOrder: order }).score, 2)).toBe(expected);
  });

  // mjpost/sacrebleu README.md, "Variable Number of References": an empty reference is skipped.
  it('variable number of references', () => {
    const variable = [['', refs[0]?.[1] ?? '', refs[0]?.[2] ?? ''], refs[1] ?? []];
    expect(formatBleu(corpusBleu(hyps, variable))).toBe('BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)');
  });

  // mjpost/sacrebleu test/test_bleu.py, test_raw_bleu_cases and test_effective_order (score / 100, EPSILON = 1e-8).
  it.each([
    [['this is a test', 'another test'], [['ref1', 'ref2']], 0.0],
    [['this is a test'], [['this is a test']], 1.0],
    [['this is a fest'], [['this is a test']], 0.223606797749979],
    [['test'], [['a test']], 0.3678794411714425],
    [['a test'], [['a test']], 1.0],
    [['a little test'], [['a test']], 0.03218297948685433],
  ])('raw_corpus_bleu(%j, %j, .01) = %f', (h, r, expected) => {
    expect(Math.abs(corpusBleu(h, r, raw(0.01)).score / 100 - expected)).toBeLessThan(1e-8);
  });

  // mjpost/sacrebleu test/test_bleu.py, test_case_statistics.
  it('test_statistics: clipped counts and totals', () => {
    const s = corpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], raw(0.01));
    expect(s.counts).toEqual([4, 2, 1, 0]);
    expect(s.totals).toEqual([6, 5, 4, 3]);
  });

  // mjpost/sacrebleu test/test_bleu.py, test_case_offset: floor smoothing 0.0 vs the 0.1 default.
  it('test_offset', () => {
    const h = ['am I am a character sequence'];
    const r = [['I am a symbol string sequence a a']];
    expect(corpusBleu(h, r, raw(0.0)).score / 100).toBe(0);
    expect(Math.abs(corpusBleu(h, r, raw()).score / 100 - 0.1555722182)).toBeLessThan(1e-8);
  });
});

describe('computeBleu matches sacreBLEU', () => {
  // mjpost/sacrebleu test/test_bleu.py, test_case_scoring (compute_bleu's default smoothing is 'none').
  it('test_scoring', () => {
    expect(Math.abs(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100 - 0.8375922397)).toBeLessThan(1e-8);
  });

  // mjpost/sacrebleu test/test_bleu.py, test_case_degenerate_stats (floor smoothing; exactly 0).
  it.each([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])('test_degenerate_statistics %j %j %i %i offset %f', (correct, total, sysLen, refLen, offset) => {
    expect(computeBleu(correct, total, sysLen, refLen, { smoothMethod: 'floor', smoothValue: offset }).score / 100).toBe(0);
  });
});

describe('sentenceBleu matches sacreBLEU', () => {
  // mjpost/sacrebleu test/test_sentence_bleu.py (example from issue #98, EPSILON = 1e-3, effective_order=True).
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
  it.each([
    ['exp', undefined, '13a', 8.493],
    ['none', undefined, '13a', 0.0],
    ['floor', undefined, '13a', 4.51688],
    ['floor', 0.1, '13a', 4.51688],
    ['floor', 0.5, '13a', 10.1],
    ['add-k', undefined, '13a', 14.882],
    ['add-k', 1, '13a', 14.882],
    ['add-k', 2, '13a', 21.389],
    ['exp', undefined, 'none', 7.347],
  ] as const)('smooth %s (%s), tokenize %s -> %f', (smoothMethod, smoothValue, tokenize, expected) => {
    expect(Math.abs(sentenceBleu(SYS, [REF], { smoothMethod, smoothValue, tokenize }).score - expected)).toBeLessThan(1e-3);
  });

  // mjpost/sacrebleu test/test_sentence_bleu.py, test_cases_zero_bleu (example from issue #141).
  it.each(['exp', 'none', 'floor', 'add-k'] as const)('no match scores 0 with %s smoothing', (smoothMethod) => {
    expect(sentenceBleu('this is a cat', ['okay thanks'], { smoothMethod }).score).toBe(0);
  });

  it('defaults to exp smoothing and effective order', () => {
    // A one-token hypothesis with an exact match is 100 only with effective order.
    expect(sentenceBleu('hello', ['hello']).score).toBeCloseTo(100, 9);
    expect(corpusBleu(['hello'], [['hello']]).score).toBe(0);
  });
});

describe('tokenize13a', () => {
  // Expected strings from sacreBLEU 2.6.0's Tokenizer13a (run locally to cross-check the port): non-ASCII
  // punctuation is not split, ASCII symbols are; periods and commas stay inside numbers.
  it.each([
    ['“Hello,” she said—it’s 3.5 km… (approx.)', '“Hello , ” she said—it’s 3.5 km… ( approx . )'],
    ['Price: $1,000.50-$2,000; 5-10 items & more!', 'Price : $ 1,000.50 - $ 2,000 ; 5 - 10 items & more !'],
    ['A&amp;B &lt;tag&gt; &quot;q&quot; <skipped>done', 'A & B < tag > " q " done'],
    ['Ünïcödé façade «quoted» ¿qué? ¡sí!', 'Ünïcödé façade «quoted» ¿qué ? ¡sí !'],
    ['3.14, 2,5 and 1-2-3.', '3.14 , 2,5 and 1 - 2 - 3 .'],
    ["don't stop", "don't stop"],
    ['hyphen-\nated\nline', 'hyphenated line'],
    // Python's str.split(): NBSP, U+001C and U+3000 separate tokens; U+FEFF does not.
    ['x\u00a0y\ufeffz\x1cw\u3000v', 'x y\ufeffz w v'],
  ])('%j', (input, expected) => {
    expect(tokenize13a(input)).toBe(expected);
  });

  it('unicode punctuation changes the score as in sacreBLEU', () => {
    // Cross-checked against sacreBLEU 2.6.0: counts [4, 1, 0, 0] / [7, 6, 5, 4], BP 0.6514390575310556.
    const s = corpusBleu(['“Hello,” she said—it’s fine.'], [['"Hello," she said - it\'s fine.']]);
    expect(s.counts).toEqual([4, 1, 0, 0]);
    expect(s.totals).toEqual([7, 6, 5, 4]);
    expect(Math.abs(s.score - 10.175282441454787)).toBeLessThan(1e-9);
    expect(formatBleu(s)).toBe('BLEU = 10.18 57.1/16.7/10.0/6.2 (BP = 0.651 ratio = 0.700 hyp_len = 7 ref_len = 10)');
  });
});

describe('edge cases', () => {
  it('an empty hypothesis scores 0 with BP 0', () => {
    const s = corpusBleu([''], [['a b c']]);
    expect(s.score).toBe(0);
    expect(s.bp).toBe(0);
    expect(formatBleu(s)).toBe('BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 0.000 ratio = 0.000 hyp_len = 0 ref_len = 3)');
  });

  it('no overlap scores 0', () => {
    expect(formatBleu(corpusBleu(['the cat'], [['dog']]))).toBe('BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 1.000 ratio = 2.000 hyp_len = 2 ref_len = 1)');
  });

  it('lowercase is off by default and an option', () => {
    expect(formatBleu(corpusBleu(['The Dog BIT the man.'], [['the dog bit the MAN.']]))).toBe(
      'BLEU = 9.65 33.3/10.0/6.2/4.2 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)',
    );
    expect(corpusBleu(['The Dog BIT the man.'], [['the dog bit the MAN.']], { lowercase: true }).score).toBeCloseTo(100, 9);
  });

  it('multiple references: counts clip against the max over references, BP uses the closest length', () => {
    // 'the' appears twice in ref B, so both hypothesis 'the's match; ref lengths 2 and 4 are equally
    // close to 3 and the shorter wins.
    const s = corpusBleu(['the the cat'], [['the cat'], ['the the dog x']], { smoothMethod: 'none' });
    expect(s.counts[0]).toBe(3);
    expect(s.refLen).toBe(2);
  });

  it('a segment whose references are all empty is an error, as in sacreBLEU', () => {
    expect(() => corpusBleu(['a'], [['']])).toThrow(/segment 1 has no non-empty reference/);
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/1 segments but there are 2 hypotheses/);
    expect(() => corpusBleu([], [[]])).toThrow(/at least one hypothesis/);
  });
});
