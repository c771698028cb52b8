// The audit log's chain, its triggers, and the tampering `audit verify` must catch: edited rows through a
// raw connection, a cut-off tail, a missing middle record, an altered checkpoint.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditRecord } from '../../shared/guard.schema';
import { openDb, type Db } from '../db/openDb';
import { FileSecretStore } from '../secrets/secretStore';
import { tempDir } from '../testing/testCore';
import { AuditLog, CHECKPOINT_FILE, chainHash, GENESIS_HASH, HMAC_KEY_NAME, type NewAuditEntry } from './auditLog';

function sampleEntry(i: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    kind: 'ai_call',
    startedAt: 1_700_000_000_000 + i * 1000,
    endedAt: 1_700_000_000_000 + i * 1000 + 420,
    profileId: 'P1',
    profileName: 'Default',
    role: 'admin',
    path: 'playground',
    target: { kind: 'remote', targetId: 'T1', targetName: 'GPU Box', endpoints: ['http://10.0.0.5:8000/v1'], model: 'Qwen2.5-7B-Instruct' },
    params: { temperature: 0.7, max_tokens: 256 },
    promptVersionId: null,
    runId: `R${i}`,
    inputHash: 'a'.repeat(64),
    outputHash: 'b'.repeat(64),
    pii: null,
    decisions: [],
    promptTokens: 12,
    completionTokens: 34,
    finishReason: 'stop',
    error: null,
    ...over,
  };
}

const opened: Db[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) if (d.open) d.close();
});

function setup(n = 0) {
  const dir = tempDir('lamplight-audit-');
  const file = join(dir, 'lamplight.db');
  const db = openDb(file);
  opened.push(db);
  const secrets = new FileSecretStore(dir);
  const log = new AuditLog(db, { dataDir: dir, secrets });
  for (let i = 1; i <= n; i++) log.append(sampleEntry(i));
  /** A second connection, as someone with the file would use it, with the append-only triggers dropped. */
  const raw = () => {
    const r = new Database(file);
    opened.push(r);
    r.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    return r;
  };
  return { dir, file, db, secrets, log, raw };
}

describe('AuditLog', () => {
  it('chains each record to the previous one and checkpoints the head with an HMAC', () => {
    const { log, dir, secrets } = setup();
    expect(log.verify()).toMatchObject({ ok: true, count: 0, headSeq: null, checkpointSeq: null });
    const a = log.append(sampleEntry(1));
    const b = log.append(sampleEntry(2, { id: 'FIXED-ID' }));
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prevHash: a.hash, id: 'FIXED-ID' });
    expect(a.id).toMatch(/^[0-9A-Z]{26}$/);
    const { id: _id, seq: _s, prevHash: _p, hash: _h, ...rest } = b;
    expect(b.hash).toBe(chainHash(a.hash, 2, JSON.stringify({ id: 'FIXED-ID', ...rest })));
    expect(secrets.get(HMAC_KEY_NAME)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const cp = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')) as { seq: number; hash: string };
    expect(cp).toMatchObject({ seq: 2, hash: b.hash });
    expect(log.verify()).toMatchObject({ ok: true, count: 2, headSeq: 2, checkpointSeq: 2, firstBrokenSeq: null });
  });

  it('refuses UPDATE and DELETE through the connection', () => {
    const { db } = setup(2);
    expect(() => db.prepare("UPDATE audit_log SET path = 'x' WHERE seq = 1").run()).toThrow(/append-only: records cannot be changed/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only: records cannot be deleted/);
  });

  it('names a record whose body, derived column or hash was edited through a raw connection', () => {
    const { log, raw } = setup(20);
    const r = raw();
    const body = (r.prepare('SELECT body_json FROM audit_log WHERE seq = 7').get() as { body_json: string }).body_json;
    r.prepare('UPDATE audit_log SET body_json = ? WHERE seq = 7').run(body.replace('"promptTokens":12', '"promptTokens":1'));
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 7, message: 'record 7: its hash does not match its contents (edited?)' });
    r.prepare('UPDATE audit_log SET body_json = ? WHERE seq = 7').run(body);
    expect(log.verify().ok).toBe(true);

    r.prepare("UPDATE audit_log SET outcomes = ',error,' WHERE seq = 3").run();
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3, message: expect.stringMatching(/record 3: its outcomes column does not match/) });
    r.prepare("UPDATE audit_log SET outcomes = ',' WHERE seq = 3").run();

    // Rewriting a body and its hash breaks the next record's link.
    const edited = body.replace('"promptTokens":12', '"promptTokens":1');
    const prev = (r.prepare('SELECT prev_hash FROM audit_log WHERE seq = 7').get() as { prev_hash: string }).prev_hash;
    r.prepare('UPDATE audit_log SET body_json = ?, hash = ? WHERE seq = 7').run(edited, chainHash(prev, 7, edited));
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 8, message: expect.stringMatching(/^record 8: its link to the previous record/) });
  });

  it('catches a rewritten tail with fresh hashes through the checkpoint', () => {
    const { log, raw } = setup(5);
    const r = raw();
    const rows = r.prepare('SELECT seq, body_json, prev_hash FROM audit_log WHERE seq >= 4 ORDER BY seq').all() as { seq: number; body_json: string; prev_hash: string }[];
    let prev = (rows[0] as { prev_hash: string }).prev_hash;
    for (const row of rows) {
      const body = row.body_json.replace('"completionTokens":34', '"completionTokens":3');
      const hash = chainHash(prev, row.seq, body);
      r.prepare('UPDATE audit_log SET body_json = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(body, prev, hash, row.seq);
      prev = hash;
    }
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 5, message: expect.stringMatching(/record 5: its hash differs from the checkpointed one/) });
  });

  it('catches dropped last rows through the checkpoint and names the first missing one', () => {
    const { log, raw } = setup(45);
    raw().prepare('DELETE FROM audit_log WHERE seq > 40').run();
    expect(log.verify()).toMatchObject({
      ok: false,
      count: 40,
      headSeq: 40,
      checkpointSeq: 45,
      firstBrokenSeq: 41,
      message: 'records 41–45 are missing (the log ends at 40 but its checkpoint is at 45)',
    });
    raw().prepare('DELETE FROM audit_log').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 1, message: expect.stringMatching(/records 1–45 are missing \(the log is empty/) });
  });

  it('names a gap left by a deleted middle record', () => {
    const { log, raw } = setup(10);
    raw().prepare('DELETE FROM audit_log WHERE seq = 6').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 6, message: expect.stringMatching(/^record 6 is missing \(deleted\?\): the log jumps from 5 to 7/) });
  });

  it('catches an altered, missing or unverifiable checkpoint', () => {
    const { log, dir, secrets } = setup(3);
    const file = join(dir, CHECKPOINT_FILE);
    const cp = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; hash: string; hmac: string };
    writeFileSync(file, JSON.stringify({ ...cp, seq: 2 }));
    expect(log.verify()).toMatchObject({ ok: false, message: expect.stringMatching(/checkpoint .* was altered \(its HMAC does not match\)/) });
    writeFileSync(file, 'not json');
    expect(log.verify()).toMatchObject({ ok: false, message: expect.stringMatching(/was altered/) });
    writeFileSync(file, JSON.stringify(cp));
    expect(log.verify().ok).toBe(true);

    const key = secrets.get(HMAC_KEY_NAME) as string;
    secrets.delete(HMAC_KEY_NAME);
    expect(log.verify()).toMatchObject({ ok: false, message: expect.stringMatching(/could not be checked: its key .* is missing/) });
    secrets.set(HMAC_KEY_NAME, key);
    const throwing = new AuditLog(log.db, { dataDir: dir, secrets: { ...secrets, description: 'keychain', get: () => { throw new Error('locked'); }, set: () => {}, delete: () => {} } });
    expect(throwing.verify()).toMatchObject({ ok: false, message: expect.stringMatching(/could not be checked: .*not readable: locked/) });

    rmSync(file);
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: null, message: expect.stringMatching(/^no checkpoint .* the head cannot be confirmed/) });
  });

  it('checkpoints every record in place (one file, fixed size), and follows a file replaced under it', () => {
    const { log, dir } = setup(1);
    const path = join(dir, CHECKPOINT_FILE);
    const ino = statSync(path).ino;
    for (let i = 2; i <= 20; i++) log.append(sampleEntry(i));
    expect(statSync(path)).toMatchObject({ ino, size: 512 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ seq: 20 });
    // A restore (or an older Lamplight) renames a new file over it: later checkpoints must land in that one.
    const copy = `${path}.other`;
    writeFileSync(copy, readFileSync(path));
    renameSync(copy, path);
    log.append(sampleEntry(21));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ seq: 21 });
    expect(log.verify()).toMatchObject({ ok: true, headSeq: 21, checkpointSeq: 21 });
    log.close();
  });

  it('tolerates one record past the checkpoint (a crash between commit and checkpoint) and no more', () => {
    const { log, dir } = setup(3);
    const file = join(dir, CHECKPOINT_FILE);
    const cp = readFileSync(file, 'utf8');
    log.append(sampleEntry(4));
    writeFileSync(file, cp);
    expect(log.verify()).toMatchObject({ ok: true, headSeq: 4, checkpointSeq: 3, message: expect.stringMatching(/record 4 was written after the last checkpoint/) });
    log.append(sampleEntry(5));
    log.append(sampleEntry(6));
    writeFileSync(file, cp);
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 4, message: expect.stringMatching(/^records 4–6 are past the checkpoint at 3/) });
  });

  it('tolerates a first record without a checkpoint (a crash before the first checkpoint) and no second', () => {
    const { log, dir } = setup(1);
    rmSync(join(dir, CHECKPOINT_FILE));
    // A fresh process, as after the crash: it knows of no failed checkpoint write.
    const restarted = new AuditLog(log.db, { dataDir: dir, secrets: new FileSecretStore(dir) });
    expect(restarted.verify()).toMatchObject({ ok: true, count: 1, headSeq: 1, checkpointSeq: null, message: expect.stringMatching(/written before any checkpoint/) });
    restarted.append(sampleEntry(2));
    expect(restarted.verify()).toMatchObject({ ok: true, headSeq: 2, checkpointSeq: 2 });
    rmSync(join(dir, CHECKPOINT_FILE));
    expect(restarted.verify()).toMatchObject({ ok: false, message: expect.stringMatching(/^no checkpoint/) });
  });

  it('together() commits a change and its record at once, checkpointed after the commit; a throw keeps neither', () => {
    const { log, dir, db, file } = setup(1);
    db.exec('CREATE TABLE t (v INTEGER) STRICT');
    const other = new Database(file, { readonly: true });
    opened.push(other);
    const cp = () => (JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')) as { seq: number }).seq;
    log.together(() => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      log.append(sampleEntry(2));
      // Not committed yet: another connection sees neither, and the checkpoint has not moved.
      expect(other.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
      expect(other.prepare('SELECT max(seq) AS s FROM audit_log').get()).toEqual({ s: 1 });
      expect(cp()).toBe(1);
    });
    expect(cp()).toBe(2);
    expect(() =>
      log.together(() => {
        db.prepare('INSERT INTO t VALUES (2)').run();
        log.append(sampleEntry(3));
        throw new Error('crash');
      }),
    ).toThrow('crash');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    expect(cp()).toBe(2);
    expect(() => log.together(() => [log.append(sampleEntry(3)), log.append(sampleEntry(4))])).toThrow(/one audit record per together/);
    expect(log.verify()).toMatchObject({ ok: true, headSeq: 2, checkpointSeq: 2 });
  });

  it('keeps the record when the key store cannot be read, and verify says the head is unconfirmed', () => {
    const { db, dir } = setup();
    const locked = { description: 'the keychain', get: (): string | null => { throw new Error('locked'); }, set: () => {}, delete: () => {} };
    const log = new AuditLog(db, { dataDir: dir, secrets: locked });
    expect(log.append(sampleEntry(1)).seq).toBe(1);
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(false);
    expect(log.verify()).toMatchObject({ ok: false, count: 1, message: expect.stringMatching(/^no checkpoint .*could not be written \(its key could not be read from the keychain: locked\)/) });
  });

  it('does not re-sign a checkpoint with a key of its own when another key store signed it', () => {
    const { db, dir, log } = setup(2);
    const before = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
    // Another transport on the same data folder, whose key store does not hold the key (e.g. the CLI on
    // an Electron data folder): its record is kept, the checkpoint is left as it was.
    const empty = new Map<string, string>();
    const other = new AuditLog(db, { dataDir: dir, secrets: { description: 'another store', get: (k) => empty.get(k) ?? null, set: (k, v) => void empty.set(k, v), delete: (k) => void empty.delete(k) } });
    expect(other.append(sampleEntry(3)).seq).toBe(3);
    expect(empty.size).toBe(0);
    expect(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')).toBe(before);
    // The first store still verifies: the one record past its checkpoint is the tolerated one.
    expect(log.verify()).toMatchObject({ ok: true, count: 3, checkpointSeq: 2 });
  });

  it('stops counting matches at the cap and says so', () => {
    const { db, dir, secrets } = setup();
    const log = new AuditLog(db, { dataDir: dir, secrets, countCap: 3 });
    for (let i = 1; i <= 5; i++) log.append(sampleEntry(i));
    expect(log.list({}, 2)).toMatchObject({ total: 3, totalCapped: true });
    expect(log.list({ kind: 'denied' }, 2)).toMatchObject({ total: 0, totalCapped: false });
  });

  it('filters and pages newest first, with the total of the filter', () => {
    const { log } = setup();
    for (let i = 1; i <= 30; i++) {
      const over: Partial<NewAuditEntry> = {};
      if (i % 3 === 0) Object.assign(over, { path: 'eval', profileId: 'P2' });
      if (i % 5 === 0) Object.assign(over, { pii: { action: 'mask', counts: { id_card: 1 } }, decisions: ['pii: masked 1 id_card'] });
      if (i === 7) Object.assign(over, { finishReason: 'abort', error: 'cancelled by user' });
      if (i === 8) Object.assign(over, { finishReason: null, error: 'connect ECONNREFUSED' });
      if (i === 9) Object.assign(over, { decisions: ['output: flagged by rule "no secrets"'] });
      if (i === 10) Object.assign(over, { kind: 'denied', target: null, decisions: ['denied: labeler may not run'] });
      if (i === 12) Object.assign(over, { decisions: ['output: blocked by rule "json only"'] });
      if (i === 11) Object.assign(over, { target: { kind: 'local', modelId: 'M1', modelName: 'Llama-3_8B%', modelSha256: null, adapters: [] } });
      log.append(sampleEntry(i, over));
    }
    const all = log.list({}, 10);
    expect(all.total).toBe(30);
    expect(all.records.map((r) => r.seq)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(log.list({}, 10, 21).records.map((r) => r.seq)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
    const evalPage = log.list({ path: 'eval' }, 4, 20);
    expect(evalPage).toMatchObject({ total: 10 });
    expect(evalPage.records.map((r) => r.seq)).toEqual([18, 15, 12, 9]);
    expect(log.list({ profileId: 'P2' }, 100).total).toBe(10);
    expect(log.list({ outcome: 'masked' }, 100).records.map((r) => r.seq)).toEqual([30, 25, 20, 15, 10, 5]);
    expect(log.list({ outcome: 'cancelled' }, 100).records.map((r) => r.seq)).toEqual([7]);
    expect(log.list({ outcome: 'error' }, 100).records.map((r) => r.seq)).toEqual([8]);
    expect(log.list({ outcome: 'flagged' }, 100).records.map((r) => r.seq)).toEqual([9]);
    expect(log.list({ outcome: 'blocked' }, 100).records.map((r) => r.seq)).toEqual([12, 10]);
    expect(log.list({ kind: 'denied' }, 100).total).toBe(1);
    expect(log.list({ target: 'gpu BOX' }, 100).total).toBe(28);
    expect(log.list({ target: '10.0.0.5:8000' }, 100).total).toBe(28);
    expect(log.list({ target: '3_8b%' }, 100).records.map((r) => r.seq)).toEqual([11]);
    expect(log.list({ target: '3x8b' }, 100).total).toBe(0); // _ is literal, not a wildcard
    const t0 = 1_700_000_000_000;
    expect(log.list({ from: t0 + 5000, to: t0 + 7000 }, 100).records.map((r) => r.seq)).toEqual([7, 6, 5]);
    for (const r of all.records) expect(AuditRecord.parse(r)).toEqual(r);
    expect(log.verify().ok).toBe(true);
  });

  it('exports JSONL oldest first, filtered, through a temporary file', () => {
    const { log, dir } = setup(25);
    log.append(sampleEntry(26, { path: 'api', error: 'boom', finishReason: null }));
    const out = join(dir, 'audit.jsonl');
    expect(log.exportJsonl(out, {})).toEqual({ path: out, count: 26 });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(26);
    const recs = lines.map((l) => AuditRecord.parse(JSON.parse(l)));
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    for (let i = 1; i < recs.length; i++) expect(recs[i]?.prevHash).toBe(recs[i - 1]?.hash);
    expect(recs[25]).toEqual(log.list({}, 1).records[0]);
    expect(existsSync(`${out}.tmp`)).toBe(false);
    expect(log.exportJsonl(out, { outcome: 'error' })).toEqual({ path: out, count: 1 });
    expect(() => log.exportJsonl(join(dir, 'nope', 'a.jsonl'), {})).toThrow(`the folder ${join(dir, 'nope')} does not exist`);
  });

  it('two connections on one database continue one chain', () => {
    const { log, file, dir, secrets } = setup(3);
    const db2 = openDb(file);
    opened.push(db2);
    const log2 = new AuditLog(db2, { dataDir: dir, secrets });
    for (let i = 0; i < 5; i++) {
      log.append(sampleEntry(10 + i));
      log2.append(sampleEntry(20 + i));
    }
    expect(log2.verify()).toMatchObject({ ok: true, count: 13, headSeq: 13, checkpointSeq: 13 });
  });
});
