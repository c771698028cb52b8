// Restores: proven good in a staging folder before the workspace is touched; a damaged or too-new archive
// is refused naming the part, with the current workspace byte-for-byte unchanged.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../shared/backup.schema';
import type { Core } from '../createCore';
import { migrations } from '../db/migrations/index';
import { HMAC_KEY_NAME } from '../guard/auditLog';
import { FileSecretStore } from '../secrets/secretStore';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { restoreNow } from './backup.service';
import { endOfArchive, padding, tarHeader } from './tar';
import { makeWorkspace, treeDigest } from './testing/workspace';

let open: Core[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

async function backedUp(opts: { keyPassphrase?: string } = {}) {
  const ws = await makeWorkspace();
  const archive = join(tempDir('lamplight-bk-out-'), 'ws.tar');
  await ws.core.invoke('backup.create', { path: archive, ...opts });
  await ws.core.close();
  return { ...ws, archive };
}

/** The schema a database written by this build has (not a number: each new migration raises it). */
const LATEST_SCHEMA = migrations.at(-1)?.version ?? 0;

const restore = (dataDir: string, archive: string, keyPassphrase?: string) =>
  restoreNow({ dataDir, secrets: new FileSecretStore(dataDir), appVersion: '0.0.0-test', archive, ...(keyPassphrase ? { keyPassphrase } : {}) });

/** An archive written entry by entry, with a manifest of the given parts (hashes computed unless overridden). */
function craft(file: string, parts: { name: string; data: Buffer; role: 'database' | 'file'; path?: string }[], manifest: Partial<BackupManifest> = {}, skip: string[] = []): void {
  const m: BackupManifest = {
    format: 'lamplight-backup',
    formatVersion: 1,
    appVersion: '9.9.9',
    schemaVersion: LATEST_SCHEMA,
    createdAt: 1,
    dataDir: '/elsewhere',
    parts: parts.map((p) => ({ name: p.name, role: p.role, size: p.data.length, sha256: createHash('sha256').update(p.data).digest('hex'), ...(p.path ? { path: p.path, source: 'models.path' } : {}) })),
    external: [],
    audit: { ok: true, count: 0, message: '' },
    ...manifest,
  };
  const bufs: Buffer[] = [];
  const add = (name: string, data: Buffer) => bufs.push(tarHeader({ name, size: data.length, mtimeMs: 0 }), data, padding(data.length));
  for (const p of parts) if (!skip.includes(p.name)) add(p.name, p.data);
  add('manifest.json', Buffer.from(JSON.stringify(m)));
  bufs.push(endOfArchive());
  writeFileSync(file, Buffer.concat(bufs));
}

function dbBytes(setup: (db: Database.Database) => void): Buffer {
  const f = join(tempDir(), 'x.db');
  const db = new Database(f);
  setup(db);
  db.close();
  return readFileSync(f);
}

describe('restore', () => {
  it('into an empty data folder on another machine: paths follow the folder, the chain is verified by its hashes and re-anchored, with a record of it', async () => {
    const src = await backedUp();
    const target = join(tempDir('lamplight-restore-'), 'data');
    const r = await restore(target, src.archive);
    expect(r).toMatchObject({ checkpoint: 're-anchor', auditRecords: 2, asideDir: null });
    const core = openTestCore({ dataDir: target });
    open.push(core);
    const models = await core.invoke('models.list', {});
    expect(models.map((m) => m.path).sort()).toEqual([join(target, 'models', 'tiny-inside.gguf'), src.outsideModel].sort());
    expect(readFileSync(join(target, 'models', 'tiny-inside.gguf')).equals(readFileSync(src.insideModel))).toBe(true);
    expect((await core.invoke('datasets.get', { datasetId: src.datasetId })).rowCount).toBe(50);
    const verify = await core.invoke('audit.verify', {});
    expect(verify).toMatchObject({ ok: true, count: 4 });
    const { records } = await core.invoke('audit.list', { filter: { path: 'backup.restore' } });
    expect(records.map((x) => x.decisions[0])).toEqual([expect.stringMatching(/^workspace restored from /), expect.stringMatching(/^re-anchor: .*re-signed with this machine's key at record 2/)]);
    // This machine's key, not the source's.
    const key = (dir: string) => new FileSecretStore(dir).get(HMAC_KEY_NAME);
    expect(key(target)).not.toBe(key(src.dataDir));
  });

  it('over an existing workspace: the current one is kept aside, the backup replaces it, the same key verifies its checkpoint', async () => {
    const src = await backedUp();
    const core1 = openTestCore({ dataDir: src.dataDir });
    await core1.invoke('datasets.remove', { datasetId: src.datasetId });
    await core1.close();
    const before = treeDigest(src.dataDir);
    const r = await restore(src.dataDir, src.archive);
    expect(r.checkpoint).toBe('same-key');
    expect(r.asideDir).toMatch(/\.before-restore-/);
    const aside = treeDigest(r.asideDir as string);
    expect(aside['lamplight.db']).toBe(before['lamplight.db']);
    expect(aside['models/tiny-inside.gguf']).toBe(before['models/tiny-inside.gguf']);
    const core = openTestCore({ dataDir: src.dataDir });
    open.push(core);
    expect((await core.invoke('datasets.get', { datasetId: src.datasetId })).rowCount).toBe(50);
    expect(await core.invoke('audit.verify', {})).toMatchObject({ ok: true, count: 3 });
    expect(readdirSync(src.dataDir).filter((f) => f.startsWith('.restore'))).toEqual([]);
  });

  it('refuses a damaged archive (bad hash, truncated, missing part), leaving the workspace byte-for-byte as it was', async () => {
    const src = await backedUp();
    const target = (await makeWorkspace()).core;
    await target.close();
    const before = treeDigest(target.dataDir);
    const bytes = readFileSync(src.archive);
    const dir = tempDir('lamplight-bad-');

    const flipped = Buffer.from(bytes);
    const at = bytes.indexOf(Buffer.from('GGUF')) + 100;
    flipped[at] = (flipped[at] as number) ^ 0xff;
    writeFileSync(join(dir, 'flipped.tar'), flipped);
    expect((await failureOf(restore(target.dataDir, join(dir, 'flipped.tar')))).message).toMatch(/part files\/00001 \(models\/tiny-inside\.gguf\) is damaged: its sha256 does not match the manifest; nothing was changed/);

    writeFileSync(join(dir, 'cut.tar'), bytes);
    truncateSync(join(dir, 'cut.tar'), Math.floor(bytes.length / 2));
    expect((await failureOf(restore(target.dataDir, join(dir, 'cut.tar')))).message).toMatch(/the archive is damaged: entry "files\/00001" is truncated: it needs [\d,]+ bytes but the archive ends after [\d,]+/);

    writeFileSync(join(dir, 'cut.tar.gz'), gzipSync(bytes).subarray(0, 5000));
    expect((await failureOf(restore(target.dataDir, join(dir, 'cut.tar.gz')))).message).toMatch(/the archive is damaged: .*(gzip stream is damaged or cut short|truncated)/);

    const db = dbBytes((d) => d.pragma(`user_version = ${LATEST_SCHEMA}`));
    craft(join(dir, 'escape.tar'), [{ name: 'lamplight.db', data: db, role: 'database' }, { name: 'files/00001', data: Buffer.from('{}'), role: 'file', path: 'secrets.json' }]);
    expect((await failureOf(restore(target.dataDir, join(dir, 'escape.tar')))).message).toMatch(/part files\/00001 \(secrets\.json\): its path leaves the data folder or names a file Lamplight keeps itself/);

    craft(join(dir, 'missing.tar'), [{ name: 'lamplight.db', data: db, role: 'database' }, { name: 'files/00001', data: Buffer.from('x'), role: 'file', path: 'models/a.gguf' }], {}, ['files/00001']);
    expect((await failureOf(restore(target.dataDir, join(dir, 'missing.tar')))).message).toMatch(/part files\/00001 \(models\/a\.gguf\) is missing from the archive/);

    // Hashes recomputed over an edited audit record: the manifest agrees, the chain does not.
    const tampered = join(dir, 'tampered.db');
    const live = new Database(join(src.dataDir, 'lamplight.db'));
    await live.backup(tampered);
    live.close();
    const t = new Database(tampered);
    t.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET body_json = replace(body_json, '\"policy\"', '\"policy\" ') WHERE seq = 1; PRAGMA journal_mode = DELETE");
    t.close();
    craft(join(dir, 'tampered.tar'), [{ name: 'lamplight.db', data: readFileSync(tampered), role: 'database' }]);
    expect((await failureOf(restore(target.dataDir, join(dir, 'tampered.tar')))).message).toMatch(/the audit log in part lamplight\.db is broken: record 1: its hash does not match its contents/);

    craft(join(dir, 'corrupt.tar'), [{ name: 'lamplight.db', data: Buffer.alloc(8192, 7), role: 'database' }]);
    expect((await failureOf(restore(target.dataDir, join(dir, 'corrupt.tar')))).message).toMatch(/part lamplight\.db (cannot be opened|fails PRAGMA integrity_check)/);

    expect(treeDigest(target.dataDir)).toEqual(before);
  });

  it('refuses a backup whose database schema is newer than this build, naming the part and both versions', async () => {
    const ws = await makeWorkspace();
    await ws.core.close();
    const before = treeDigest(ws.dataDir);
    const file = join(tempDir(), 'new.tar');
    craft(file, [{ name: 'lamplight.db', data: dbBytes((d) => d.pragma('user_version = 990')), role: 'database' }], { schemaVersion: 990 });
    const f = await failureOf(restore(ws.dataDir, file));
    expect(f.message).toMatch(/part lamplight\.db has database schema 990 \(written by Lamplight 9\.9\.9\); this Lamplight 0\.0\.0-test knows up to schema \d+\. Update Lamplight to restore it; nothing was changed/);
    expect(treeDigest(ws.dataDir)).toEqual(before);
  });

  it('with the exported key and its passphrase, adopts the key instead of re-anchoring; a wrong passphrase is refused', async () => {
    const src = await backedUp({ keyPassphrase: 'a long passphrase' });
    const t1 = join(tempDir(), 'data');
    expect((await failureOf(restore(t1, src.archive, 'not the passphrase'))).message).toMatch(/keyPassphrase: the passphrase does not open part audit-key\.sealed/);
    expect(existsSync(join(t1, 'lamplight.db'))).toBe(false);
    const r = await restore(t1, src.archive, 'a long passphrase');
    expect(r.checkpoint).toBe('exported-key');
    expect(new FileSecretStore(t1).get(HMAC_KEY_NAME)).toBe(new FileSecretStore(src.dataDir).get(HMAC_KEY_NAME));
    const core = openTestCore({ dataDir: t1 });
    open.push(core);
    expect(await core.invoke('audit.verify', {})).toMatchObject({ ok: true, count: 3 });
  });

  it('from the UI is verified now and applied at the next start; the CLI path refuses a folder in use', async () => {
    const src = await backedUp();
    const target = await makeWorkspace();
    open.push(target.core);
    const staged = await target.core.invoke('backup.restore', { path: src.archive });
    expect(staged).toMatchObject({ checkpoint: 're-anchor', auditRecords: 2 });
    expect((await target.core.invoke('backup.status', {})).pending).toMatchObject({ archive: src.archive });
    expect((await failureOf(restore(target.dataDir, src.archive))).message).toMatch(/is in use by a running Lamplight/);
    // Still the target's own data until it restarts.
    expect((await target.core.invoke('datasets.list', {})).map((d) => d.id)).not.toContain(src.datasetId);
    await target.core.close();
    open = [];
    const again = openTestCore({ dataDir: target.dataDir });
    open.push(again);
    expect((await again.invoke('datasets.get', { datasetId: src.datasetId })).rowCount).toBe(50);
    const status = await again.invoke('backup.status', {});
    expect(status.pending).toBeNull();
    expect(status.last).toMatchObject({ ok: true, asideDir: expect.stringMatching(/\.before-restore-/) });
    expect(await again.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });
});
