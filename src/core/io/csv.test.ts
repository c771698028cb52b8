// The CSV reader on bytes cut at every possible place: RFC 4180 quoting, newlines inside quotes reported at
// the row's first line, CRLF, BOM, ; and tab delimiters, the line cap and invalid UTF-8 as bad rows, and a
// design check that rows come out while the source is still being read.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, readCsv } from './csv';
import { readLines, type Line } from './lineReader';
import type { TableItem } from './table';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(input: string | Buffer, opts: { chunk?: number; maxLineBytes?: number } = {}): Promise<TableItem[]> {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const items: TableItem[] = [];
  const lines = readLines(chunked(buf, opts.chunk ?? 64 * 1024), opts.maxLineBytes);
  for await (const batch of readCsv(lines, { maxRecordBytes: opts.maxLineBytes })) items.push(...batch);
  return items;
}

/** The same items whatever the chunk size: a chunk can end inside a quote, a CRLF, a BOM or a UTF-8 character. */
async function items(input: string | Buffer, maxLineBytes?: number): Promise<TableItem[]> {
  const whole = await collect(input, { maxLineBytes });
  for (const chunk of [1, 2, 3, 5, 8]) expect(await collect(input, { chunk, maxLineBytes }), `chunk ${chunk}`).toEqual(whole);
  return whole;
}

const rows = (its: TableItem[]) => its.filter((i) => i.kind === 'row').map((i) => ({ line: i.line, ...i.values }));
const bad = (its: TableItem[]) => its.filter((i) => i.kind === 'bad').map((i) => ({ line: i.line, reason: i.reason }));
const header = (its: TableItem[]) => its.find((i) => i.kind === 'header');

describe('CSV reader', () => {
  it('reads quoted fields, escaped quotes and newlines inside quotes, reporting each row at its first line', async () => {
    const csv = [
      'question,context,answer',
      '"What is 2+2?","He said ""four""",4',
      '"multi',
      'line, with comma",plain,"a',
      '',
      'b"',
      'last,"",',
    ].join('\n');
    const its = await items(csv);
    expect(header(its)).toEqual({ kind: 'header', line: 1, columns: ['question', 'context', 'answer'], delimiter: ',' });
    expect(rows(its)).toEqual([
      { line: 2, question: 'What is 2+2?', context: 'He said "four"', answer: '4' },
      { line: 3, question: 'multi\nline, with comma', context: 'plain', answer: 'a\n\nb' },
      { line: 7, question: 'last', context: '', answer: '' },
    ]);
    expect(bad(its)).toEqual([]);
  });

  it('handles CRLF, keeps a CRLF inside a quoted field, strips a UTF-8 BOM and skips blank lines', async () => {
    const csv = '\uFEFFname,notes\r\nAda,"line one\r\nline two"\r\n\r\nBob,plain\r\n';
    const its = await items(csv);
    expect(header(its)).toMatchObject({ columns: ['name', 'notes'] });
    expect(rows(its)).toEqual([
      { line: 2, name: 'Ada', notes: 'line one\r\nline two' },
      { line: 5, name: 'Bob', notes: 'plain' },
    ]);
  });

  it('detects ; and tab delimiters from the header, ignoring those inside quotes', async () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"x,y,z";b')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
    expect(detectDelimiter('a,b;c')).toBe(',');

    const semi = await items('produit;prix\n"pain; complet";2,50\nlait;1,10\n');
    expect(header(semi)).toMatchObject({ delimiter: ';' });
    expect(rows(semi)).toEqual([
      { line: 2, produit: 'pain; complet', prix: '2,50' },
      { line: 3, produit: 'lait', prix: '1,10' },
    ]);

    const tabs = await items('q\ta\n"tab\tinside"\tyes\nplain, with comma\tno\n');
    expect(header(tabs)).toMatchObject({ delimiter: '\t' });
    expect(rows(tabs)).toEqual([
      { line: 2, q: 'tab\tinside', a: 'yes' },
      { line: 3, q: 'plain, with comma', a: 'no' },
    ]);
  });

  it('names blank and repeated header cells', async () => {
    const its = await items('a, a ,,b\n1,2,3,4\n');
    expect(header(its)).toMatchObject({ columns: ['a', 'a_2', 'column_3', 'b'] });
  });

  it('reports rows with the wrong number of fields and an unclosed quote, and keeps reading', async () => {
    const csv = ['a,b', '1,2', '1,2,3', 'only', '3,4', '"open,5', '6,7'].join('\n');
    const its = await items(csv);
    expect(rows(its)).toEqual([
      { line: 2, a: '1', b: '2' },
      { line: 5, a: '3', b: '4' },
    ]);
    expect(bad(its)).toEqual([
      { line: 3, reason: 'expected 2 fields (as in the header), found 3' },
      { line: 4, reason: 'expected 2 fields (as in the header), found 1' },
      { line: 6, reason: 'a quoted field is not closed before the end of the file' },
    ]);
  });

  it('reports a line over the cap as a bad row without buffering it, and resumes on the next line', async () => {
    const long = 'x'.repeat(300);
    const its = await items(`a,b\n1,2\n${long},y\n3,4\n"${long}\n${long}",z\n5,6\n`, 256);
    expect(rows(its)).toEqual([
      { line: 2, a: '1', b: '2' },
      { line: 4, a: '3', b: '4' },
      { line: 7, a: '5', b: '6' },
    ]);
    // Lines 5 and 6 are one quoted row, but neither line can be read: each is reported on its own.
    expect(bad(its)).toEqual([
      { line: 3, reason: 'line is longer than 256 bytes' },
      { line: 5, reason: 'line is longer than 256 bytes' },
      { line: 6, reason: 'line is longer than 256 bytes' },
    ]);
  });

  it('caps a row that spans lines, so a missing closing quote cannot swallow the file', async () => {
    const lines = ['a,b', '"never closed,1', ...Array.from({ length: 50 }, (_, i) => `row ${i},${i}`)];
    const its = await items(lines.join('\n') + '\n', 256);
    // 16 bytes on line 2, 8 for each of rows 0–9, 10 for each after: line 29 (row 26) passes 256.
    expect(bad(its)[0]).toEqual({ line: 2, reason: 'the row runs over lines 2–29 past 256 bytes (a missing closing quote?)' });
    expect(rows(its)[0]).toEqual({ line: 30, a: 'row 27', b: '27' });
  });

  it('reports invalid UTF-8 as a bad row at its line, also inside a quoted field spanning lines', async () => {
    const buf = Buffer.concat([
      Buffer.from('a,b\nok,é\n'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2c, 0x31, 0x0a]), // line 3: bad\xff,1
      Buffer.from('"two\n'),
      Buffer.from([0x6c, 0x69, 0x6e, 0x65, 0xc3, 0x28, 0x22, 0x2c, 0x32, 0x0a]), // line 5: line\xc3(",2
      Buffer.from('fine,3\n'),
    ]);
    const its = await items(buf);
    expect(rows(its)).toEqual([
      { line: 2, a: 'ok', b: 'é' },
      { line: 6, a: 'fine', b: '3' },
    ]);
    expect(bad(its)).toEqual([
      { line: 3, reason: 'not valid UTF-8' },
      { line: 4, reason: 'line 5 is not valid UTF-8' },
    ]);
  });

  it('refuses an unusable header', async () => {
    await expect(collect('x'.repeat(300) + '\n1\n', { maxLineBytes: 256 })).rejects.toThrow('the header row (line 1) is unusable: line is longer than 256 bytes');
  });

  it('yields rows while the source is still being read: memory is one chunk and one line, not the file', async () => {
    let produced = 0;
    // An endless CSV: reading it whole would never finish.
    const endless = new Readable({
      read() {
        let chunk = produced === 0 ? 'id,text\n' : '';
        for (let i = 0; i < 100; i++) chunk += `${produced++},"row, ${produced}"\n`;
        this.push(chunk);
      },
    });
    const got: TableItem[] = [];
    outer: for await (const batch of readCsv(readLines(endless))) {
      for (const item of batch) {
        got.push(item);
        if (got.length === 1001) break outer;
      }
    }
    endless.destroy();
    expect(got[1000]).toEqual({ kind: 'row', line: 1001, values: { id: '999', text: 'row, 1000' } });
    expect(produced).toBeLessThan(100_000);
  });

  it('splits lines of any length across chunks and counts the bytes it read', async () => {
    const progress = { lines: 0, bytes: 0, done: false };
    const text = 'ab\r\n\ncd';
    const lines: Line[] = [];
    for await (const batch of readLines(chunked(Buffer.from(text), 1), 1024, progress)) lines.push(...batch);
    expect(lines.map((l) => [l.number, l.text, l.eol])).toEqual([
      [1, 'ab', '\r\n'],
      [2, '', '\n'],
      [3, 'cd', ''],
    ]);
    expect(progress).toEqual({ lines: 3, bytes: text.length, done: true });
  });
});
