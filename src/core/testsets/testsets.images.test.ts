// Image columns of test sets on a real core (real SQLite, the real ImageStore, real sharp): import from
// paths relative to the file and from data URIs, bad images reported by line and column with nothing
// stored, grid edits, and references that keep images through the store's garbage collection.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { openTestCore, tempDir } from '../testing/testCore';
import { gradientPng } from './imageFixtures';

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});

function core(): Core {
  const c = openTestCore();
  cores.push(c);
  return c;
}

async function imageFolder(): Promise<{ dir: string; dataUri: string }> {
  const dir = tempDir('lamplight-imgset-');
  mkdirSync(join(dir, 'imgs'));
  writeFileSync(join(dir, 'imgs', 'a.png'), await gradientPng(40, 30, 1));
  writeFileSync(join(dir, 'imgs', 'b.png'), await gradientPng(30, 40, 2));
  // A PNG cut short: the header promises more than the file holds.
  writeFileSync(join(dir, 'imgs', 'broken.png'), (await gradientPng(64, 64, 3)).subarray(0, 60));
  const dataUri = `data:image/png;base64,${(await gradientPng(20, 20, 4)).toString('base64')}`;
  return { dir, dataUri };
}

const mapping = { variables: { photo: 'receipt', question: 'question' }, expected: 'answer', label: null, images: ['receipt'] };

describe('test sets with an image column', () => {
  it('imports relative paths and data URIs as stored images; the grid rows hold their hashes', async () => {
    const c = core();
    const { dir, dataUri } = await imageFolder();
    const csv = join(dir, 'receipts.csv');
    writeFileSync(csv, `photo,question,answer\nimgs/a.png,Total?,12\n"${dataUri}",Shop?,Ada\n${join(dir, 'imgs', 'b.png')},Date?,today\nimgs/a.png,Again?,12\n`);

    const p = await c.invoke('testsets.preview', { path: csv });
    expect(p.mapping.images).toEqual(['photo']);

    const r = await c.invoke('testsets.import', { path: csv, name: 'Receipts', mapping });
    expect(r.imported).toBe(4);
    expect(r.badTotal).toBe(0);
    expect(r.testSet.imageVariables).toEqual(['receipt']);
    const { rows } = await c.invoke('testsets.rows', { testSetId: r.testSet.id });
    const hashes = rows.map((row) => row.variables.receipt as string);
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{64}$/);
    // The same file twice is one stored image; three distinct images in all.
    expect(hashes[3]).toBe(hashes[0]);
    expect(new Set(hashes).size).toBe(3);
    expect(await c.invoke('images.get', { hash: hashes[0] as string })).toMatchObject({ width: 40, height: 30, mime: 'image/png' });
    expect(await c.invoke('images.get', { hash: hashes[1] as string })).toMatchObject({ width: 20, height: 20 });
    expect(rows[0]?.variables.question).toBe('Total?');

    // The JSONL export writes the hashes; importing it back suggests the same image column and the same rows.
    const out = join(dir, 'export.jsonl');
    await c.invoke('testsets.exportJsonl', { testSetId: r.testSet.id, path: out });
    const again = await c.invoke('testsets.preview', { path: out });
    expect(again.mapping.images).toEqual(['receipt']);
    const back = await c.invoke('testsets.import', { path: out, name: 'Receipts again', mapping: again.mapping });
    expect((await c.invoke('testsets.rows', { testSetId: back.testSet.id })).rows.map((x) => x.variables)).toEqual(rows.map((x) => x.variables));
  });

  it('a missing file and a corrupt image are bad rows named by line and column; a file of only those imports nothing', async () => {
    const c = core();
    const { dir } = await imageFolder();
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(
      jsonl,
      [
        { photo: 'imgs/missing.png', question: 'q1', answer: 'a' },
        { photo: 'imgs/broken.png', question: 'q2', answer: 'b' },
        { photo: 'data:image/png;base64,@@@', question: 'q3', answer: 'c' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const err = await c.invoke('testsets.import', { path: jsonl, name: 'Bad', mapping }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/No row of .*bad\.jsonl could be imported \(3 bad\)/);
    expect(msg).toContain(`line 1: column "photo": missing.png: no such file: ${join(dir, 'imgs', 'missing.png')}`);
    expect(msg).toMatch(/line 2: column "photo": broken\.png: the PNG image could not be decoded/);
    expect(msg).toContain('line 3: column "photo": the data URI is not valid base64');
    expect(await c.invoke('testsets.list', {})).toEqual([]);

    // Mixed with a good row: the good one is imported, the bad ones listed with line, column and reason.
    const mixed = join(dir, 'mixed.csv');
    writeFileSync(mixed, 'photo,question,answer\nimgs/a.png,ok,1\nimgs/missing.png,gone,2\nimgs/broken.png,cut,3\n');
    const r = await c.invoke('testsets.import', { path: mixed, name: 'Mixed', mapping });
    expect(r.imported).toBe(1);
    expect(r.bad.map((b) => [b.line, b.column])).toEqual([
      [3, 'photo'],
      [4, 'photo'],
    ]);
    expect(r.bad[1]?.reason).toMatch(/^column "photo": broken\.png: .+/);
  });

  it('a cell takes another stored image; text or unknown hashes are refused', async () => {
    const c = core();
    const set = await c.invoke('testsets.create', { name: 'Grid', variables: ['receipt', 'q'], imageVariables: ['receipt'] });
    expect(set.imageVariables).toEqual(['receipt']);
    const img = await c.invoke('images.addData', { name: 'pick.png', dataBase64: (await gradientPng(16, 16, 9)).toString('base64') });
    const row = await c.invoke('testsets.addRow', { testSetId: set.id, variables: { receipt: img.hash, q: 'x' } });
    expect(row.variables.receipt).toBe(img.hash);
    await expect(c.invoke('testsets.updateRow', { rowId: row.id, variables: { receipt: 'photo.png' } })).rejects.toThrow(/variables\.receipt: an image column takes a stored image's hash/);
    await expect(c.invoke('testsets.updateRow', { rowId: row.id, variables: { receipt: 'f'.repeat(64) } })).rejects.toThrow(/no stored image has the hash f{64}/);
    // Renaming keeps the column an image column; a new image column can be added.
    const renamed = await c.invoke('testsets.renameVariable', { testSetId: set.id, from: 'receipt', to: 'scan' });
    expect(renamed.imageVariables).toEqual(['scan']);
    const added = await c.invoke('testsets.addVariable', { testSetId: set.id, name: 'stamp', image: true });
    expect(added.imageVariables).toEqual(['scan', 'stamp']);
  });

  it("the images a set refers to survive the store's collection; a removed set's images do not", async () => {
    const c = core();
    const { dir } = await imageFolder();
    const csv = join(dir, 'one.csv');
    writeFileSync(csv, 'photo,question,answer\nimgs/b.png,q,a\n');
    const r = await c.invoke('testsets.import', { path: csv, name: 'One', mapping });
    const hash = (await c.invoke('testsets.rows', { testSetId: r.testSet.id })).rows[0]?.variables.receipt as string;
    await c.images.gc({ graceMs: 0 });
    expect(c.images.get(hash).hash).toBe(hash);
    await c.invoke('testsets.remove', { testSetId: r.testSet.id });
    await c.images.gc({ graceMs: 0 });
    expect(() => c.images.get(hash)).toThrow();
  });
});
