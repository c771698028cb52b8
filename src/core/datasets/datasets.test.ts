import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { nextEvent, openTestCore, tempDir } from '../testing/testCore';
import { messagesLine, writeMessagesFile } from './testing/files';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function setup(rows = 40, broken: Record<number, string> = {}) {
  const dir = tempDir('lamplight-ds-');
  core = openTestCore({ dataDir: dir });
  const path = writeMessagesFile(dir, rows, broken);
  const r = await core.invoke('datasets.import', { path, name: 'logs' });
  const profile = await core.invoke('profiles.create', { name: 'Ana' });
  return { c: core, dir, path, datasetId: r.dataset.id, import: r, profile };
}

describe('datasets: import', () => {
  it('imports the good lines, reports each bad one with its line number and reason, and stores the report', async () => {
    const { c, datasetId, import: r } = await setup(30, { 3: '{"messages": [', 7: '[1, 2]', 12: '{"messages":[{"role":"bot","content":"x"}]}' });
    expect(r.imported).toBe(30);
    expect(r.badTotal).toBe(3);
    expect(r.bad.map((b) => b.line)).toEqual([3, 7, 12]);
    expect(r.bad[0]?.reason).toMatch(/JSON/i);
    expect(r.bad[2]?.reason).toMatch(/bot/);
    const info = await c.invoke('datasets.get', { datasetId });
    expect(info.importReport?.bad).toHaveLength(3);
    expect(info.importReport?.format).toBe('messages');
    expect(info.statusCounts.new).toBe(30);
    const page = await c.invoke('datasets.rows', { datasetId, offset: 10, limit: 5 });
    expect(page.total).toBe(30);
    expect(page.rows.map((x) => x.ord)).toEqual([10, 11, 12, 13, 14]);
    expect(page.rows[0]?.prompt).toBe('Question 10 about topic 3');
    // Line numbers are file lines: row 10 sits after the 3 bad lines before it.
    expect(page.rows[0]?.line).toBe(14);
  });

  it('shows the dataset only when the import has finished, and a cancelled import leaves nothing', async () => {
    const dir = tempDir('lamplight-ds-');
    core = openTestCore({ dataDir: dir });
    const c = core;
    const path = writeMessagesFile(dir, 60_000);
    const seenDuring: number[] = [];
    const importing = c.invoke('datasets.import', { path, name: 'big', importId: 'IMP1' });
    await nextEvent(c, 'datasets.importProgress', (p) => p.importId === 'IMP1' && p.rows > 0);
    seenDuring.push((await c.invoke('datasets.list', {})).length);
    expect(await c.invoke('datasets.cancelImport', { importId: 'IMP1' })).toEqual({ cancelled: true });
    await expect(importing).rejects.toThrow(/cancelled; nothing was stored/);
    expect(seenDuring).toEqual([0]);
    await c.datasets.idle();
    expect(c.db.prepare('SELECT count(*) AS n FROM dataset_rows').get()).toEqual({ n: 0 });
    expect(c.db.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 0 });
    // The same name is free again.
    const ok = await c.invoke('datasets.import', { path: writeMessagesFile(dir, 5, {}, 'small.jsonl'), name: 'big' });
    expect(ok.imported).toBe(5);
  });

  it('refuses a file with no good line, naming the file and the first bad lines', async () => {
    const dir = tempDir('lamplight-ds-');
    core = openTestCore({ dataDir: dir });
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{oops\n{"nope": 1}\n');
    await expect(core.invoke('datasets.import', { path, name: 'x', format: 'messages' })).rejects.toThrow(/bad\.jsonl.*line 1/);
    await core.datasets.idle();
    expect((await core.invoke('datasets.list', {})).length).toBe(0);
  });
});

describe('datasets: search and filters', () => {
  it('finds substrings with the full-text index, CJK included, and short CJK words by scanning', async () => {
    const dir = tempDir('lamplight-ds-');
    core = openTestCore({ dataDir: dir });
    const c = core;
    const path = join(dir, 'zh.jsonl');
    const lines = [
      messagesLine('请把这段数据清洗一下', '好的，我会删除重复的行'),
      messagesLine('How do I rotate API keys?', 'Use the Targets view.'),
      messagesLine('明天北京的天气怎么样', '预计晴天，气温十五度'),
      ...Array.from({ length: 50 }, (_, i) => messagesLine(`filler ${i}`, `nothing ${i}`)),
    ];
    writeFileSync(path, lines.join('\n'));
    const { dataset } = await c.invoke('datasets.import', { path, name: 'zh' });
    // Before the index catches up, search still answers (by scanning).
    const early = await c.invoke('datasets.rows', { datasetId: dataset.id, filter: { search: '北京的天气' } });
    expect(early.rows.map((r) => r.ord)).toEqual([2]);
    await c.datasets.idle();
    expect((await c.invoke('datasets.get', { datasetId: dataset.id })).indexedRows).toBe(53);
    const q = (search: string) => c.invoke('datasets.rows', { datasetId: dataset.id, filter: { search } }).then((p) => p.rows.map((r) => r.ord));
    expect(await q('北京的天气')).toEqual([2]);
    expect(await q('重复的')).toEqual([0]);
    expect(await q('rotate api')).toEqual([1]);
    expect(await q('targets VIEW')).toEqual([1]);
    expect(await q('天气')).toEqual([2]);
    expect(await q('filler 4')).toEqual([7, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52]);
    expect(await q('"quoted"')).toEqual([]);
  });

  it('labels durably with undo, keeps per-labeler progress, validates labels, and an edited answer is searchable', async () => {
    const { c, datasetId, profile } = await setup(20);
    await c.datasets.idle();
    await c.invoke('datasets.setLabelSchema', { datasetId, schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech'] }, { name: 'flags', kind: 'multi', options: ['toxic', 'pii'] }] } });
    const first = (await c.invoke('datasets.rows', { datasetId, limit: 3 })).rows;
    const [a, b, d] = first.map((r) => r.id) as [number, number, number];
    await c.invoke('datasets.label', { datasetId, rowId: a, labelerId: profile.id, patch: { status: 'accepted', rating: 5, labels: { topic: 'tech', flags: ['pii'] } } });
    await c.invoke('datasets.label', { datasetId, rowId: b, labelerId: profile.id, patch: { status: 'rejected', note: 'off topic' } });
    const edited = await c.invoke('datasets.label', { datasetId, rowId: d, labelerId: profile.id, patch: { status: 'accepted', response: 'A zebracorn answer' } });
    expect(edited.record.response).toBe('A zebracorn answer');
    expect((await c.invoke('datasets.rows', { datasetId, filter: { search: 'zebracorn' } })).rows.map((r) => r.id)).toEqual([d]);
    expect((await c.invoke('datasets.rows', { datasetId, filter: { label: 'flags=pii' } })).rows.map((r) => r.id)).toEqual([a]);
    expect((await c.invoke('datasets.rows', { datasetId, filter: { label: 'topic=tech', status: 'accepted' } })).rows.map((r) => r.id)).toEqual([a]);
    await expect(c.invoke('datasets.label', { datasetId, rowId: a, labelerId: profile.id, patch: { labels: { topic: 'sports' } } })).rejects.toThrow(/"sports" is not an option of "topic"/);
    let info = await c.invoke('datasets.get', { datasetId });
    expect(info.labelers).toEqual([expect.objectContaining({ labelerId: profile.id, name: 'Ana', labeled: 3, accepted: 2, rejected: 1, skipped: 0 })]);
    // Undo takes back the edit: the old answer is back, in the index too.
    const undone = await c.invoke('datasets.undo', { datasetId, labelerId: profile.id });
    expect(undone.row?.id).toBe(d);
    expect(undone.row?.status).toBe('new');
    expect(undone.row?.record.response).toBe('Answer number 2 explains topic 2');
    expect((await c.invoke('datasets.rows', { datasetId, filter: { search: 'zebracorn' } })).rows).toEqual([]);
    expect((await c.invoke('datasets.rows', { datasetId, filter: { search: 'number 2 explains' } })).rows.map((r) => r.id)).toEqual([d]);
    info = await c.invoke('datasets.get', { datasetId });
    expect(info.statusCounts).toEqual({ new: 18, accepted: 1, rejected: 1, skipped: 0 });
    await c.invoke('datasets.undo', { datasetId, labelerId: profile.id });
    await c.invoke('datasets.undo', { datasetId, labelerId: profile.id });
    expect((await c.invoke('datasets.undo', { datasetId, labelerId: profile.id })).row).toBeNull();
    expect((await c.invoke('datasets.get', { datasetId })).statusCounts.new).toBe(20);
  });
});

describe('datasets: quality, split and export', () => {
  it('flags exact and near duplicates and personal data, and filters by them', async () => {
    const dir = tempDir('lamplight-ds-');
    core = openTestCore({ dataDir: dir });
    const c = core;
    const long = 'The quarterly report shows revenue growth across all regions, with the strongest gains in the north and steady margins elsewhere.';
    const lines = [
      messagesLine('Summarize the report', long),
      messagesLine('Summarize the report', long),
      messagesLine('Summarize  the REPORT!', long),
      messagesLine('Summarize the report', long.replace('steady', 'stable')),
      messagesLine('Call me at 13812345678', 'Sure, or mail ana@example.com'),
      messagesLine('Something else entirely', 'A different answer about cooking pasta al dente.'),
    ];
    const path = join(dir, 'q.jsonl');
    writeFileSync(path, lines.join('\n'));
    const { dataset } = await c.invoke('datasets.import', { path, name: 'q' });
    const pii = (await c.invoke('datasets.rows', { datasetId: dataset.id, filter: { pii: true } })).rows;
    expect(pii.map((r) => r.ord)).toEqual([4]);
    expect(pii[0]?.pii).toEqual(['phone', 'email']);
    const { jobId } = await c.invoke('datasets.analyze', { datasetId: dataset.id });
    await nextEvent(c, 'datasets.jobProgress', (p) => p.jobId === jobId && p.state !== 'running');
    const rows = (await c.invoke('datasets.rows', { datasetId: dataset.id })).rows;
    const id0 = rows[0]?.id;
    expect(rows.map((r) => r.dupOf)).toEqual([null, id0, id0, null, null, null]);
    expect(rows.map((r) => r.nearDupOf)).toEqual([null, null, null, id0, null, null]);
    expect((await c.invoke('datasets.rows', { datasetId: dataset.id, filter: { duplicate: 'unique' } })).rows.map((r) => r.ord)).toEqual([0, 4, 5]);
    const stats = await c.invoke('datasets.stats', { datasetId: dataset.id });
    expect(stats).toMatchObject({ rows: 6, exactDuplicates: 2, nearDuplicates: 1, pii: { phone: 1, email: 1, id_card: 0, bank_card: 0 } });
  });

  it('splits deterministically from a seed, stratified by a label', async () => {
    const { c, datasetId, profile } = await setup(60);
    await c.invoke('datasets.setLabelSchema', { datasetId, schema: { fields: [{ name: 'kind', kind: 'single', options: ['a', 'b'] }] } });
    for (const r of (await c.invoke('datasets.rows', { datasetId, limit: 60 })).rows) {
      await c.invoke('datasets.label', { datasetId, rowId: r.id, labelerId: profile.id, patch: { status: 'accepted', labels: { kind: r.ord % 3 === 0 ? 'a' : 'b' } } });
    }
    const run = async (seed: number) => {
      const counts = await c.invoke('datasets.split', { datasetId, seed, train: 0.5, validation: 0.25, test: 0.25, stratifyBy: 'kind' });
      const rows = (await c.invoke('datasets.rows', { datasetId, limit: 60 })).rows;
      return { counts, splits: rows.map((r) => r.split) };
    };
    const one = await run(7);
    const two = await run(7);
    const other = await run(8);
    expect(one).toEqual(two);
    expect(other.splits).not.toEqual(one.splits);
    expect(one.counts).toEqual({ train: 30, validation: 15, test: 15 });
    const aTest = (await c.invoke('datasets.rows', { datasetId, filter: { split: 'test', label: 'kind=a' } })).total;
    expect(aTest).toBe(5);
  });

  it('exports accepted rows in import order; importing the export gives the same records; PII masked or dropped', async () => {
    const { c, dir, datasetId, profile } = await setup(12);
    const rows = (await c.invoke('datasets.rows', { datasetId })).rows;
    for (const r of rows.filter((x) => x.ord % 3 !== 1)) {
      await c.invoke('datasets.label', { datasetId, rowId: r.id, labelerId: profile.id, patch: { status: 'accepted' } });
    }
    const phoneRow = rows[3]?.id as number;
    await c.invoke('datasets.label', { datasetId, rowId: phoneRow, labelerId: profile.id, patch: { response: 'Call 13812345678 now' } });
    for (const format of ['messages', 'alpaca-jsonl', 'alpaca-json', 'sharegpt', 'llamafactory'] as const) {
      const out = join(dir, `out-${format}.${format === 'alpaca-json' || format === 'llamafactory' ? 'json' : 'jsonl'}`);
      const res = await c.invoke('datasets.export', { datasetId, format, path: out });
      expect(res.rows).toBe(8);
      const back = await c.invoke('datasets.import', { path: out, name: `back-${format}` });
      expect(back.imported).toBe(8);
      const orig = [];
      for (const r of rows.filter((x) => x.ord % 3 !== 1)) orig.push((await c.invoke('datasets.row', { datasetId, rowId: r.id })).record);
      const again = [];
      for (const r of (await c.invoke('datasets.rows', { datasetId: back.dataset.id })).rows) again.push((await c.invoke('datasets.row', { datasetId: back.dataset.id, rowId: r.id })).record);
      expect(again).toEqual(orig);
    }
    const info = JSON.parse(readFileSync(join(dir, 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string; formatting: string }>;
    expect(info.logs).toMatchObject({ file_name: 'out-llamafactory.json', formatting: 'sharegpt' });
    const masked = join(dir, 'masked.jsonl');
    await c.invoke('datasets.export', { datasetId, format: 'messages', path: masked, pii: 'mask' });
    expect(readFileSync(masked, 'utf8')).toContain('Call [PHONE] now');
    expect(readFileSync(masked, 'utf8')).not.toContain('13812345678');
    const dropped = await c.invoke('datasets.export', { datasetId, format: 'messages', path: join(dir, 'dropped.jsonl'), pii: 'drop' });
    expect(dropped).toMatchObject({ rows: 7, skipped: { pii: 1 } });
  });
});
