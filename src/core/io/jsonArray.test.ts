import { describe, expect, it } from 'vitest';
import { JsonArrayByteSplitter, JsonArraySplitter, type JsonElement } from './jsonArray';

function splitText(text: string, max = 1 << 20): JsonElement[] {
  const s = new JsonArraySplitter(max);
  return [...s.push(text), ...s.end()];
}

function splitBytes(bytes: Buffer, step: number, max = 1 << 20): JsonElement[] {
  const s = new JsonArrayByteSplitter('utf-8', max);
  const out: JsonElement[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(...s.push(bytes.subarray(i, i + step)));
  out.push(...s.end());
  return out;
}

const TRICKY = [
  '[',
  '  {"a": "x, y ] } {", "b": [1, 2, {"c": "\\"quoted\\" \\\\"}]},',
  '  {"text": "中文 ✓ 😀", "n": null},',
  '',
  '  "just a string",',
  '  42',
  ']',
  '',
].join('\n');

describe('JsonArraySplitter', () => {
  it('yields each top-level element with the line it starts on', () => {
    const out = splitText(TRICKY);
    expect(out.map((e) => e.line)).toEqual([2, 3, 5, 6]);
    expect(out.map((e) => JSON.parse(e.text as string))).toEqual([
      { a: 'x, y ] } {', b: [1, 2, { c: '"quoted" \\' }] },
      { text: '中文 ✓ 😀', n: null },
      'just a string',
      42,
    ]);
    expect(out.every((e) => e.error === null)).toBe(true);
  });

  it('gives the same elements when fed one byte at a time (characters and escapes split across chunks)', () => {
    const bytes = Buffer.from(TRICKY, 'utf8');
    const whole = splitText(TRICKY);
    for (const step of [1, 2, 3, 7]) expect(splitBytes(bytes, step)).toEqual(whole);
  });

  it('counts every line, whitespace-only ones included', () => {
    const s = new JsonArraySplitter(1000);
    s.push(TRICKY);
    s.end();
    expect(s.lines).toBe(TRICKY.split('\n').length - 1);
  });

  it('handles an empty array, a trailing comma and no final newline', () => {
    expect(splitText('[]')).toEqual([]);
    expect(splitText('[ ]\n')).toEqual([]);
    expect(splitText('[{"a":1},]').map((e) => e.text)).toEqual(['{"a":1}']);
  });

  it('leaves a broken element to JSON.parse and still yields the ones after it', () => {
    const out = splitText('[\n{"a": 1},\n{"b": 2,, "c": 3},\n{"d": 4}\n]');
    expect(out.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(() => JSON.parse(out[1]?.text as string)).toThrow();
    expect(JSON.parse(out[2]?.text as string)).toEqual({ d: 4 });
  });

  it('reports an element over the cap without keeping it, and goes on', () => {
    const big = 'x'.repeat(5000);
    const text = `[\n{"a":"${big}"},\n{"b":1}\n]`;
    const out = splitBytes(Buffer.from(text), 512, 1024);
    expect(out).toEqual([
      { line: 2, text: null, error: 'the element is longer than 1 KiB' },
      { line: 3, text: '{"b":1}', error: null },
    ]);
    // Multi-byte text is measured in bytes: 400 CJK characters are 1200 bytes.
    const cjk = splitText(`[{"a":"${'中'.repeat(400)}"}]`, 1024);
    expect(cjk[0]?.error).toBe('the element is longer than 1 KiB');
  });

  it('reports an unfinished element, text after the array and a file that is not an array', () => {
    expect(splitText('[\n{"a": 1},\n{"b": [1, 2')).toEqual([
      { line: 2, text: '{"a": 1}', error: null },
      { line: 3, text: null, error: 'the element is not complete at the end of the file (a missing "]" or "}"?)' },
    ]);
    expect(splitText('[1]\n\nextra')).toEqual([
      { line: 1, text: '1', error: null },
      { line: 3, text: null, error: 'unexpected text after the end of the JSON array' },
    ]);
    expect(splitText('\n{"a":1}')).toEqual([{ line: 2, text: null, error: 'expected a JSON array: the file does not start with "["' }]);
  });

  it('skips a BOM before the array', () => {
    expect(splitBytes(Buffer.from('\uFEFF[{"a":1}]', 'utf8'), 1).map((e) => e.text)).toEqual(['{"a":1}']);
  });
});
