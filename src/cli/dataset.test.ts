// `lamplight dataset import/export` in-process over a real core in a temporary data folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../core/testing/testCore';
import { messagesLine } from '../core/datasets/testing/files';
import { writeCsvSidecar, writeImageFolder } from '../core/datasets/testing/imageFolder';
import { main } from './main';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

describe('lamplight dataset', () => {
  it('imports with a JSON report of every bad line, then exports accepted rows only', async () => {
    const dir = tempDir('lamplight-cli-ds-');
    const file = join(dir, 'logs.jsonl');
    writeFileSync(file, [messagesLine('a?', 'A.'), '{broken', messagesLine('b?', 'B.'), '{"messages": 3}', messagesLine('c?', 'C.')].join('\n'));
    const imp = await cli('--data-dir', dir, 'dataset', 'import', file, '--json');
    expect(imp.code).toBe(0);
    const report = JSON.parse(imp.out) as { datasetId: string; imported: number; badTotal: number; bad: { line: number; reason: string }[]; format: string };
    expect(report).toMatchObject({ imported: 3, badTotal: 2, format: 'messages' });
    expect(report.bad.map((b) => b.line)).toEqual([2, 4]);
    expect(report.bad[1]?.reason).toMatch(/messages/);

    // Nothing is accepted yet: the default export writes no row; --status all writes the three.
    const none = await cli('--data-dir', dir, 'dataset', 'export', report.datasetId, '--format', 'alpaca-jsonl', '--out', join(dir, 'none.jsonl'), '--json');
    expect(JSON.parse(none.out)).toMatchObject({ rows: 0 });
    // --out into a folder that does not exist yet (as the README's `--out data/chat.json`): the CLI makes it.
    const all = await cli('--data-dir', dir, 'dataset', 'export', report.datasetId, '--format', 'alpaca-jsonl', '--status', 'all', '--out', join(dir, 'new', 'all.jsonl'));
    expect(all.code).toBe(0);
    const lines = readFileSync(join(dir, 'new', 'all.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { instruction: string; output: string });
    expect(lines.map((l) => [l.instruction, l.output])).toEqual([['a?', 'A.'], ['b?', 'B.'], ['c?', 'C.']]);

    const bad = await cli('--data-dir', dir, 'dataset', 'export', report.datasetId, '--format', 'yaml', '--out', join(dir, 'x'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format must be one of/);
    const missing = await cli('--data-dir', dir, 'dataset', 'import', join(dir, 'nope.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.jsonl/);
  }, 60_000);

  it('import-images: a folder with a sidecar, skipped files listed; a sidecar naming a missing file fails with the line', async () => {
    const dir = tempDir('lamplight-cli-img-');
    const folder = await writeImageFolder(join(dir, 'shots'), 3);
    const sidecar = writeCsvSidecar(join(dir, 'labels.csv'), folder.files.slice(0, 2));
    const imp = await cli('--data-dir', join(dir, 'data'), 'dataset', 'import-images', folder.dir, '--sidecar', sidecar, '--json');
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.out)).toMatchObject({ name: 'shots', imported: 3, images: 3, skipped: [{ file: 'notes.txt' }, { file: 'sub' }] });
    writeCsvSidecar(sidecar, ['img-01.png', 'gone.png']);
    const bad = await cli('--data-dir', join(dir, 'data'), 'dataset', 'import-images', folder.dir, '--sidecar', sidecar, '--name', 'again');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/labels\.csv line 3, field "file": names "gone\.png", which is not in the folder/);
  }, 60_000);
});
