// NLTK's PorterStemmer (nltk/stem/porter.py, NLTK 3.x), ported rule for rule. rouge-score's
// DefaultTokenizer uses `porter.PorterStemmer()`, i.e. the default NLTK_EXTENSIONS mode; the other two
// modes are here so the differences can be checked, not because the metrics use them. Indexing is by
// UTF-16 unit, so words with characters outside the BMP can differ from Python (ROUGE passes [a-z0-9] only).

export type PorterMode = 'NLTK_EXTENSIONS' | 'MARTIN_EXTENSIONS' | 'ORIGINAL_ALGORITHM';

// A suffix rule: [suffix, replacement, condition on the stem left after removing the suffix].
// The suffix '*d' means "ends in a double consonant" (the stem is then the word less two letters).
type Rule = readonly [suffix: string, replacement: string, condition: ((stem: string) => boolean) | null];

// NLTK_EXTENSIONS only: irregular forms mapped straight to their stem.
const IRREGULAR_FORMS: Readonly<Record<string, readonly string[]>> = {
  sky: ['sky', 'skies'],
  die: ['dying'],
  lie: ['lying'],
  tie: ['tying'],
  news: ['news'],
  inning: ['innings', 'inning'],
  outing: ['outings', 'outing'],
  canning: ['cannings', 'canning'],
  howe: ['howe'],
  proceed: ['proceed'],
  exceed: ['exceed'],
  succeed: ['succeed'],
};
const POOL = new Map<string, string>(Object.entries(IRREGULAR_FORMS).flatMap(([stem, forms]) => forms.map((f) => [f, stem] as const)));

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

export class PorterStemmer {
  constructor(readonly mode: PorterMode = 'NLTK_EXTENSIONS') {}

  private isConsonant(word: string, i: number): boolean {
    const ch = word[i] as string;
    if (VOWELS.has(ch)) return false;
    if (ch === 'y') return i === 0 ? true : !this.isConsonant(word, i - 1);
    return true;
  }

  /** m in [C](VC){m}[V]: the number of vowel-consonant transitions. */
  private measure(stem: string): number {
    let cv = '';
    for (let i = 0; i < stem.length; i++) cv += this.isConsonant(stem, i) ? 'c' : 'v';
    return cv.split('vc').length - 1;
  }

  private hasPositiveMeasure = (stem: string): boolean => this.measure(stem) > 0;

  private containsVowel(stem: string): boolean {
    for (let i = 0; i < stem.length; i++) if (!this.isConsonant(stem, i)) return true;
    return false;
  }

  /** *d */
  private endsDoubleConsonant(word: string): boolean {
    return word.length >= 2 && word[word.length - 1] === word[word.length - 2] && this.isConsonant(word, word.length - 1);
  }

  /** *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK also accepts a two-letter vc word). */
  private endsCvc(word: string): boolean {
    const n = word.length;
    return (
      (n >= 3 &&
        this.isConsonant(word, n - 3) &&
        !this.isConsonant(word, n - 2) &&
        this.isConsonant(word, n - 1) &&
        !['w', 'x', 'y'].includes(word[n - 1] as string)) ||
      (this.mode === 'NLTK_EXTENSIONS' && n === 2 && !this.isConsonant(word, 0) && this.isConsonant(word, 1))
    );
  }

  /** The first rule whose suffix matches decides: applied if its condition holds, else the word stays. */
  private applyRuleList(word: string, rules: readonly Rule[]): string {
    for (const [suffix, replacement, condition] of rules) {
      if (suffix === '*d' && this.endsDoubleConsonant(word)) {
        const stem = word.slice(0, -2);
        return condition === null || condition(stem) ? stem + replacement : word;
      }
      if (word.endsWith(suffix)) {
        const stem = suffix === '' ? word : word.slice(0, -suffix.length);
        return condition === null || condition(stem) ? stem + replacement : word;
      }
    }
    return word;
  }

  private step1a(word: string): string {
    // NLTK: 'flies' -> 'fli' but 'dies' -> 'die'.
    if (this.mode === 'NLTK_EXTENSIONS' && word.endsWith('ies') && word.length === 4) return word.slice(0, -3) + 'ie';
    return this.applyRuleList(word, [
      ['sses', 'ss', null],
      ['ies', 'i', null],
      ['ss', 'ss', null],
      ['s', '', null],
    ]);
  }

  private step1b(word: string): string {
    // NLTK: 'spied' -> 'spi' but 'died' -> 'die'.
    if (this.mode === 'NLTK_EXTENSIONS' && word.endsWith('ied')) {
      return word.length === 4 ? word.slice(0, -3) + 'ie' : word.slice(0, -3) + 'i';
    }
    if (word.endsWith('eed')) {
      const stem = word.slice(0, -3);
      return this.measure(stem) > 0 ? stem + 'ee' : word;
    }
    let intermediate: string | null = null;
    for (const suffix of ['ed', 'ing']) {
      if (word.endsWith(suffix)) {
        const candidate = word.slice(0, -suffix.length);
        if (this.containsVowel(candidate)) {
          intermediate = candidate;
          break;
        }
      }
    }
    if (intermediate === null) return word;
    const stem = intermediate;
    const last = stem[stem.length - 1] as string;
    return this.applyRuleList(stem, [
      ['at', 'ate', null],
      ['bl', 'ble', null],
      ['iz', 'ize', null],
      ['*d', last, () => !['l', 's', 'z'].includes(last)],
      ['', 'e', (s) => this.measure(s) === 1 && this.endsCvc(s)],
    ]);
  }

  private step1c(word: string): string {
    // NLTK: y -> i only after a consonant that is not the whole stem ('happy' -> 'happi', 'enjoy' kept).
    const condition =
      this.mode === 'NLTK_EXTENSIONS'
        ? (stem: string) => stem.length > 1 && this.isConsonant(stem, stem.length - 1)
        : (stem: string) => this.containsVowel(stem);
    return this.applyRuleList(word, [['y', 'i', condition]]);
  }

  private step2(word: string): string {
    const pos = this.hasPositiveMeasure;
    if (this.mode === 'NLTK_EXTENSIONS' && word.endsWith('alli') && pos(word.slice(0, -4))) {
      // NLTK applies ALLI -> AL first and runs the result through step 2 again.
      return this.step2(word.slice(0, -4) + 'al');
    }
    const rules: Rule[] = [
      ['ational', 'ate', pos],
      ['tional', 'tion', pos],
      ['enci', 'ence', pos],
      ['anci', 'ance', pos],
      ['izer', 'ize', pos],
      this.mode === 'ORIGINAL_ALGORITHM' ? ['abli', 'able', pos] : ['bli', 'ble', pos],
      ['alli', 'al', pos],
      ['entli', 'ent', pos],
      ['eli', 'e', pos],
      ['ousli', 'ous', pos],
      ['ization', 'ize', pos],
      ['ation', 'ate', pos],
      ['ator', 'ate', pos],
      ['alism', 'al', pos],
      ['iveness', 'ive', pos],
      ['fulness', 'ful', pos],
      ['ousness', 'ous', pos],
      ['aliti', 'al', pos],
      ['iviti', 'ive', pos],
      ['biliti', 'ble', pos],
    ];
    if (this.mode === 'NLTK_EXTENSIONS') {
      rules.push(['fulli', 'ful', pos]);
      // The 'l' of 'logi' stays with the stem, so short stems like 'geo', 'theo' qualify.
      rules.push(['logi', 'log', () => pos(word.slice(0, -3))]);
    }
    if (this.mode === 'MARTIN_EXTENSIONS') rules.push(['logi', 'log', pos]);
    return this.applyRuleList(word, rules);
  }

  private step3(word: string): string {
    const pos = this.hasPositiveMeasure;
    return this.applyRuleList(word, [
      ['icate', 'ic', pos],
      ['ative', '', pos],
      ['alize', 'al', pos],
      ['iciti', 'ic', pos],
      ['ical', 'ic', pos],
      ['ful', '', pos],
      ['ness', '', pos],
    ]);
  }

  private step4(word: string): string {
    const gt1 = (stem: string) => this.measure(stem) > 1;
    return this.applyRuleList(word, [
      ['al', '', gt1],
      ['ance', '', gt1],
      ['ence', '', gt1],
      ['er', '', gt1],
      ['ic', '', gt1],
      ['able', '', gt1],
      ['ible', '', gt1],
      ['ant', '', gt1],
      ['ement', '', gt1],
      ['ment', '', gt1],
      ['ent', '', gt1],
      ['ion', '', (stem) => this.measure(stem) > 1 && ['s', 't'].includes(stem[stem.length - 1] as string)],
      ['ou', '', gt1],
      ['ism', '', gt1],
      ['ate', '', gt1],
      ['iti', '', gt1],
      ['ous', '', gt1],
      ['ive', '', gt1],
      ['ize', '', gt1],
    ]);
  }

  private step5a(word: string): string {
    // Both E rules are tried (unlike applyRuleList, which stops at the first matching suffix).
    if (word.endsWith('e')) {
      const stem = word.slice(0, -1);
      if (this.measure(stem) > 1) return stem;
      if (this.measure(stem) === 1 && !this.endsCvc(stem)) return stem;
    }
    return word;
  }

  private step5b(word: string): string {
    return this.applyRuleList(word, [['ll', 'l', () => this.measure(word.slice(0, -1)) > 1]]);
  }

  stem(word: string, toLowercase = true): string {
    let stem = toLowercase ? word.toLowerCase() : word;
    // NLTK looks the original word up but returns the entry for the lowercased one, as here.
    if (this.mode === 'NLTK_EXTENSIONS' && POOL.has(word)) return POOL.get(stem) as string;
    // Words of one or two letters are left alone (not in the published algorithm).
    if (this.mode !== 'ORIGINAL_ALGORITHM' && word.length <= 2) return stem;
    stem = this.step1a(stem);
    stem = this.step1b(stem);
    stem = this.step1c(stem);
    stem = this.step2(stem);
    stem = this.step3(stem);
    stem = this.step4(stem);
    stem = this.step5a(stem);
    stem = this.step5b(stem);
    return stem;
  }
}
