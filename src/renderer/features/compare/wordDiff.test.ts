import { describe, expect, it } from 'vitest';
import { tokenize, wordDiff, type DiffSegment } from './wordDiff';

const shown = (segments: DiffSegment[]): string => segments.filter((s) => s.kind !== 'removed').map((s) => s.text).join('');
const marks = (segments: DiffSegment[]): [string, string][] => segments.filter((s) => s.kind !== 'same').map((s) => [s.kind, s.text]);

describe('tokenize', () => {
  it('keeps words, punctuation and whitespace apart', () => {
    expect(tokenize("Hello, world!  It's\n42.")).toEqual(['Hello', ',', ' ', 'world', '!', '  ', "It's", '\n', '42', '.']);
    expect(tokenize('')).toEqual([]);
  });
});

describe('wordDiff', () => {
  it('finds nothing between equal texts', () => {
    const d = wordDiff('The quick brown fox.', 'The quick brown fox.');
    expect(d.segments).toEqual([{ kind: 'same', text: 'The quick brown fox.' }]);
    expect(d).toMatchObject({ similarity: 1, marked: 0, approximate: false });
  });

  it('marks a replaced word as changed and remembers what it replaced', () => {
    const d = wordDiff('the quick brown fox', 'the quick red fox');
    expect(marks(d.segments)).toEqual([
      ['removed', 'brown'],
      ['changed', 'red'],
    ]);
    expect(d.marked).toBe(1);
    expect(d.similarity).toBeCloseTo(6 / 8);
  });

  it('marks inserted words as added, with the space between them inside one mark', () => {
    const d = wordDiff('a b c', 'a b x y c');
    expect(marks(d.segments)).toEqual([['added', 'x y']]);
    expect(shown(d.segments)).toBe('a b x y c');
  });

  it('reports words missing at the end', () => {
    const d = wordDiff('one two three', 'one two');
    expect(marks(d.segments)).toEqual([['removed', 'three']]);
    expect(d.marked).toBe(0);
  });

  it('ignores whitespace-only differences', () => {
    const d = wordDiff('a  b\n\nc', 'a b c');
    expect(d.marked).toBe(0);
    expect(d.similarity).toBe(1);
  });

  it('compares punctuation as its own token', () => {
    const d = wordDiff('Hello, world', 'Hello world');
    expect(marks(d.segments)).toEqual([['removed', ',']]);
    expect(d.marked).toBe(0);
  });

  it('handles empty sides', () => {
    expect(wordDiff('', 'new text')).toMatchObject({ segments: [{ kind: 'added', text: 'new text' }], marked: 2, similarity: 0 });
    expect(wordDiff('old text', '').segments).toEqual([{ kind: 'removed', text: 'old text' }]);
    expect(wordDiff('', '')).toMatchObject({ segments: [], similarity: 1 });
  });

  it('always gives the other text back exactly', () => {
    const a = 'Tides rise twice a day.\nThe moon pulls the sea; the sun helps.';
    const b = 'Tides  rise and fall twice daily.\n\nThe moon pulls the ocean, and the sun helps too!';
    const d = wordDiff(a, b);
    expect(shown(d.segments)).toBe(b);
    expect(marks(d.segments)).toContainEqual(['added', 'and fall']);
    expect(marks(d.segments)).toContainEqual(['changed', 'daily']);
  });

  it('keeps common prefix and suffix out of the table, and marks wholesale past the size limit', () => {
    const words = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
    const a = `start ${words(50, 'a')} end`;
    const b = `start ${words(50, 'b')} end`;
    const d = wordDiff(a, b, 100);
    expect(d.approximate).toBe(true);
    expect(d.marked).toBe(50);
    expect(shown(d.segments)).toBe(b);
    expect(d.segments[0]).toEqual({ kind: 'same', text: 'start ' });
    expect(wordDiff(a, b).approximate).toBe(false);
  });
});
