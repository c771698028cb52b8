import { describe, expect, it } from 'vitest';
import { lcsLength, meanRouge, rougeScore, rougeTokenize, type RougeScore } from './rouge';

// Python's assertAlmostEqual(a, b, places) passes when round(a - b, places) == 0.
const almost = (actual: number, expected: number, places = 7) => expect(Math.abs(actual - expected)).toBeLessThan(0.5 * 10 ** -places);
const prf = (s: RougeScore, precision: number, recall: number, fmeasure: number, places = 7) => {
  almost(s.precision, precision, places);
  almost(s.recall, recall, places);
  almost(s.fmeasure, fmeasure, places);
};

describe('rougeScore matches rouge-score', () => {
  // google-research/google-research rouge/rouge_scorer_test.py (rouge-score 0.1.2): testRouge1,
  // testRouge2, testRougeLConsecutive, testRougeLNonConsecutive, testRougeEmpty. rouge-score's score()
  // takes (target, prediction); rougeScore takes (prediction, references).
  it('testRouge1: target "testing one two", prediction "testing"', () => {
    prf(rougeScore('testing', 'testing one two').rouge1, 1, 1 / 3, 1 / 2);
  });

  it('testRouge2 and testRougeLConsecutive: prediction "testing one"', () => {
    const r = rougeScore('testing one', 'testing one two');
    prf(r.rouge2, 1, 1 / 2, 2 / 3);
    prf(r.rougeL, 1, 2 / 3, 4 / 5);
    prf(r.rouge1, 1, 2 / 3, 4 / 5); // testMultipleRougeTypes
  });

  it('testRougeLNonConsecutive: prediction "testing two"', () => {
    prf(rougeScore('testing two', 'testing one two').rougeL, 1, 2 / 3, 4 / 5);
  });

  it('testRougeEmpty: an empty prediction scores 0 everywhere', () => {
    const r = rougeScore('', 'testing one two');
    for (const s of [r.rouge1, r.rouge2, r.rougeL]) prf(s, 0, 0, 0);
  });

  // rouge_scorer_test.py testRouge1Multi and testRougeAllMulti (score_multi: best F-measure per type).
  it('testRouge1Multi and testRougeAllMulti', () => {
    prf(rougeScore('testing', ['testing one two']).rouge1, 1, 1 / 3, 1 / 2);
    const r = rougeScore('text first', ['first text', 'first something']);
    almost(r.rouge1.fmeasure, 1);
    almost(r.rouge2.fmeasure, 0);
    almost(r.rougeL.fmeasure, 0.5);
  });

  // rouge_scorer_test.py testRougeTokenizerInit.
  it('identical texts score 1', () => {
    expect(rougeScore('this is a test', 'this is a test').rouge1.fmeasure).toBe(1.0);
  });
});

describe('rougeScore against ROUGE-1.5.5 (rouge-score testdata)', () => {
  // google-research/google-research rouge/testdata/target.txt and prediction.txt, lines 1 and 2, read with
  // readlines() (so with their newline). Expected values are rouge_scorer_test.py's
  // testRouge{1,2,L}AgainstRouge155[WithStemming], "taken from manual runs of ROUGE-1.5.5", to 5 places.
  const targets = [
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
  ];
  const predictions = [
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
  ];
  const score = (i: 0 | 1, stem: boolean) => rougeScore(predictions[i] as string, targets[i] as string, { stem });

  it('rouge1 without and with stemming', () => {
    prf(score(0, false).rouge1, 0.6875, 0.40741, 0.51163, 5);
    prf(score(1, false).rouge1, 0.65385, 0.40476, 0.5, 5);
    prf(score(0, true).rouge1, 0.6875, 0.40741, 0.51163, 5);
    prf(score(1, true).rouge1, 0.69231, 0.42857, 0.52941, 5);
  });

  it('rouge2 without and with stemming', () => {
    for (const stem of [false, true]) {
      prf(score(0, stem).rouge2, 0.53333, 0.30769, 0.39024, 5);
      prf(score(1, stem).rouge2, 0.48, 0.29268, 0.36364, 5);
    }
  });

  it('rougeL', () => {
    prf(score(0, false).rougeL, 0.6875, 0.40741, 0.51163, 5);
    prf(score(1, false).rougeL, 0.65385, 0.40476, 0.5, 5);
  });
});

describe('rougeTokenize', () => {
  // rouge-score rouge_score/tokenize_test.py and tokenizers_test.py.
  it('lowercases and splits on non-alphanumerics', () => {
    expect(rougeTokenize('one Two three')).toEqual(['one', 'two', 'three']);
    expect(rougeTokenize('one\n Two \nthree')).toEqual(['one', 'two', 'three']);
    expect(rougeTokenize('this is a test')).toEqual(['this', 'is', 'a', 'test']);
  });

  it('stems only tokens longer than 3 characters, with NLTK-mode Porter', () => {
    expect(rougeTokenize('the friends had a meeting', true)).toEqual(['the', 'friend', 'had', 'a', 'meet']);
    // 'dies' is longer than 3 and is an NLTK_EXTENSIONS special case ('die'; 'di' in the original algorithm);
    // 'ies' is only 3 long and so not stemmed at all.
    expect(rougeTokenize('dies ies', true)).toEqual(['die', 'ies']);
  });

  it('drops non-ASCII letters and punctuation', () => {
    expect(rougeTokenize('Café “naïve” — résumé… 2024-05!')).toEqual(['caf', 'na', 've', 'r', 'sum', '2024', '05']);
  });
});

describe('edge cases', () => {
  it('no overlap scores 0; a reference with no tokens scores 0', () => {
    const r = rougeScore('alpha beta', 'gamma delta');
    for (const s of [r.rouge1, r.rouge2, r.rougeL]) prf(s, 0, 0, 0);
    const punct = rougeScore('alpha beta', '— … !');
    for (const s of [punct.rouge1, punct.rouge2, punct.rougeL]) prf(s, 0, 0, 0);
  });

  it('multiple references pick the best F-measure per type, first on ties', () => {
    const r = rougeScore('a b c d', ['a b x x', 'd c b a']);
    // rouge1: the second reference has all four unigrams; rouge2: only the first shares a bigram ("a b");
    // rougeL: LCS 2 vs 1, so the first.
    prf(r.rouge1, 1, 1, 1);
    prf(r.rouge2, 1 / 3, 1 / 3, 1 / 3);
    prf(r.rougeL, 0.5, 0.5, 0.5);
    expect(() => rougeScore('a', [])).toThrow(/at least one reference/);
  });

  it('lcsLength: rouge_scorer_test.py testLcsTable', () => {
    expect(lcsLength(['1', '2', '3', '4', '5'], ['2', '5', '3', '4'])).toBe(3);
    expect(lcsLength(['1', '2', '3', '4', '5'], ['8', '9'])).toBe(0);
  });

  it('meanRouge is the plain mean', () => {
    const m = meanRouge([rougeScore('testing', 'testing one two'), rougeScore('testing one two', 'testing one two')]);
    prf(m.rouge1, 1, 2 / 3, 3 / 4);
  });
});
