// `lamplight backup` / `lamplight restore` in-process over real cores, and the refusal of a database written
// by a newer Lamplight on every start path (CLI command, and createCore as the host and the app use it).
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWorkspace, treeDigest } from '../core/backup/testing/workspace';
import { createCore } from '../core/createCore';
import { tempDir } from '../core/testing/testCore';
import { main, version } from './main';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

describe('lamplight backup / restore', () => {
  it('backs up a data folder and restores it into another, printing what it did', async () => {
    const ws = await makeWorkspace();
    await ws.core.close();
    const archive = join(tempDir('lamplight-cli-bk-'), 'ws.tar.gz');
    const b = await cli('--data-dir', ws.dataDir, 'backup', archive, '--gzip', '--json');
    expect(b).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(b.out)).toMatchObject({ path: archive, parts: 3, external: 1 });

    const target = join(tempDir('lamplight-cli-rs-'), 'data');
    const r = await cli('--data-dir', target, 'restore', archive);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Restored .*ws\.tar\.gz \(Lamplight [^,]+, schema \d+, 3 parts\) into .*: the audit chain verified by its hashes and re-anchored with this machine's key\.\n$/);
    expect(r.out).toContain(`(Lamplight ${version()}, `);
    const verify = await cli('--data-dir', target, 'audit', 'verify');
    expect(verify.code).toBe(0);
  });

  it('refuses a damaged archive with exit 1 naming the part, and --export-key without a passphrase with exit 2', async () => {
    const ws = await makeWorkspace();
    await ws.core.close();
    const archive = join(tempDir('lamplight-cli-bk-'), 'ws.tar');
    expect((await cli('--data-dir', ws.dataDir, 'backup', archive)).code).toBe(0);
    const bytes = readFileSync(archive);
    bytes[600] = (bytes[600] as number) ^ 0xff; // inside the database part
    writeFileSync(archive, bytes);
    const before = treeDigest(ws.dataDir);
    const r = await cli('--data-dir', ws.dataDir, 'restore', archive);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^lamplight restore: .*ws\.tar: part lamplight\.db is damaged: its sha256 does not match the manifest; nothing was changed\n$/);
    expect(treeDigest(ws.dataDir)).toEqual(before);
    const k = await cli('--data-dir', ws.dataDir, 'backup', archive, '--export-key');
    expect(k.code).toBe(2);
    expect(k.err).toContain('--export-key needs a passphrase');
  });
});

describe('a database from a newer Lamplight', () => {
  function newerDb(): string {
    const dir = tempDir('lamplight-newer-');
    const db = new Database(join(dir, 'lamplight.db'));
    db.pragma('user_version = 990');
    db.close();
    return dir;
  }

  it('is refused by every CLI command that opens it, naming the app version and both schemas, and left unchanged', async () => {
    const dir = newerDb();
    const before = treeDigest(dir);
    const r = await cli('--data-dir', dir, 'models', 'list');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`lamplight models: .*lamplight\\.db was written by a newer Lamplight \\(database schema 990; Lamplight ${version().replace(/\./g, '\\.')} knows up to schema \\d+\\)\\. Update Lamplight; the file was not changed\\.`));
    expect(treeDigest(dir)).toEqual(before);
  });

  it('is refused by createCore, the start of the browser host and the app, with the same message', () => {
    const dir = newerDb();
    expect(() => createCore({ dataDir: dir, version: '1.2.3', transport: 'browser-host' })).toThrow(/database schema 990; Lamplight 1\.2\.3 knows up to schema \d+/);
  });
});
