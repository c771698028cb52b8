import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRecord } from '../../../shared/datasets.record';
import { CoreError } from '../../errors';
import { openDatasetFile, type DatasetFile, type DatasetItem, type OpenDatasetOptions } from './source';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamplight-ds-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

async function readAll(path: string, opts?: OpenDatasetOptions) {
  const f = await openDatasetFile(path, opts);
  const batches: DatasetItem[][] = [];
  try {
    for await (const b of f.items) batches.push(b);
  } finally {
    await f.close();
  }
  const items = batches.flat();
  const rows = items.flatMap((i) => (i.kind === 'row' ? [{ line: i.line, record: DatasetRecord.parse(i.record) }] : []));
  const bad = items.flatMap((i) => (i.kind === 'bad' ? [{ line: i.line, reason: i.reason }] : []));
  return { file: f as DatasetFile, batches, rows, bad };
}

async function failure(p: Promise<unknown>): Promise<CoreError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof CoreError)) throw new Error(`expected a CoreError, got ${String(e)}`);
  return e;
}

const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string) => ({ role: 'assistant' as const, content });
const jsonl = (...objs: unknown[]) => objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';

describe('format and container detection', () => {
  it('messages JSONL', async () => {
    const { file: f, rows } = await readAll(await file('m.jsonl', jsonl({ messages: [u('q'), a('a')] })));
    expect([f.container, f.format, f.encoding, f.bom]).toEqual(['jsonl', 'messages', 'utf-8', false]);
    expect(rows).toEqual([{ line: 1, record: { messages: [u('q')], response: 'a', chosen: null, rejected: null } }]);
    expect(f.progress).toMatchObject({ done: true, lines: 1 });
    expect(f.progress.bytes).toBe(f.sizeBytes);
  });

  it('alpaca as a JSON array, with the line each element starts on', async () => {
    const text = '[\n  {\n    "instruction": "Q1",\n    "output": "A1"\n  },\n  {"instruction": "Q2", "input": "x", "output": "A2"}\n]\n';
    const { file: f, rows } = await readAll(await file('a.json', text));
    expect([f.container, f.format]).toEqual(['json', 'alpaca']);
    expect(rows.map((r) => [r.line, r.record.messages.at(-1)?.content, r.record.response])).toEqual([
      [2, 'Q1', 'A1'],
      [6, 'Q2\n\nx', 'A2'],
    ]);
    expect(f.progress.lines).toBe(7);
  });

  it('sharegpt and preference (Lamplight and TRL styles)', async () => {
    const sg = await readAll(await file('s.jsonl', jsonl({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] })));
    expect(sg.file.format).toBe('sharegpt');
    expect(sg.rows[0]?.record.response).toBe('a');
    const pref = await readAll(await file('p.jsonl', jsonl({ messages: [u('q')], chosen: 'y', rejected: 'n' }, { prompt: 'q2', chosen: 'y2', rejected: 'n2' })));
    expect(pref.file.format).toBe('preference');
    expect(pref.rows.map((r) => r.record)).toEqual([
      { messages: [u('q')], response: null, chosen: 'y', rejected: 'n' },
      { messages: [u('q2')], response: null, chosen: 'y2', rejected: 'n2' },
    ]);
  });

  it('columns from flat JSON objects with a suggested or given mapping', async () => {
    const p = await file('c.jsonl', jsonl({ question: 'q', answer: 'a', id: 1 }));
    expect((await readAll(p)).rows[0]?.record).toEqual({ messages: [u('q')], response: 'a', chosen: null, rejected: null });
    const given = await readAll(p, { mapping: { prompt: 'answer', response: 'question', system: null, chosen: null, rejected: null } });
    expect(given.rows[0]?.record.messages).toEqual([u('a')]);
  });

  it('CSV with quoted newlines, and TSV', async () => {
    const csv = 'question,answer\n"multi\nline, with comma","says ""hi"""\nq2,a2\n';
    const c = await readAll(await file('t.csv', csv));
    expect([c.file.container, c.file.format]).toEqual(['csv', 'columns']);
    expect(c.rows).toEqual([
      { line: 2, record: { messages: [u('multi\nline, with comma')], response: 'says "hi"', chosen: null, rejected: null } },
      { line: 4, record: { messages: [u('q2')], response: 'a2', chosen: null, rejected: null } },
    ]);
    const t = await readAll(await file('t.tsv', 'instruction\tinput\toutput\nQ\t\tA, with comma\n'));
    expect(t.file.format).toBe('alpaca');
    expect(t.rows[0]?.record).toEqual({ messages: [u('Q')], response: 'A, with comma', chosen: null, rejected: null });
  });

  it('CSV cells holding JSON for a structured format', async () => {
    const t = await readAll(await file('m.csv', `messages\n"${JSON.stringify([u('q'), a('a')]).replace(/"/g, '""')}"\n`), { format: 'messages' });
    expect(t.rows[0]?.record).toEqual({ messages: [u('q')], response: 'a', chosen: null, rejected: null });
  });

  it('a .json file that is really JSON lines', async () => {
    const { file: f, rows } = await readAll(await file('lines.json', jsonl({ messages: [u('q')] })));
    expect([f.container, rows.length]).toEqual(['jsonl', 1]);
  });
});

describe('bad items', () => {
  it('reports invalid JSON, missing fields and unknown roles with their lines, and reads on', async () => {
    const text = jsonl(
      { instruction: 'ok', output: 'fine' },
      '{"instruction": "broken", ',
      '',
      { instruction: 'no output' },
      '[1, 2]',
      { instruction: 'ok2', output: 'fine2' },
    );
    const { rows, bad } = await readAll(await file('bad.jsonl', text));
    expect(rows.map((r) => r.line)).toEqual([1, 6]);
    expect(bad).toEqual([
      { line: 2, reason: expect.stringMatching(/^invalid JSON: .+/) as unknown as string },
      { line: 4, reason: 'missing field "output"' },
      { line: 5, reason: 'expected a JSON object, found an array' },
    ]);
  });

  it('reports an unknown ShareGPT role by path', async () => {
    const turns = [
      { from: 'human', value: 'q' },
      { from: 'gpt', value: 'a' },
      { from: 'bot', value: 'x' },
    ];
    const { bad } = await readAll(await file('role.jsonl', jsonl({ conversations: turns.slice(0, 2) }, { conversations: turns })));
    expect(bad).toEqual([{ line: 2, reason: 'conversations[2].from: unknown role "bot"' }]);
  });

  it('reports a 17 MiB line without failing the file', async () => {
    const long = JSON.stringify({ messages: [u('x'.repeat(17 * 1024 * 1024))] });
    const { rows, bad } = await readAll(await file('long.jsonl', jsonl({ messages: [u('a')] }, long, { messages: [u('b')] })));
    expect(rows.map((r) => r.line)).toEqual([1, 3]);
    expect(bad).toEqual([{ line: 2, reason: 'line is longer than 16 MiB' }]);
  });

  it('a JSON array with a broken element in the middle still yields the others', async () => {
    const text = '[\n{"messages": [{"role": "user", "content": "a"}]},\n{"messages": [{"role": "user", "content": "b"},]},\n{"messages": [{"role": "user", "content": "c"}]}\n]';
    const { rows, bad } = await readAll(await file('broken.json', text));
    expect(rows.map((r) => [r.line, r.record.messages[0]?.content])).toEqual([
      [2, 'a'],
      [4, 'c'],
    ]);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.line).toBe(3);
    expect(bad[0]?.reason).toMatch(/^invalid JSON: ./);
  });

  it('names the file line inside a multi-line element', async () => {
    const { bad } = await readAll(await file('ml.json', '[\n{\n  "instruction": "q",\n  "output": oops\n}\n]'), { format: 'alpaca' });
    expect(bad).toEqual([{ line: 2, reason: expect.stringMatching(/^invalid JSON: ./) as unknown as string }]);
  });

  it('yields one batch per chunk read', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => ({ messages: [u(`question ${i} ${'pad'.repeat(20)}`)] }));
    const { batches, rows } = await readAll(await file('many.jsonl', jsonl(...lines)));
    expect(rows).toHaveLength(3000);
    expect(batches.length).toBeGreaterThan(2);
    expect(rows.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
  });
});

describe('encodings', () => {
  it('skips a UTF-8 BOM', async () => {
    const { file: f, rows } = await readAll(await file('bom.jsonl', `\uFEFF${jsonl({ messages: [u('中文')] })}`));
    expect([f.bom, f.encoding]).toEqual([true, 'utf-8']);
    expect(rows[0]?.record.messages).toEqual([u('中文')]);
    const arr = await readAll(await file('bom.json', `\uFEFF[${JSON.stringify({ messages: [u('x')] })}]`));
    expect([arr.file.bom, arr.rows.length]).toEqual([true, 1]);
  });

  // "中文" in GBK/GB18030 is D6 D0 CE C4.
  const gbLine = (prefix: string, suffix: string) => Buffer.from([...Buffer.from(prefix), 0xd6, 0xd0, 0xce, 0xc4, ...Buffer.from(suffix)]);

  it('detects and decodes GB18030 in JSONL, a JSON array and CSV', async () => {
    const body = Buffer.concat([gbLine('{"instruction": "', '", "output": "ok"}\n'), gbLine('{"instruction": "2', '", "output": "ok"}\n')]);
    const j = await readAll(await file('gb.jsonl', body));
    expect(j.file.encoding).toBe('gb18030');
    expect(j.rows.map((r) => r.record.messages[0]?.content)).toEqual(['中文', '2中文']);
    const arr = await readAll(await file('gb.json', Buffer.concat([Buffer.from('[\n'), gbLine('{"instruction": "', '", "output": "ok"}\n'), Buffer.from(']\n')])));
    expect([arr.file.encoding, arr.rows[0]?.record.messages[0]?.content]).toEqual(['gb18030', '中文']);
    const csv = await readAll(await file('gb.csv', Buffer.concat([Buffer.from('prompt,response\n'), gbLine('', ',a\n')])));
    expect([csv.file.encoding, csv.rows[0]?.record.messages[0]?.content]).toEqual(['gb18030', '中文']);
  });

  it('finds GB18030 after a long ASCII start, and reports a line that is not', async () => {
    const ascii = jsonl(...Array.from({ length: 2000 }, (_, i) => ({ prompt: `english ${i}`, response: 'x' })));
    const chinese = Array.from({ length: 5 }, (_, i) => gbLine(`{"prompt": "${i}`, '"}\n'));
    const p = await file('late.jsonl', Buffer.concat([Buffer.from(ascii), ...chinese, Buffer.from([0x7b, 0xff, 0xff, 0x7d, 0x0a])]));
    const { file: f, rows, bad } = await readAll(p);
    expect(f.encoding).toBe('gb18030');
    expect(rows.at(-1)).toEqual({ line: 2005, record: { messages: [u('4中文')], response: null, chosen: null, rejected: null } });
    expect(bad).toEqual([{ line: 2006, reason: 'not valid GB18030' }]);
  });

  it('uses a forced encoding', async () => {
    const p = await file('forced.jsonl', Buffer.concat([Buffer.from('{"prompt": "ascii"}\n'), gbLine('{"prompt": "', '"}\n')]));
    expect((await readAll(p)).file.encoding).toBe('gb18030');
    const { file: f, bad } = await readAll(p, { encoding: 'utf-8' });
    expect(f.encoding).toBe('utf-8');
    expect(bad).toEqual([{ line: 2, reason: 'not valid UTF-8' }]);
  });
});

describe('whole-file problems', () => {
  it('missing file and folder are NOT_FOUND', async () => {
    const missing = await failure(openDatasetFile(join(dir, 'nope.jsonl')));
    expect([missing.code, missing.message]).toEqual(['NOT_FOUND', `Cannot read ${join(dir, 'nope.jsonl')}: no such file`]);
    await mkdir(join(dir, 'folder'), { recursive: true });
    expect((await failure(openDatasetFile(join(dir, 'folder')))).code).toBe('NOT_FOUND');
  });

  it('UTF-16, an empty CSV, columns without a prompt field and an undetectable format are BAD_INPUT', async () => {
    const utf16 = await failure(openDatasetFile(await file('u16.jsonl', Buffer.from([0xff, 0xfe, 0x7b, 0x00]))));
    expect([utf16.code, utf16.message]).toEqual(['BAD_INPUT', `${join(dir, 'u16.jsonl')}: the file is UTF-16 text: save it as UTF-8 and import it again`]);
    expect((await failure(openDatasetFile(await file('empty.csv', '')))).message).toContain('needs a header row');
    const cols = await failure(openDatasetFile(await file('cols.jsonl', jsonl({ id: 1, label: 'x' }))));
    expect(cols.message).toBe(`${join(dir, 'cols.jsonl')}: choose which field holds the prompt (fields: "id", "label")`);
    const wrong = await failure(
      openDatasetFile(await file('cols2.jsonl', jsonl({ id: 1 })), { mapping: { prompt: 'text', response: null, system: null, chosen: null, rejected: null } }),
    );
    expect(wrong.message).toContain('the prompt field "text" is not in the file');
    const junk = await failure(openDatasetFile(await file('junk.jsonl', 'not json\nat all\n')));
    expect(junk.message).toContain('cannot tell the format');
    const notArray = await failure(openDatasetFile(await file('obj.json', '{"a": 1}'), { container: 'json' }));
    expect(notArray.message).toContain('not a JSON array');
  });

  it('an empty file with a forced format has no items', async () => {
    const { rows, bad } = await readAll(await file('empty.jsonl', ''), { format: 'messages' });
    expect([rows, bad]).toEqual([[], []]);
  });
});
