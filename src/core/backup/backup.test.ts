// Backups of a live workspace: what goes in (a consistent database copy, files inside the data folder, a
// manifest with hashes), what stays out (files outside it, listed; secrets; the HMAC key unless sealed).
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupManifest, BackupProgress } from '../../shared/backup.schema';
import type { Core } from '../createCore';
import { HMAC_KEY_NAME } from '../guard/auditLog';
import { failureOf, tempDir } from '../testing/testCore';
import { readTar } from './tar';
import { writeMessagesFile } from '../datasets/testing/files';
import { makeWorkspace } from './testing/workspace';

async function entries(file: string): Promise<Map<string, Buffer>> {
  const raw = createReadStream(file);
  const src = readFileSync(file).subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])) ? raw.pipe(createGunzip()) : raw;
  const out = new Map<string, Buffer>();
  for await (const e of readTar(src)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    out.set(e.name, Buffer.concat(chunks));
  }
  return out;
}

let open: Core[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

describe('backup.create', () => {
  it('holds a consistent database copy, the files inside the data folder and a manifest of their hashes; outside files are listed, secrets left out', async () => {
    const ws = await makeWorkspace();
    open.push(ws.core);
    const out = join(tempDir('lamplight-bk-out-'), 'ws.tar');
    const r = await ws.core.invoke('backup.create', { path: out });
    expect(r.path).toBe(out);
    const parts = await entries(out);
    expect([...parts.keys()]).toEqual(['lamplight.db', 'audit-head.json', 'files/00001', 'manifest.json']);
    const manifest = JSON.parse((parts.get('manifest.json') as Buffer).toString()) as BackupManifest;
    expect(manifest.appVersion).toBe('0.0.0-test');
    expect(manifest.schemaVersion).toBe(ws.core.db.pragma('user_version', { simple: true }));
    for (const p of manifest.parts) {
      const bytes = parts.get(p.name) as Buffer;
      expect(bytes.length).toBe(p.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
    }
    const file = manifest.parts.find((p) => p.role === 'file');
    expect(file).toMatchObject({ path: 'models/tiny-inside.gguf', source: 'models.path' });
    expect(parts.get('files/00001')?.equals(readFileSync(ws.insideModel))).toBe(true);
    expect(manifest.external).toEqual([{ path: ws.outsideModel, source: 'models.path', exists: true }]);
    expect(manifest.audit).toMatchObject({ ok: true, count: 2 });

    // The copy is a whole database on its own (no WAL needed) with the dataset's rows.
    const copyFile = join(tempDir(), 'copy.db');
    writeFileSync(copyFile, parts.get('lamplight.db') as Buffer);
    const copy = new Database(copyFile, { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM dataset_rows WHERE dataset_id = ?').get(ws.datasetId)).toEqual({ n: 50 });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();

    // Neither API keys nor the audit HMAC key are in it.
    const key = JSON.parse(readFileSync(join(ws.dataDir, 'secrets.json'), 'utf8'))[HMAC_KEY_NAME] as string;
    const all = readFileSync(out);
    expect(all.includes(Buffer.from(key, 'base64'))).toBe(false);
    expect(all.includes(Buffer.from(key))).toBe(false);
  });

  it('writes gzip, reports progress, and seals the HMAC key only when asked, with a passphrase', async () => {
    const ws = await makeWorkspace();
    open.push(ws.core);
    const out = join(tempDir('lamplight-bk-out-'), 'ws.tar.gz');
    const seen: BackupProgress[] = [];
    const off = ws.core.on('backup.progress', (p) => seen.push(p));
    await ws.core.invoke('backup.create', { path: out, gzip: true, backupId: 'b1', keyPassphrase: 'correct horse battery' });
    off();
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const parts = await entries(out);
    expect(parts.has('audit-key.sealed')).toBe(true);
    const sealed = JSON.parse((parts.get('audit-key.sealed') as Buffer).toString()) as Record<string, unknown>;
    expect(sealed).toMatchObject({ kdf: 'scrypt' });
    expect(seen[0]).toMatchObject({ backupId: 'b1', phase: 'database' });
    expect(seen.at(-1)).toMatchObject({ backupId: 'b1', phase: 'done' });
  });

  it('is cancelled by backup.cancel, leaving no archive', async () => {
    const ws = await makeWorkspace();
    open.push(ws.core);
    const dir = tempDir('lamplight-bk-out-');
    const out = join(dir, 'ws.tar');
    const off = ws.core.on('backup.progress', (p) => void ws.core.invoke('backup.cancel', { backupId: p.backupId }));
    const f = await failureOf(ws.core.invoke('backup.create', { path: out, backupId: 'c1' }));
    off();
    expect(f.message).toMatch(/cancelled; no archive was written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is consistent while labels are being saved during the copy', async () => {
    const ws = await makeWorkspace();
    open.push(ws.core);
    const core = ws.core;
    const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(tempDir(), 20_000), name: 'big' });
    const labeler = await core.invoke('profiles.create', { name: 'L' });
    const ids = (await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 200 })).rows.map((r) => r.id);
    const out = join(tempDir('lamplight-bk-out-'), 'ws.tar');
    let labeled = 0;
    let done = false;
    const labeling = (async () => {
      for (const rowId of ids) {
        if (done) break;
        await core.invoke('datasets.label', { datasetId: dataset.id, rowId, labelerId: labeler.id, patch: { status: 'accepted' } });
        labeled++;
      }
    })();
    await core.invoke('backup.create', { path: out });
    done = true;
    await labeling;
    expect(labeled).toBeGreaterThan(0);
    const copyFile = join(tempDir(), 'copy.db');
    writeFileSync(copyFile, (await entries(out)).get('lamplight.db') as Buffer);
    const copy = new Database(copyFile, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    // Every accepted row has its label event, and no event lacks its row state: one point in time.
    const accepted = (copy.prepare("SELECT count(*) AS n FROM dataset_rows WHERE dataset_id = ? AND status = 'accepted'").get(dataset.id) as { n: number }).n;
    const events = (copy.prepare('SELECT count(*) AS n FROM dataset_label_events WHERE dataset_id = ?').get(dataset.id) as { n: number }).n;
    expect(events).toBe(accepted);
    copy.close();
  });

  it('refuses a folder that does not exist, naming it', async () => {
    const ws = await makeWorkspace();
    open.push(ws.core);
    const f = await failureOf(ws.core.invoke('backup.create', { path: '/nonexistent-lamplight/x.tar' }));
    expect(f).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/the folder \/nonexistent-lamplight does not exist/) });
  });
});
