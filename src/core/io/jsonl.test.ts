// The JSONL reader: one object per line, blank lines skipped, and every broken line reported at its exact
// file line with the JSON parser's own message.
import { describe, expect, it } from 'vitest';
import { readJsonl } from './jsonl';
import { readLines } from './lineReader';
import type { TableItem } from './table';

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

async function items(input: string | Buffer, maxLineBytes?: number): Promise<TableItem[]> {
  const out: TableItem[] = [];
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  for await (const batch of readJsonl(readLines(once(buf), maxLineBytes))) out.push(...batch);
  return out;
}

/** What JSON.parse says about this text on the running Node, as the reader should pass it on. */
function parserMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message.replace(/\s*\(line \d+ column (\d+)\)$/, ' (column $1)');
  }
  throw new Error(`${text} parses`);
}

describe('JSONL reader', () => {
  it('reads objects, skips blank lines, reports broken lines with exact line numbers and reasons', async () => {
    const lines = [
      '{"q": "one", "a": "1"}', // 1
      '', // 2
      '{"q": "two", "a": 2, "meta": {"k": [1, 2]}, "none": null, "ok": true}', // 3
      '{"q": "three", ', // 4
      '[1, 2]', // 5
      '   ', // 6
      '"just a string"', // 7
      '42', // 8
      'null', // 9
      '{"q": "four"}}', // 10
      '\t{"q": "five"}  ', // 11
    ];
    const its = await items(lines.join('\r\n') + '\n\n');
    expect(its.filter((i) => i.kind === 'row').map((i) => ({ line: i.line, ...i.values }))).toEqual([
      { line: 1, q: 'one', a: '1' },
      { line: 3, q: 'two', a: '2', meta: '{"k":[1,2]}', none: null, ok: 'true' },
      { line: 11, q: 'five' },
    ]);
    expect(its.filter((i) => i.kind === 'bad')).toEqual([
      { kind: 'bad', line: 4, reason: `invalid JSON: ${parserMessage('{"q": "three", ')}` },
      { kind: 'bad', line: 5, reason: 'expected a JSON object, found an array' },
      { kind: 'bad', line: 7, reason: 'expected a JSON object, found a string' },
      { kind: 'bad', line: 8, reason: 'expected a JSON object, found a number' },
      { kind: 'bad', line: 9, reason: 'expected a JSON object, found null' },
      { kind: 'bad', line: 10, reason: `invalid JSON: ${parserMessage('{"q": "four"}}')}` },
    ]);
    expect(parserMessage('{"q": "three", ')).toMatch(/JSON/);
  });

  it('reports an over-long line and invalid UTF-8 at their lines, and reads on', async () => {
    const long = JSON.stringify({ q: 'x'.repeat(2000) });
    const buf = Buffer.concat([
      Buffer.from('\uFEFF{"q": "first"}\n'),
      Buffer.from(long + '\n'),
      Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d, 0x0a]), // {"q":"\xc0\xaf"}
      Buffer.from('{"q": "after"}'),
    ]);
    const its = await items(buf, 1024);
    expect(its).toEqual([
      { kind: 'row', line: 1, values: { q: 'first' } },
      { kind: 'bad', line: 2, reason: 'line is longer than 1 KiB' },
      { kind: 'bad', line: 3, reason: 'not valid UTF-8' },
      { kind: 'row', line: 4, values: { q: 'after' } },
    ]);
  });

  it('keeps a key named __proto__ as a plain column', async () => {
    const [item] = await items('{"__proto__": "p", "x": "1"}\n');
    expect(item?.kind === 'row' && Object.keys(item.values)).toEqual(['__proto__', 'x']);
  });
});
