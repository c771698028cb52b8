import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewDatasetFile } from './preview';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamplight-ds-preview-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('previewDatasetFile', () => {
  it('shows the first records and bad lines of a small file, with an exact line count', async () => {
    const path = join(dir, 'small.jsonl');
    await writeFile(path, '{"instruction":"q","output":"a"}\n{"instruction":"q2"}\n{"instruction":"q3","output":"a3"}');
    const p = await previewDatasetFile(path);
    expect(p).toMatchObject({ container: 'jsonl', format: 'alpaca', encoding: 'utf-8', bom: false, mapping: null, lineCount: 3, lineCountExact: true });
    expect(p.fields).toEqual(['instruction', 'output']);
    expect(p.records.map((r) => r.line)).toEqual([1, 3]);
    expect(p.bad).toEqual([{ line: 2, reason: 'missing field "output"' }]);
  });

  it('stops after 50 records and estimates the line count of a big file', async () => {
    const path = join(dir, 'big.jsonl');
    const line = `${JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(100) }] })}\n`;
    await writeFile(path, line.repeat(20_000));
    const p = await previewDatasetFile(path);
    expect(p.records).toHaveLength(50);
    expect(p.lineCountExact).toBe(false);
    expect(Math.abs(p.lineCount - 20_000)).toBeLessThan(200);
  });

  it('lists the fields of a columns file whose prompt field is unknown, instead of failing', async () => {
    const path = join(dir, 'cols.csv');
    await writeFile(path, 'id;label;score\n1;x;0.5\n');
    const p = await previewDatasetFile(path);
    expect(p).toMatchObject({ format: 'columns', container: 'csv', fields: ['id', 'label', 'score'], mapping: null, records: [] });
    const mapped = await previewDatasetFile(path, { mapping: { prompt: 'label', response: 'score', system: null, chosen: null, rejected: null } });
    expect(mapped.records).toEqual([{ line: 2, record: { messages: [{ role: 'user', content: 'x' }], response: '0.5', chosen: null, rejected: null } }]);
  });
});
