import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRecord, ExportFormat } from '../../../shared/datasets.record';
import { CoreError } from '../../errors';
import { datasetInfoEntry, exportRecord, writeDatasetExport } from './exporters';
import { openDatasetFile } from './source';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamplight-ds-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const s = (content: string) => ({ role: 'system' as const, content });
const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string) => ({ role: 'assistant' as const, content });
const sft = (messages: DatasetRecord['messages'], response: string | null): DatasetRecord => ({ messages, response, chosen: null, rejected: null });
const pref = (messages: DatasetRecord['messages'], chosen: string, rejected: string): DatasetRecord => ({ messages, response: null, chosen, rejected });

const SFT: DatasetRecord[] = [
  sft([s('你是一个助手。Be brief.'), u('第一个问题'), a('第一个回答'), u('把“中文”翻译成英文\n两行')], 'Chinese 😀'),
  sft([u('Say "hi" \\ backslash\ttab')], 'hi\r\n"there"'),
  sft([u('q1'), a('a1'), u('q2'), a('a2'), u('q3')], 'a3'),
];
const PREF: DatasetRecord[] = [
  pref([s('System 系统'), u('Which is better?')], 'This one ✓', 'That one'),
  pref([u('q1'), a('a1'), u('再来一次')], '好', '不好'),
];

async function readBack(path: string): Promise<DatasetRecord[]> {
  const f = await openDatasetFile(path);
  const out: DatasetRecord[] = [];
  try {
    for await (const batch of f.items) {
      for (const item of batch) {
        if (item.kind === 'bad') throw new Error(`line ${item.line}: ${item.reason}`);
        out.push(item.record);
      }
    }
  } finally {
    await f.close();
  }
  return out;
}

async function roundTrip(format: ExportFormat, name: string, records: DatasetRecord[]): Promise<DatasetRecord[]> {
  const path = join(dir, name);
  // Two batches, one of them empty, as a paged database read may give.
  const result = await writeDatasetExport(path, format, [records.slice(0, 1), [], records.slice(1)], { name: name.replace(/\W/g, '_') });
  expect(result.rows).toBe(records.length);
  return readBack(path);
}

describe('export → import round trips', () => {
  const cases: [ExportFormat, string, DatasetRecord[]][] = [
    ['messages', 'sft.messages.jsonl', [...SFT, sft([u('no answer yet')], null)]],
    ['alpaca-jsonl', 'sft.alpaca.jsonl', SFT],
    ['alpaca-json', 'sft.alpaca.json', SFT],
    ['alpaca-jsonl', 'pref.alpaca.jsonl', PREF],
    ['alpaca-json', 'pref.alpaca.json', [...PREF, { ...PREF[0], response: 'also an SFT answer' } as DatasetRecord]],
    ['sharegpt', 'sft.sharegpt.jsonl', [...SFT, sft([u('no answer yet')], null)]],
    ['sharegpt', 'pref.sharegpt.jsonl', PREF],
    ['llamafactory', join('lf-sft', 'sft.json'), SFT],
    ['llamafactory', join('lf-pref', 'pref.json'), PREF],
    ['preference', 'pref.jsonl', PREF],
  ];
  for (const [format, name, records] of cases) {
    it(`${format} (${name})`, async () => {
      await mkdir(join(dir, name, '..'), { recursive: true });
      expect(await roundTrip(format, name, records)).toEqual(records);
    });
  }

  it('messages exports a pair as its chosen answer', async () => {
    expect(exportRecord('messages', PREF[1] as DatasetRecord)).toEqual({ messages: [u('q1'), a('a1'), u('再来一次'), a('好')] });
  });

  it('writes the documented shapes', () => {
    expect(exportRecord('alpaca-jsonl', SFT[0] as DatasetRecord)).toEqual({
      instruction: '把“中文”翻译成英文\n两行',
      input: '',
      output: 'Chinese 😀',
      system: '你是一个助手。Be brief.',
      history: [['第一个问题', '第一个回答']],
    });
    expect(exportRecord('sharegpt', PREF[0] as DatasetRecord)).toEqual({
      conversations: [{ from: 'human', value: 'Which is better?' }],
      system: 'System 系统',
      chosen: { from: 'gpt', value: 'This one ✓' },
      rejected: { from: 'gpt', value: 'That one' },
    });
  });
});

describe('llamafactory dataset_info.json', () => {
  it('adds the entry beside the data file and keeps the other entries', async () => {
    const folder = await mkdtemp(join(dir, 'lf-'));
    const other = { file_name: 'other.json', formatting: 'alpaca' };
    await writeFile(join(folder, 'dataset_info.json'), JSON.stringify({ other, mine: { file_name: 'stale.json' } }));
    const result = await writeDatasetExport(join(folder, 'mine.json'), 'llamafactory', [PREF], { name: 'mine' });
    expect(result.files).toEqual([join(folder, 'mine.json'), join(folder, 'dataset_info.json')]);
    const info = JSON.parse(await readFile(join(folder, 'dataset_info.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toEqual({
      other,
      mine: {
        file_name: 'mine.json',
        formatting: 'sharegpt',
        ranking: true,
        columns: { messages: 'conversations', system: 'system', chosen: 'chosen', rejected: 'rejected' },
        tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' },
      },
    });
    await writeDatasetExport(join(folder, 'sft.json'), 'llamafactory', [SFT], { name: 'sft' });
    const again = JSON.parse(await readFile(join(folder, 'dataset_info.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(again)).toEqual(['other', 'mine', 'sft']);
    expect(again.sft).toEqual(datasetInfoEntry('llamafactory', 'sft.json', { preference: false }));
    expect(again.sft).not.toHaveProperty('ranking');
  });

  it('refuses a broken dataset_info.json before writing anything', async () => {
    const folder = await mkdtemp(join(dir, 'lf-broken-'));
    await writeFile(join(folder, 'dataset_info.json'), '{ nope');
    await expect(writeDatasetExport(join(folder, 'x.json'), 'llamafactory', [SFT], { name: 'x' })).rejects.toThrow(/dataset_info\.json is not valid JSON/);
    expect(await readdir(folder)).toEqual(['dataset_info.json']);
  });
});

describe('failures', () => {
  it('a record without a pair in a preference export fails, naming the path, and leaves no file', async () => {
    const folder = await mkdtemp(join(dir, 'fail-'));
    const path = join(folder, 'p.jsonl');
    const err = await writeDatasetExport(path, 'preference', [PREF, SFT], { name: 'p' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).message).toBe(`Cannot write ${path}: record 3: the preference format needs a chosen and a rejected answer in every record`);
    expect(await readdir(folder)).toEqual([]);
  });

  it('a batch source that throws leaves no file', async () => {
    const folder = await mkdtemp(join(dir, 'fail2-'));
    async function* batches() {
      yield SFT;
      throw new Error('database went away');
    }
    await expect(writeDatasetExport(join(folder, 'm.jsonl'), 'messages', batches(), { name: 'm' })).rejects.toThrow(/^database went away$/);
    await expect(writeDatasetExport(join(folder, 'missing', 'm.jsonl'), 'messages', [SFT], { name: 'm' })).rejects.toThrow(
      `Cannot write ${join(folder, 'missing', 'm.jsonl')}: no such file`,
    );
    expect(await readdir(folder)).toEqual([]);
  });

  it('alpaca refuses turns that are not question/answer pairs', () => {
    expect(() => exportRecord('alpaca-jsonl', sft([u('a'), u('b')], 'c'))).toThrow(/alternating user and assistant/);
  });
});
