// The append-only, hash-chained audit log. Each record's hash covers the previous record's hash, its seq and
// its body, so an edited or removed record breaks the chain; triggers refuse UPDATE/DELETE. The head is also
// checkpointed in a file with an HMAC whose key lives in the SecretStore (outside the database), so a cut-off
// tail, or a tail rewritten with fresh hashes, is caught too.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AUDIT_COUNT_CAP, AuditEntry, type AuditFilter, type AuditRecord, type AuditVerify } from '../../shared/guard.schema';
import { ulid } from '../../shared/ids';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { SecretStore } from '../secrets/secretStore';
import { CheckpointFile, type Checkpoint } from './auditCheckpoint';

export type NewAuditEntry = Omit<AuditEntry, 'id'> & { id?: string };

export interface AuditLogOptions {
  dataDir: string;
  secrets: SecretStore;
  /** Where list() stops counting matches (default AUDIT_COUNT_CAP). */
  countCap?: number;
}

export const GENESIS_HASH = '0'.repeat(64);
export const HMAC_KEY_NAME = 'audit.hmacKey';
export const CHECKPOINT_FILE = 'audit-head.json';
/** The checkpoint file's fixed size: the JSON (~200 bytes) padded with spaces. */
const EXPORT_BATCH = 2000;

interface Row {
  seq: number;
  kind: string;
  started_at: number;
  profile_id: string | null;
  path: string;
  target_text: string;
  outcomes: string;
  body_json: string;
  prev_hash: string;
  hash: string;
}

export function chainHash(prevHash: string, seq: number, bodyJson: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${bodyJson}`).digest('hex');
}

/** The filter columns a body implies; verify recomputes them, so editing one is caught like editing the body. */
export function derivedColumns(e: AuditEntry): Omit<Row, 'seq' | 'body_json' | 'prev_hash' | 'hash'> {
  const t = e.target;
  const targetText = !t ? '' : (t.kind === 'local' ? [t.modelName] : [t.model, t.targetName, ...t.endpoints]).join(' ').toLowerCase();
  const words: string[] = [];
  const aborted = e.finishReason === 'abort';
  if (e.error !== null && !aborted) words.push('error');
  if (aborted) words.push('cancelled');
  if (e.pii?.action === 'mask' && Object.values(e.pii.counts).some((n) => n > 0)) words.push('masked');
  const blocked = e.decisions.some((d) => d.startsWith('blocked') || d.startsWith('output: blocked'));
  if (e.finishReason === 'blocked' || e.kind === 'denied' || blocked) words.push('blocked');
  if (e.decisions.some((d) => d.startsWith('output: flagged'))) words.push('flagged');
  return {
    kind: e.kind,
    // The column is INTEGER (STRICT); the body keeps the exact number.
    started_at: Math.floor(e.startedAt),
    profile_id: e.profileId,
    path: e.path,
    target_text: targetText,
    outcomes: words.length ? `,${words.join(',')},` : ',',
  };
}

/** One exported/listed record: the body's own bytes with the chain fields appended (no re-serialisation). */
function recordJson(r: Pick<Row, 'seq' | 'body_json' | 'prev_hash' | 'hash'>): string {
  const body = r.body_json.trimEnd();
  return `${body.slice(0, -1)},"seq":${r.seq},"prevHash":${JSON.stringify(r.prev_hash)},"hash":${JSON.stringify(r.hash)}}`;
}

function filterSql(f: AuditFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, value: unknown) => {
    where.push(cond);
    params.push(value);
  };
  if (f.kind) add('kind = ?', f.kind);
  if (f.path) add('path = ?', f.path);
  if (f.profileId) add('profile_id = ?', f.profileId);
  if (f.target) add("target_text LIKE ? ESCAPE '\\'", `%${f.target.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.outcome) add('outcomes LIKE ?', `%,${f.outcome},%`);
  if (f.from !== undefined) add('started_at >= ?', Math.floor(f.from));
  if (f.to !== undefined) add('started_at <= ?', Math.floor(f.to));
  return { where, params };
}

const range = (a: number, b: number) => (a === b ? `record ${a} is` : `records ${a}–${b} are`);

export class AuditLog {
  private readonly insert;
  private readonly head;
  private readonly walk;
  private readonly cache = new Map<string, Statement<unknown[]>>();
  private key: Buffer | null = null;
  /** Why the last checkpoint could not be written (the record itself was kept); verify mentions it. */
  private checkpointProblem: string | null = null;
  readonly checkpointFile: string;
  private readonly countCap: number;
  private readonly checkpoint: CheckpointFile;
  /** Inside together(): the record whose checkpoint waits for the commit (null: none appended yet). */
  private pending: { seq: number; hash: string } | null | undefined = undefined;
  /** fn in an IMMEDIATE transaction (one wrapper made once, not one per call). */
  private readonly immediate: <T>(fn: () => T) => T;

  constructor(
    readonly db: Db,
    readonly opts: AuditLogOptions,
  ) {
    this.checkpointFile = join(opts.dataDir, CHECKPOINT_FILE);
    this.checkpoint = new CheckpointFile(this.checkpointFile);
    this.countCap = opts.countCap ?? AUDIT_COUNT_CAP;
    const tx = db.transaction((fn: () => unknown) => fn());
    this.immediate = <T>(fn: () => T) => tx.immediate(fn) as T;
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, id, kind, started_at, profile_id, path, target_text, outcomes, body_json, prev_hash, hash)
       VALUES (@seq, @id, @kind, @started_at, @profile_id, @path, @target_text, @outcomes, @body_json, @prev_hash, @hash)`,
    );
    this.head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.walk = db.prepare<[], Row>(
      'SELECT seq, kind, started_at, profile_id, path, target_text, outcomes, body_json, prev_hash, hash FROM audit_log ORDER BY seq',
    );
  }

  append(entry: NewAuditEntry): AuditRecord {
    // verify allows one record past the checkpoint (a crash before it is written): never two per commit.
    if (this.pending) throw new CoreError('INTERNAL', 'one audit record per together()');
    const body = AuditEntry.parse({ ...entry, id: entry.id ?? ulid() });
    const bodyJson = JSON.stringify(body);
    const cols = derivedColumns(body);
    // IMMEDIATE takes the write lock before reading the head, so two processes cannot both claim seq N.
    const write = () => {
      const head = this.head.get();
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = chainHash(prevHash, seq, bodyJson);
      this.insert.run({ seq, id: body.id, ...cols, body_json: bodyJson, prev_hash: prevHash, hash });
      // Fetched under the same lock so two processes starting at once agree on one key. An unreadable key
      // store must not lose the record: the checkpoint is skipped and verify reports it.
      if (!this.key) {
        try {
          // A new key only for a log never checkpointed: when a checkpoint exists but this process's key
          // store has no key (another transport holds it, or it was removed), re-signing would hide a cut tail.
          this.key = this.loadKey(this.readCheckpoint() === null);
          if (!this.key) this.checkpointProblem = `the checkpoint was signed with a key that ${this.opts.secrets.description} does not hold; it was left as it was`;
        } catch (e) {
          this.checkpointProblem = `its key could not be read from ${this.opts.secrets.description}: ${(e as Error).message}`;
        }
      }
      return { seq, prevHash, hash };
    };
    // Inside together() the outer IMMEDIATE transaction holds the lock already, and the insert is one
    // statement: no savepoint of its own (two statements fewer per AI call).
    const rec = this.pending !== undefined ? write() : this.immediate(write);
    // Inside together() the record is not committed yet: a checkpoint now could name a record a crash undoes.
    if (this.pending !== undefined) this.pending = rec;
    else this.writeCheckpoint(rec.seq, rec.hash);
    return { ...body, ...rec };
  }

  /**
   * Runs fn — a change and the one audit record about it — in one transaction, so a crash keeps both or
   * neither (before, a kill between them left a policy change or a finished run with no record). The
   * checkpoint follows the commit; a nested call joins the outer one.
   */
  together<T>(fn: () => T): T {
    if (this.pending !== undefined) return fn();
    this.pending = null;
    let out: T;
    let rec: { seq: number; hash: string } | null;
    try {
      out = this.immediate(fn);
    } finally {
      // fn's appends set it (TypeScript cannot see that through the callback).
      rec = this.pending as { seq: number; hash: string } | null;
      this.pending = undefined;
    }
    if (rec) this.writeCheckpoint(rec.seq, rec.hash);
    return out;
  }

  list(filter: AuditFilter, limit: number, beforeSeq?: number): { records: AuditRecord[]; total: number; totalCapped: boolean } {
    const { where, params } = filterSql(filter);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const counted = (this.stmt(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM audit_log ${cond} LIMIT ?)`).get(...params, this.countCap + 1) as { n: number }).n;
    const totalCapped = counted > this.countCap;
    const total = Math.min(counted, this.countCap);
    const page = beforeSeq === undefined ? where : [...where, 'seq < ?'];
    const rows = this.stmt(
      `SELECT seq, body_json, prev_hash, hash FROM audit_log ${page.length ? `WHERE ${page.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
    ).all(...params, ...(beforeSeq === undefined ? [] : [beforeSeq]), limit) as Row[];
    return { records: rows.map((r) => JSON.parse(recordJson(r)) as AuditRecord), total, totalCapped };
  }

  verify(): AuditVerify {
    // A checkpoint that moves while we walk means someone appended meanwhile: walk again from a newer one.
    let result = this.verifyOnce();
    for (let i = 0; i < 3 && result.retry; i++) result = this.verifyOnce();
    return result.verdict;
  }

  /**
   * The chain alone, without the checkpoint: each record's hash and link. A restore on another machine (with
   * another HMAC key) can only prove this much, then re-anchors the checkpoint with its own key.
   */
  verifyChain(atSeq?: number): { ok: boolean; count: number; headSeq: number | null; headHash: string | null; firstBrokenSeq: number | null; message: string; hashAtSeq: string | null } {
    let count = 0;
    let hashAtSeq: string | null = null;
    let prev = GENESIS_HASH;
    let head: number | null = null;
    let broken: { seq: number; why: string } | null = null;
    this.db.transaction(() => {
      for (const r of this.walk.iterate()) {
        broken = this.checkRow(r, (head ?? 0) + 1, prev);
        if (broken) break;
        head = r.seq;
        prev = r.hash;
        count++;
        if (r.seq === atSeq) hashAtSeq = r.hash;
      }
    })();
    const b = broken as { seq: number; why: string } | null;
    if (b) return { ok: false, count, headSeq: head, headHash: null, firstBrokenSeq: b.seq, message: b.why, hashAtSeq };
    return { ok: true, count, headSeq: head, headHash: head === null ? null : prev, firstBrokenSeq: null, message: `${count} record${count === 1 ? '' : 's'} linked by their hashes`, hashAtSeq };
  }

  exportJsonl(path: string, filter: AuditFilter): { path: string; count: number } {
    const out = resolve(path);
    const dir = dirname(out);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CoreError('BAD_INPUT', `path: the folder ${dir} does not exist; create it or choose another`);
    const { where, params } = filterSql(filter);
    // A point-in-time export: records appended while writing are left for the next one.
    const maxSeq = this.head.get()?.seq ?? 0;
    const stmt = this.stmt(
      `SELECT seq, body_json, prev_hash, hash FROM audit_log WHERE ${[...where, 'seq > ?', 'seq <= ?'].join(' AND ')} ORDER BY seq LIMIT ${EXPORT_BATCH}`,
    );
    const tmp = `${out}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    let count = 0;
    try {
      let after = 0;
      for (;;) {
        const rows = stmt.all(...params, after, maxSeq) as Row[];
        if (rows.length === 0) break;
        writeSync(fd, rows.map((r) => recordJson(r) + '\n').join(''));
        count += rows.length;
        after = (rows.at(-1) as Row).seq;
      }
      closeSync(fd);
      renameSync(tmp, out);
    } catch (e) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw e;
    }
    return { path: out, count };
  }

  private stmt(sql: string) {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private loadKey(create: boolean): Buffer | null {
    const stored = this.opts.secrets.get(HMAC_KEY_NAME);
    if (stored) return Buffer.from(stored, 'base64');
    if (!create) return null;
    const key = randomBytes(32);
    this.opts.secrets.set(HMAC_KEY_NAME, key.toString('base64'));
    return key;
  }

  private readCheckpoint(): Checkpoint | 'unreadable' | null {
    return this.checkpoint.read();
  }

  private writeCheckpoint(seq: number, hash: string): void {
    try {
      if (!this.key) throw new Error(this.checkpointProblem ?? 'no key');
      const key = this.key;
      this.checkpoint.advance(seq, () => ({ seq, hash, hmac: createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex') }));
      this.checkpointProblem = null;
    } catch (e) {
      // The record is committed; failing the AI call now would mislead the caller. verify reports it.
      this.checkpointProblem = `the checkpoint for record ${seq} could not be written (${(e as Error).message})`;
    }
  }

  /** Closes the checkpoint file (core.close()). */
  close(): void {
    this.checkpoint.close();
  }

  private verifyOnce(): { verdict: AuditVerify; retry: boolean } {
    const file = this.checkpointFile;
    const cp = this.readCheckpoint();
    const cpSeq = cp && cp !== 'unreadable' ? cp.seq : null;
    let count = 0;
    let headSeq: number | null = null;
    let cpHash: string | null = null;
    let broken: { seq: number; why: string } | null = null;
    // One read transaction: a consistent snapshot even while other processes append.
    this.db.transaction(() => {
      let prev = GENESIS_HASH;
      for (const r of this.walk.iterate()) {
        const expected = (headSeq ?? 0) + 1;
        broken = this.checkRow(r, expected, prev);
        if (broken) break;
        count++;
        headSeq = r.seq;
        prev = r.hash;
        if (r.seq === cpSeq) cpHash = r.hash;
      }
    })();
    const head = headSeq as number | null;
    const base = { count, headSeq: head, checkpointSeq: cpSeq };
    const fail = (firstBrokenSeq: number | null, message: string) => ({ verdict: { ok: false, ...base, firstBrokenSeq, message }, retry: false });
    const pass = (message: string) => ({ verdict: { ok: true, ...base, firstBrokenSeq: null, message }, retry: false });
    const b = broken as { seq: number; why: string } | null;
    if (b) return fail(b.seq, b.why);
    const note = this.checkpointProblem ? ` (${this.checkpointProblem})` : '';

    if (cp === null) {
      if (head === null) return pass('the audit log is empty');
      // The first record's checkpoint is written just after its commit: a crash in between leaves this
      // (unless this process knows the checkpoint could not be written at all).
      if (head === 1 && !this.checkpointProblem) return pass(`1 record verified; it was written before any checkpoint, as when the app stops between saving the first record and its checkpoint`);
      return fail(null, `no checkpoint (${file}): the chain of ${count} record${count === 1 ? '' : 's'} is intact, but the head cannot be confirmed, so a cut-off tail would go unnoticed${note}`);
    }
    if (cp === 'unreadable') return fail(null, `the checkpoint ${file} was altered (it is not a valid checkpoint)`);
    let key: Buffer | null;
    try {
      key = this.loadKey(false);
    } catch (e) {
      return fail(null, `the checkpoint could not be checked: its key (${HMAC_KEY_NAME} in ${this.opts.secrets.description}) is not readable: ${(e as Error).message}`);
    }
    if (!key) return fail(null, `the checkpoint could not be checked: its key (${HMAC_KEY_NAME}) is missing from ${this.opts.secrets.description}`);
    const want = createHmac('sha256', key).update(`${cp.seq}:${cp.hash}`).digest();
    const got = Buffer.from(cp.hmac, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return fail(null, `the checkpoint ${file} was altered (its HMAC does not match)`);

    if (head === null || head < cp.seq) {
      const first = (head ?? 0) + 1;
      const ends = head === null ? 'the log is empty' : `the log ends at ${head}`;
      return fail(first, `${range(first, cp.seq)} missing (${ends} but its checkpoint is at ${cp.seq})`);
    }
    if (cpHash !== cp.hash) return fail(cp.seq, `record ${cp.seq}: its hash differs from the checkpointed one (the log was rewritten at or before it)`);
    if (head === cp.seq) return pass(`${count} record${count === 1 ? '' : 's'} verified; the head (record ${head}) matches its checkpoint`);
    // The checkpoint is written just after each commit: a crash in between leaves exactly one record past it.
    if (head === cp.seq + 1) {
      return pass(`${count} record${count === 1 ? '' : 's'} verified; record ${head} was written after the last checkpoint (${cp.seq}), as when the app stops between saving a record and its checkpoint${note}`);
    }
    const now = this.readCheckpoint();
    if (now && now !== 'unreadable' && now.seq !== cp.seq) return { ...fail(cp.seq + 1, 'the log kept changing while it was verified; try again'), retry: true };
    return fail(cp.seq + 1, `${range(cp.seq + 1, head)} past the checkpoint at ${cp.seq} (every append moves the checkpoint, so they were added outside Lamplight)${note}`);
  }

  private checkRow(r: Row, expected: number, prev: string): { seq: number; why: string } | null {
    if (r.seq !== expected) return { seq: expected, why: `${range(expected, r.seq - 1)} missing (deleted?): ${expected === 1 ? `the log starts at ${r.seq}` : `the log jumps from ${expected - 1} to ${r.seq}`}` };
    const at = `record ${r.seq}:`;
    if (r.prev_hash !== prev) return { seq: r.seq, why: `${at} its link to the previous record does not match (record ${r.seq - 1} was rewritten, or this one was)` };
    if (chainHash(r.prev_hash, r.seq, r.body_json) !== r.hash) return { seq: r.seq, why: `${at} its hash does not match its contents (edited?)` };
    let body: AuditEntry;
    try {
      body = AuditEntry.parse(JSON.parse(r.body_json));
    } catch {
      return { seq: r.seq, why: `${at} its body is not a valid audit entry` };
    }
    const want = derivedColumns(body);
    for (const k of Object.keys(want) as (keyof typeof want)[]) {
      if (want[k] !== r[k]) return { seq: r.seq, why: `${at} its ${k} column does not match its body (edited?)` };
    }
    return null;
  }
}
