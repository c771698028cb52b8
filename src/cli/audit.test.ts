// `lamplight audit verify/list/export` in-process over a real core; records are written by an AuditLog on the
// same database and key file, and the tampering is done through a raw connection.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditRecord } from '../shared/guard.schema';
import { openDb } from '../core/db/openDb';
import { AuditLog, type NewAuditEntry } from '../core/guard/auditLog';
import { FileSecretStore } from '../core/secrets/secretStore';
import { tempDir } from '../core/testing/testCore';
import { createCore, type Core } from '../core/createCore';
import { auditCommand } from './audit';
import { UsageError, type CliContext } from './main';

/** Runs the command as main() does (exit 2 on misuse, 1 on an error); main() registers it separately. */
async function cli(_flag: '--data-dir', dataDir: string, _name: 'audit', ...args: string[]) {
  let out = '';
  let err = '';
  let core: Core | null = null;
  const ctx: CliContext = {
    args,
    dataDir,
    version: '0.0.0-test',
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    openCore: () => (core ??= createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' })),
  };
  let code: number;
  try {
    code = await auditCommand.run(ctx);
  } catch (e) {
    err += (e as Error).message + '\n';
    code = e instanceof UsageError ? 2 : 1;
  }
  await (core as Core | null)?.close();
  return { code, out, err };
}

const entry = (i: number, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  kind: 'ai_call',
  startedAt: Date.UTC(2026, 10, 23, 9, 0, i),
  endedAt: Date.UTC(2026, 10, 23, 9, 0, i) + 300,
  profileId: null,
  profileName: 'Owner',
  role: 'admin',
  path: i % 2 ? 'playground' : 'eval',
  target: { kind: 'local', modelId: 'M1', modelName: 'qwen2.5-0.5b-instruct-q4_k_m', modelSha256: 'c'.repeat(64), adapters: [] },
  params: { temperature: 0 },
  promptVersionId: null,
  runId: null,
  inputHash: 'a'.repeat(64),
  outputHash: 'b'.repeat(64),
  pii: null,
  decisions: [],
  promptTokens: 10,
  completionTokens: 20,
  finishReason: 'stop',
  error: null,
  ...over,
});

function seed(dir: string, n: number) {
  const db = openDb(join(dir, 'lamplight.db'));
  const log = new AuditLog(db, { dataDir: dir, secrets: new FileSecretStore(dir) });
  for (let i = 1; i <= n; i++) log.append(entry(i, i === 4 ? { finishReason: 'abort', error: 'cancelled' } : {}));
  db.close();
}

describe('lamplight audit', () => {
  it('verify exits 0 on an intact log and 1 naming the first broken record after tampering', async () => {
    const dir = tempDir('lamplight-cli-audit-');
    const empty = await cli('--data-dir', dir, 'audit', 'verify');
    expect(empty.code).toBe(0);
    expect(empty.out).toMatch(/^audit log OK/);

    seed(dir, 12);
    const ok = await cli('--data-dir', dir, 'audit', 'verify', '--json');
    expect(ok.code).toBe(0);
    // Opening the core may itself append records (e.g. a profile created on first start): at least ours.
    const v = JSON.parse(ok.out) as { ok: boolean; count: number };
    expect(v.ok).toBe(true);
    expect(v.count).toBeGreaterThanOrEqual(12);

    const raw = new Database(join(dir, 'lamplight.db'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET body_json = replace(body_json, '\"completionTokens\":20', '\"completionTokens\":2') WHERE seq = 5").run();
    raw.close();
    const broken = await cli('--data-dir', dir, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/BROKEN: record 5: its hash does not match its contents/);
  }, 60_000);

  it('catches dropped last rows through the checkpoint', async () => {
    const dir = tempDir('lamplight-cli-audit-');
    seed(dir, 10);
    const raw = new Database(join(dir, 'lamplight.db'));
    raw.exec('DROP TRIGGER audit_log_no_delete');
    raw.prepare('DELETE FROM audit_log WHERE seq > 8').run();
    raw.close();
    const r = await cli('--data-dir', dir, 'audit', 'verify', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, firstBrokenSeq: 9, message: 'records 9–10 are missing (the log ends at 8 but its checkpoint is at 10)' });
  }, 60_000);

  it('lists with filters and exports JSONL', async () => {
    const dir = tempDir('lamplight-cli-audit-');
    seed(dir, 6);
    const list = await cli('--data-dir', dir, 'audit', 'list', '--path', 'eval', '--json');
    expect(list.code).toBe(0);
    const page = JSON.parse(list.out) as { records: AuditRecord[]; total: number };
    expect(page.total).toBe(3);
    expect(page.records.map((r) => r.seq)).toEqual([6, 4, 2]);
    const text = await cli('--data-dir', dir, 'audit', 'list', '--outcome', 'cancelled');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^\s+4 {2}2026-11-23T09:00:04.000Z {2}ai_call eval .*qwen2\.5.* error: cancelled/);
    expect(text.out.trim().split('\n')).toHaveLength(1);

    const file = join(dir, 'audit.jsonl');
    const exp = await cli('--data-dir', dir, 'audit', 'export', file, '--kind', 'ai_call', '--target', 'QWEN');
    expect(exp.code).toBe(0);
    expect(exp.out).toBe(`6 records written to ${file}\n`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => AuditRecord.parse(JSON.parse(l)).seq)).toEqual([1, 2, 3, 4, 5, 6]);

    const bad = await cli('--data-dir', dir, 'audit', 'list', '--outcome', 'weird');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--outcome must be one of: error, cancelled/);
    expect((await cli('--data-dir', dir, 'audit')).code).toBe(2);
    const missing = await cli('--data-dir', dir, 'audit', 'export', join(dir, 'no', 'x.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/the folder .*no does not exist/);
  }, 60_000);
});
