// Test sets through their command schemas and handlers on a real SQLite file: preview and mapping, imports
// with bad rows at exact file lines, all-or-nothing imports (a failing insert, a cancel), grid edits and
// paging, the JSONL round trip, and a 100k-row CSV.
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ulid } from '../../shared/ids';
import { testsetsCommands, type TestSetCommandName, type TestSetCommands } from '../../shared/testsets.schema';
import { migration0040 } from '../db/migrations/0040-test-sets';
import { migrations } from '../db/migrations/index';
import { openDb, type Db } from '../db/openDb';
import { ulids } from './rowIds';
import { testSetHandlers } from './testsets.handlers';
import { TestSetsRepo } from './testsets.repo';
import { TestSetsService } from './testsets.service';

// Until migrations/index.ts lists 0040, append it here.
const withTestSets = migrations.some((m) => m.version === 40) ? migrations : [...migrations, migration0040].sort((a, b) => a.version - b.version);

type In<N extends TestSetCommandName> = z.input<TestSetCommands[N]['input']>;
type Out<N extends TestSetCommandName> = z.output<TestSetCommands[N]['output']>;

interface Harness {
  db: Db;
  service: TestSetsService;
  repo: TestSetsRepo;
  /** Parses the input as the transport boundary does, and the output too, so the schemas are checked. */
  invoke<N extends TestSetCommandName>(name: N, input: In<N>): Promise<Out<N>>;
}

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const tmp = (prefix = 'lamplight-testsets-') => mkdtempSync(join(tmpdir(), prefix));

function harness(opts: ConstructorParameters<typeof TestSetsService>[1] = {}): Harness {
  const db = openDb(join(tmp(), 'lamplight.db'), withTestSets);
  dbs.push(db);
  const repo = new TestSetsRepo(db);
  const service = new TestSetsService(repo, opts);
  const handlers = testSetHandlers(service);
  return {
    db,
    service,
    repo,
    async invoke(name, input) {
      const parsed = testsetsCommands[name].input.parse(input);
      const out = await (handlers[name] as (i: unknown) => unknown)(parsed);
      return testsetsCommands[name].output.parse(out) as never;
    },
  };
}

const dir = tmp();
function fixture(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const PRODUCTS_CSV =
  '\uFEFFCustomer Name;2nd try;Question;Answer;Category\r\n' +
  'Ada;x;"What is ""CSV""?";"A format;\r\nwith lines";docs\r\n' +
  'Bob;y;Short;;\r\n' +
  'Cy;z;too;few\r\n' +
  '\r\n' +
  'Dee;w;Last;4;math\r\n';

describe('test sets', () => {
  it('creates STRICT tables and pages rows through the (test_set_id, position) index', () => {
    const { db } = harness();
    const sql = (name: string) => (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql;
    expect(sql('test_sets')).toMatch(/STRICT$/);
    expect(sql('test_set_rows')).toMatch(/STRICT$/);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM test_set_rows WHERE test_set_id = ? ORDER BY position LIMIT ? OFFSET ?')
      .all('x', 10, 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX test_set_rows_position/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('previews a CSV: delimiter, header, sample rows, bad rows, line count and a suggested mapping', async () => {
    const { invoke } = harness();
    const path = fixture('products.csv', PRODUCTS_CSV);
    const p = await invoke('testsets.preview', { path });
    expect(p).toMatchObject({ path, format: 'csv', delimiter: ';', lineCount: 7, lineCountExact: true });
    expect(p.columns).toEqual(['Customer Name', '2nd try', 'Question', 'Answer', 'Category']);
    expect(p.rows.map((r) => r.line)).toEqual([2, 4, 7]);
    expect(p.rows[0]?.values).toEqual({ 'Customer Name': 'Ada', '2nd try': 'x', Question: 'What is "CSV"?', Answer: 'A format;\r\nwith lines', Category: 'docs' });
    expect(p.bad).toEqual([{ line: 5, reason: 'expected 5 fields (as in the header), found 4' }]);
    expect(p.mapping).toEqual({
      variables: { 'Customer Name': 'customer_name', '2nd try': '_2nd_try', Question: 'Question' },
      expected: 'Answer',
      label: 'Category',
      images: [],
    });
    // The delimiter can be forced: with ',' this header is one column.
    const forced = await invoke('testsets.preview', { path, delimiter: ',' });
    expect(forced).toMatchObject({ delimiter: ',', columns: ['Customer Name;2nd try;Question;Answer;Category'] });
  });

  it('imports a CSV with its mapping, reports bad rows by file line, and keeps the report with the set', async () => {
    const { invoke } = harness();
    const path = fixture('import.csv', PRODUCTS_CSV);
    const { mapping } = await invoke('testsets.preview', { path });
    const r = await invoke('testsets.import', { path, name: 'Products', mapping: { ...mapping, variables: { ...mapping.variables, Question: 'question' } } });
    expect(r.imported).toBe(3);
    expect(r.bad).toEqual([{ line: 5, reason: 'expected 5 fields (as in the header), found 4' }]);
    expect(r.testSet).toMatchObject({ name: 'Products', variables: ['customer_name', '_2nd_try', 'question'], rowCount: 3 });

    const info = await invoke('testsets.get', { testSetId: r.testSet.id });
    expect(info.importReport).toMatchObject({ path, format: 'csv', delimiter: ';', imported: 3, badTotal: 1, bad: r.bad });
    const { rows, total } = await invoke('testsets.rows', { testSetId: info.id, offset: 0, limit: 10 });
    expect(total).toBe(3);
    expect(rows.map((x) => [x.variables, x.expected, x.label])).toEqual([
      [{ customer_name: 'Ada', _2nd_try: 'x', question: 'What is "CSV"?' }, 'A format;\r\nwith lines', 'docs'],
      // Empty expected and label cells are "none".
      [{ customer_name: 'Bob', _2nd_try: 'y', question: 'Short' }, null, null],
      [{ customer_name: 'Dee', _2nd_try: 'w', question: 'Last' }, '4', 'math'],
    ]);
    expect((await invoke('testsets.list', {})).map((s) => [s.name, s.rowCount])).toEqual([['Products', 3]]);
  });

  it('imports JSONL: broken lines, non-objects, an over-long line, invalid UTF-8 and missing columns are bad rows at their lines', async () => {
    const { invoke } = harness();
    const path = fixture(
      'qa.jsonl',
      Buffer.concat([
        Buffer.from('{"question": "2+2?", "answer": 4, "label": "math"}\n'), // 1
        Buffer.from('\n'), // 2 (skipped)
        Buffer.from('{"question": "broken", \n'), // 3
        Buffer.from('["not", "an", "object"]\n'), // 4
        Buffer.from(JSON.stringify({ question: 'q'.repeat(1 << 20), answer: 'a' }) + '\n'), // 5: over 1 MiB
        Buffer.from([0x7b, 0x22, 0x71, 0x75, 0x65, 0x73, 0x74, 0x69, 0x6f, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // 6: {"question":"\xff"}
        Buffer.from('{"answer": "no question"}\n'), // 7
        Buffer.from('{"question": "capital of France?", "answer": "Paris", "extra": true}\n'), // 8
        Buffer.from('{"question": null, "answer": null, "label": ""}'), // 9, no final newline
      ]),
    );
    const p = await invoke('testsets.preview', { path });
    expect(p.format).toBe('jsonl');
    expect(p.columns).toEqual(['question', 'answer', 'label', 'extra']);
    expect(p.mapping).toEqual({ variables: { question: 'question', extra: 'extra' }, expected: 'answer', label: 'label', images: [] });

    const mapping = { variables: { question: 'question' }, expected: 'answer', label: 'label' };
    const r = await invoke('testsets.import', { path, name: 'QA', mapping });
    let broken = '';
    try {
      JSON.parse('{"question": "broken", ');
    } catch (e) {
      broken = (e as Error).message;
    }
    expect(r.bad).toEqual([
      { line: 3, reason: `invalid JSON: ${broken}` },
      { line: 4, reason: 'expected a JSON object, found an array' },
      { line: 5, reason: 'line is longer than 1 MiB' },
      { line: 6, reason: 'not valid UTF-8' },
      { line: 7, reason: 'missing column "question"' },
    ]);
    expect(r.imported).toBe(3);
    const { rows } = await invoke('testsets.rows', { testSetId: r.testSet.id });
    expect(rows.map((x) => [x.variables, x.expected, x.label])).toEqual([
      [{ question: '2+2?' }, '4', 'math'],
      [{ question: 'capital of France?' }, 'Paris', null],
      [{ question: '' }, null, null],
    ]);
  });

  it('names the path when a file cannot be read, and refuses duplicate names and mappings a CSV cannot satisfy', async () => {
    const { invoke } = harness();
    const missing = join(dir, 'nope.csv');
    const mapping = { variables: { a: 'a' } };
    await expect(invoke('testsets.preview', { path: missing })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Cannot read ${missing}: no such file`,
    });
    await expect(invoke('testsets.import', { path: missing, name: 'x', mapping })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(missing),
    });
    await expect(invoke('testsets.import', { path: dir, name: 'x', mapping })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(dir) });

    const path = fixture('ab.csv', 'a,b\n1,2\n');
    await invoke('testsets.import', { path, name: 'Letters', mapping });
    await expect(invoke('testsets.import', { path, name: 'letters', mapping })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'name: a test set named "Letters" already exists',
    });
    await expect(invoke('testsets.create', { name: 'LETTERS' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(invoke('testsets.import', { path, name: 'c', mapping: { variables: { c: 'c' } } })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `mapping.variables.c: ${path} has no column "c" (its columns: a, b)`,
    });
    const allBad = fixture('bad.jsonl', '{\n[]\n');
    await expect(invoke('testsets.import', { path: allBad, name: 'bad', mapping })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^No row of .*bad\.jsonl could be imported \(2 bad\): line 1: invalid JSON: .*; line 2: expected a JSON object, found an array$/),
    });
    expect(testsetsCommands['testsets.import'].input.safeParse({ path, name: 'n', mapping: { variables: { a: '1a' } } }).success).toBe(false);
    expect(testsetsCommands['testsets.import'].input.safeParse({ path, name: 'n', mapping: { variables: { a: 'x', b: 'x' } } }).success).toBe(false);
    expect((await invoke('testsets.list', {})).map((s) => s.name)).toEqual(['Letters']);
  });

  it('stores nothing when an insert fails part-way through the import', async () => {
    const { invoke, db, repo } = harness();
    const lines = ['q,a', ...Array.from({ length: 2000 }, (_, i) => `question ${i},${i}`)];
    const path = fixture('fails.csv', lines.join('\n'));
    // The 1,501st row cannot be stored: the import must not keep the 1,500 before it.
    db.exec(`CREATE TEMP TRIGGER fail_mid_import BEFORE INSERT ON test_set_rows WHEN NEW.position = 1500
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    await expect(invoke('testsets.import', { path, name: 'Fails', mapping: { variables: { q: 'q' }, expected: 'a' } })).rejects.toThrow('disk says no');
    expect(db.prepare('SELECT count(*) AS n FROM test_sets').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM test_set_rows').get()).toEqual({ n: 0 });
    expect(repo.stagedCount()).toBe(0);

    db.exec('DROP TRIGGER temp.fail_mid_import');
    const ok = await invoke('testsets.import', { path, name: 'Fails', mapping: { variables: { q: 'q' }, expected: 'a' } });
    expect(ok.imported).toBe(2000);
    expect(repo.stagedCount()).toBe(0);
  });

  it('refuses an empty CSV, and imports a header-only one as an empty set', async () => {
    const { invoke } = harness();
    const empty = fixture('empty.csv', '\n\n');
    await expect(invoke('testsets.import', { path: empty, name: 'e', mapping: { variables: {} } })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `${empty} is empty: a CSV file needs a header row`,
    });
    const headerOnly = fixture('header.csv', 'topic,answer\r\n');
    const r = await invoke('testsets.import', { path: headerOnly, name: 'Template', mapping: { variables: { topic: 'topic' }, expected: 'answer' } });
    expect(r).toMatchObject({ imported: 0, bad: [], testSet: { variables: ['topic'], rowCount: 0 } });
  });

  it('stores nothing when the import is cancelled', async () => {
    const { invoke, db, service } = harness();
    const path = fixture('cancel.csv', ['q', ...Array.from({ length: 50_000 }, (_, i) => `q${i}`)].join('\n'));
    const importing = invoke('testsets.import', { path, name: 'Cancelled', mapping: { variables: { q: 'q' } }, importId: 'imp-1' });
    expect(service.runningImports()).toEqual(['imp-1']);
    expect(await invoke('testsets.cancelImport', { importId: 'imp-1' })).toEqual({ cancelled: true });
    await expect(importing).rejects.toMatchObject({ code: 'CONFLICT', message: `The import of ${path} was cancelled; nothing was stored` });
    expect(db.prepare('SELECT count(*) AS n FROM test_set_rows').get()).toEqual({ n: 0 });
    expect(await invoke('testsets.list', {})).toEqual([]);
    expect(await invoke('testsets.cancelImport', { importId: 'imp-1' })).toEqual({ cancelled: false });

    // Closing the service (before the database closes) cancels what is in flight.
    const closing = invoke('testsets.import', { path, name: 'Closing', mapping: { variables: { q: 'q' } } });
    service.close();
    await expect(closing).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(service.runningImports()).toEqual([]);
  });

  it('makes row ids in bulk in the ULID format', () => {
    const now = Date.UTC(2030, 0, 2, 3, 4, 5);
    const ids = ulids(10_000, now);
    expect(new Set(ids).size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ids[9_999]?.slice(0, 10)).toBe(ulid(now).slice(0, 10));
  });

  it('edits in the grid: add, update, delete, page in a stable order, add, rename and remove variables', async () => {
    const { invoke, db } = harness();
    const set = await invoke('testsets.create', { name: 'Grid', variables: ['topic', 'tone'] });
    expect(set).toMatchObject({ variables: ['topic', 'tone'], rowCount: 0, importReport: null });
    const added = [];
    for (let i = 0; i < 25; i++) added.push(await invoke('testsets.addRow', { testSetId: set.id, variables: { topic: `t${i}` }, expected: i % 2 ? `e${i}` : '' }));
    expect(added[0]).toMatchObject({ position: 0, variables: { topic: 't0', tone: '' }, expected: null, label: null });
    expect(added[1]).toMatchObject({ position: 1, expected: 'e1' });
    await expect(invoke('testsets.addRow', { testSetId: set.id, variables: { mood: 'x' } })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'variables.mood: test set "Grid" has no variable "mood" (its variables: topic, tone)',
    });

    const updated = await invoke('testsets.updateRow', { rowId: added[3]!.id, variables: { tone: 'dry' }, label: 'b' });
    expect(updated).toMatchObject({ variables: { topic: 't3', tone: 'dry' }, expected: 'e3', label: 'b' });
    expect(await invoke('testsets.updateRow', { rowId: added[3]!.id, expected: null })).toMatchObject({ expected: null, label: 'b' });
    expect(await invoke('testsets.deleteRow', { rowId: added[4]!.id })).toEqual({ removed: true });
    expect(await invoke('testsets.deleteRow', { rowId: added[4]!.id })).toEqual({ removed: false });
    await expect(invoke('testsets.updateRow', { rowId: 'nope', label: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const pages = [];
    for (let offset = 0; offset < 30; offset += 10) pages.push(await invoke('testsets.rows', { testSetId: set.id, offset, limit: 10 }));
    expect(pages.map((p) => p.rows.length)).toEqual([10, 10, 4]);
    expect(pages[0]?.total).toBe(24);
    const topics = pages.flatMap((p) => p.rows.map((r) => r.variables.topic));
    expect(topics).toEqual(Array.from({ length: 25 }, (_, i) => `t${i}`).filter((t) => t !== 't4'));
    const after = await invoke('testsets.addRow', { testSetId: set.id, variables: { topic: 'last' } });
    expect(after.position).toBe(25);

    await expect(invoke('testsets.renameVariable', { testSetId: set.id, from: 'tone', to: 'topic' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(invoke('testsets.renameVariable', { testSetId: set.id, from: 'mood', to: 'x' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^from: test set "Grid" has no variable "mood"/),
    });
    const renamed = await invoke('testsets.renameVariable', { testSetId: set.id, from: 'topic', to: 'subject.name' });
    expect(renamed.variables).toEqual(['subject.name', 'tone']);
    const withStyle = await invoke('testsets.addVariable', { testSetId: set.id, name: 'style' });
    expect(withStyle.variables).toEqual(['subject.name', 'tone', 'style']);
    const row3 = (await invoke('testsets.rows', { testSetId: set.id, offset: 3, limit: 1 })).rows[0];
    expect(row3).toMatchObject({ id: added[3]!.id, variables: { 'subject.name': 't3', tone: 'dry', style: '' } });
    expect(Object.keys(row3!.variables)).toEqual(['subject.name', 'tone', 'style']);
    // Stored rows carry every variable (evaluations copy variables_json as it is).
    const stored = db.prepare('SELECT variables_json AS v FROM test_set_rows WHERE test_set_id = ?').all(set.id) as { v: string }[];
    for (const { v } of stored) expect(Object.keys(JSON.parse(v) as object).sort()).toEqual(['style', 'subject.name', 'tone']);

    const withoutTone = await invoke('testsets.removeVariable', { testSetId: set.id, name: 'tone' });
    expect(withoutTone.variables).toEqual(['subject.name', 'style']);
    expect((await invoke('testsets.rows', { testSetId: set.id, offset: 3, limit: 1 })).rows[0]?.variables).toEqual({ 'subject.name': 't3', style: '' });
    expect(await invoke('testsets.get', { testSetId: set.id })).toMatchObject({ rowCount: 25 });

    expect(await invoke('testsets.remove', { testSetId: set.id })).toEqual({ removed: true });
    expect(db.prepare('SELECT count(*) AS n FROM test_set_rows WHERE test_set_id = ?').get(set.id)).toEqual({ n: 0 });
    await expect(invoke('testsets.get', { testSetId: set.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('round-trips: export to JSONL, import with the suggested mapping, same rows', async () => {
    const { invoke } = harness();
    const csv =
      'prompt,context,Expected Output,label\n' +
      '"He said ""hi""","line 1\nline 2",yes,pos\n' +
      'émoji 🎉,"a,b;c\td",,\n' +
      '"  spaces  ","",0,neg\n' +
      '"{""json"": true}","\r\nCRLF inside",maybe,\n';
    const src = fixture('roundtrip.csv', csv);
    const first = await invoke('testsets.import', { path: src, name: 'Original', mapping: (await invoke('testsets.preview', { path: src })).mapping });
    expect(first.imported).toBe(4);
    const out = join(dir, 'exported.jsonl');
    const exported = await invoke('testsets.exportJsonl', { testSetId: first.testSet.id, path: out });
    expect(exported).toEqual({ path: out, rows: 4, expectedKey: 'expected', labelKey: 'label' });
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('{"prompt":"He said \\"hi\\"","context":"line 1\\nline 2","expected":"yes","label":"pos"}');

    const preview = await invoke('testsets.preview', { path: out });
    const second = await invoke('testsets.import', { path: out, name: 'Copy', mapping: preview.mapping });
    expect(second.bad).toEqual([]);
    const rowsOf = async (id: string) =>
      (await invoke('testsets.rows', { testSetId: id, limit: 1000 })).rows.map(({ variables, expected, label }) => ({ variables, expected, label }));
    expect(second.testSet.variables).toEqual(first.testSet.variables);
    expect(await rowsOf(second.testSet.id)).toEqual(await rowsOf(first.testSet.id));
    expect((await rowsOf(first.testSet.id))[1]).toEqual({ variables: { prompt: 'émoji 🎉', context: 'a,b;c\td' }, expected: null, label: null });

    // A variable named "expected" keeps its name; the expected output moves aside, and says where.
    const grid = await invoke('testsets.create', { name: 'Clash', variables: ['expected'] });
    await invoke('testsets.addRow', { testSetId: grid.id, variables: { expected: 'a variable' }, expected: 'the output' });
    const clash = await invoke('testsets.exportJsonl', { testSetId: grid.id, path: join(dir, 'clash.jsonl') });
    expect(clash).toMatchObject({ expectedKey: '_expected', labelKey: 'label' });
    expect(readFileSync(clash.path, 'utf8')).toBe('{"expected":"a variable","_expected":"the output","label":null}\n');
    await expect(invoke('testsets.exportJsonl', { testSetId: grid.id, path: join(dir, 'no-such-dir', 'x.jsonl') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no-such-dir'),
    });
  });

  it('imports a 100k-row CSV by streaming it, in seconds', async () => {
    const { invoke } = harness();
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('id,question,context,answer\n');
    for (let i = 0; i < 100_000; i++) {
      const line = `${i},"What is ${i} + ${i}?","Row ${i}: some context, with a comma and ""quotes""",${2 * i}\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const preview = await invoke('testsets.preview', { path });
    expect(preview.lineCountExact).toBe(false);
    // Rows grow from ~55 to ~95 bytes down this file; the estimate averages its start and end.
    expect(Math.abs(preview.lineCount - 100_001) / 100_001).toBeLessThan(0.1);

    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const r = await invoke('testsets.import', { path, name: 'Big', mapping: preview.mapping });
    const ms = performance.now() - started;
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(
      `[testsets] imported ${r.imported} rows in ${ms.toFixed(0)} ms; heap ${(heapBefore / 2 ** 20).toFixed(0)} → ${(heapAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(r.imported).toBe(100_000);
    expect(r.bad).toEqual([]);
    expect(ms).toBeLessThan(10_000);

    const page = await invoke('testsets.rows', { testSetId: r.testSet.id, offset: 99_998, limit: 10 });
    expect(page.total).toBe(100_000);
    expect(page.rows.map((x) => [x.variables.id, x.expected])).toEqual([
      ['99998', '199996'],
      ['99999', '199998'],
    ]);
  });
});
