// A full disk while importing or labeling: a clear error naming the data folder, and nothing already stored
// lost or half-written. SQLite's max_page_count makes "full" reproducible without root; where a tmpfs can be
// mounted (root), a real full disk is tried too, and skipped cleanly where mount is refused.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from './createCore';
import { writeMessagesFile } from './datasets/testing/files';
import { diskFullMessage } from './diskFull';
import { failureOf, openTestCore, tempDir } from './testing/testCore';

let open: Core[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

/** From now on the database may not grow past its current size: the next write needing a page fails. */
function fillUp(core: Core): void {
  core.db.exec('VACUUM'); // no free pages left to reuse
  const pages = core.db.pragma('page_count', { simple: true }) as number;
  core.db.pragma(`max_page_count = ${pages}`);
}

describe('disk full', () => {
  it('an import fails naming the data folder; the datasets already stored are whole and the failed one leaves nothing', async () => {
    const dataDir = tempDir('lamplight-full-');
    const core = openTestCore({ dataDir });
    open.push(core);
    const src = tempDir('lamplight-full-src-');
    const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(src, 60, {}, 'a.jsonl'), name: 'kept' });
    fillUp(core);
    const f = await failureOf(core.invoke('datasets.import', { path: writeMessagesFile(src, 3000, {}, 'b.jsonl'), name: 'too big' }));
    expect(f).toEqual({ code: 'DISK_FULL', message: expect.stringContaining(`The disk holding ${dataDir} is full`) });
    expect(f.message).toContain('what was stored before is unchanged');
    expect((await core.invoke('datasets.list', {})).map((d) => [d.name, d.rowCount])).toEqual([['kept', 60]]);
    const rows = await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 100 });
    expect(rows.rows.length).toBe(60);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a label save fails naming the data folder; the earlier label of that row and its history stay as they were', async () => {
    const dataDir = tempDir('lamplight-full-');
    const core = openTestCore({ dataDir });
    open.push(core);
    const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(tempDir(), 20), name: 'd' });
    const labeler = await core.invoke('profiles.create', { name: 'L' });
    const rowId = (await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 1 })).rows[0]?.id as number;
    await core.invoke('datasets.label', { datasetId: dataset.id, rowId, labelerId: labeler.id, patch: { status: 'accepted', note: 'first' } });
    fillUp(core);
    const f = await failureOf(core.invoke('datasets.label', { datasetId: dataset.id, rowId, labelerId: labeler.id, patch: { status: 'rejected', note: 'x'.repeat(10_000) } }));
    expect(f).toEqual({ code: 'DISK_FULL', message: expect.stringContaining(`The disk holding ${dataDir} is full`) });
    const row = await core.invoke('datasets.row', { datasetId: dataset.id, rowId });
    expect(row).toMatchObject({ status: 'accepted', note: 'first' });
    // Undo still takes back the one acknowledged label.
    expect((await core.invoke('datasets.undo', { datasetId: dataset.id, labelerId: labeler.id })).row).toMatchObject({ status: 'new', note: null });
  });

  it('file writes: ENOSPC names the folder of the file; other errors are not mistaken for it', () => {
    expect(diskFullMessage(Object.assign(new Error('no space'), { code: 'ENOSPC', path: '/data/exports/out.jsonl' }), '/data')).toMatch(/^The disk holding \/data\/exports is full: \/data\/exports\/out\.jsonl was not written/);
    expect(diskFullMessage(Object.assign(new Error('x'), { code: 'ENOENT' }), '/data')).toBeNull();
    expect(diskFullMessage(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }), '/data')).toMatch(/^The disk holding \/data is full/);
  });
});

function tryMount(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const umount = (dir: string) => execFileSync('umount', [dir], { stdio: 'ignore' });
const canMount = (() => {
  const probe = tempDir('lamplight-tmpfs-probe-');
  if (!tryMount(probe, '64k')) return false;
  umount(probe);
  return true;
})();

describe.skipIf(!canMount)('disk full on a real (tmpfs) disk', () => {
  it('an import that fills the disk fails naming it, and the dataset stored before is whole', async () => {
    const dataDir = join(tempDir('lamplight-tmpfs-'), 'data');
    expect(tryMount(dataDir, '3m')).toBe(true);
    try {
      const core = openTestCore({ dataDir });
      try {
        const src = tempDir('lamplight-full-src-');
        await core.invoke('datasets.import', { path: writeMessagesFile(src, 40, {}, 'a.jsonl'), name: 'kept' });
        const f = await failureOf(core.invoke('datasets.import', { path: writeMessagesFile(src, 20_000, {}, 'b.jsonl'), name: 'too big' }));
        expect(f).toEqual({ code: 'DISK_FULL', message: expect.stringContaining(`The disk holding ${dataDir} is full`) });
        expect((await core.invoke('datasets.list', {})).map((d) => [d.name, d.rowCount])).toEqual([['kept', 40]]);
        // A backup written onto a full disk says which one.
        const out = join(dataDir, 'backup.tar');
        const b = await failureOf(core.invoke('backup.create', { path: out }));
        expect(b).toEqual({ code: 'DISK_FULL', message: expect.stringContaining(`The disk holding ${dataDir} is full`) });
      } finally {
        await core.close();
      }
    } finally {
      umount(dataDir);
    }
  });
});
