// A change and its audit record commit in one transaction, so a crash keeps both or neither. The chaos
// harness (npm run test:chaos) found the gap: a SIGKILL between saving a policy, a finished run or an
// interrupted run and appending its record left the change with no record. Here the moment between the
// two is observed from a second connection, which must still see the old state.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Core } from '../createCore';
import { RunsRepo } from './runs.repo';
import { startFakeVllm } from '../remote/testing/fakeVllm';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore, tempDir } from '../testing/testCore';
import { GuardService } from '../guard/guard.service';
import { RunGate } from '../guard/runGate';

const opened = closeAfterEach();

function reader(core: Core): Database.Database {
  const db = new Database(join(core.dataDir, 'lamplight.db'), { readonly: true });
  opened.core({ close: async () => db.close() });
  return db;
}

const policyRecords = (core: Core) => core.db.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'policy'").get() as { n: number };

describe('audited changes are atomic with their record', () => {
  it('a policy whose record cannot be written is not stored either', async () => {
    const core = opened.core(openTestCore());
    const before = core.db.prepare('SELECT policy_json FROM guard_policy').all();
    // The audit insert fails right after the policy was saved, as a crash there would interrupt it.
    core.db.exec("CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON main.audit_log BEGIN SELECT RAISE(ABORT, 'disk gone'); END");
    await expect(core.invoke('guard.setPolicy', { policy: { output: { rules: [{ kind: 'maxLength', name: 'cap', chars: 10 }] } } })).rejects.toThrow(/disk gone/);
    expect(core.db.prepare('SELECT policy_json FROM guard_policy').all()).toEqual(before);
    core.db.exec('DROP TRIGGER fail_audit');
    await core.invoke('guard.setPolicy', { policy: { output: { rules: [{ kind: 'maxLength', name: 'cap', chars: 10 }] } } });
    expect(policyRecords(core).n).toBe(1);
    expect(core.guard.audit.verify().ok).toBe(true);
  });

  it('a finished run and its ai_call record become visible together', async () => {
    const core = opened.core(openTestCore());
    const server = opened.server(await startFakeVllm({ lifetimeMs: 30_000 }));
    const t = await core.invoke('targets.add', { name: 'box', baseUrls: [server.baseUrl] });
    const other = reader(core);
    const seen: string[] = [];
    const audit = RunGate.prototype.audit;
    const spy = vi.spyOn(RunGate.prototype, 'audit').mockImplementation(function (this: RunGate, rec, received) {
      // Another process looking now must not find the run done without its record.
      seen.push((other.prepare('SELECT status FROM runs WHERE id = ?').get(rec.id) as { status: string }).status);
      audit.call(this, rec, received);
    });
    const { runId } = await core.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: server.baseModel }, userMessage: 'hi' });
    const done = await core.runs.wait(runId);
    spy.mockRestore();
    expect(done.status).toBe('done');
    expect(seen).toEqual(['running']);
    expect(core.db.prepare("SELECT count(*) AS n FROM audit_log WHERE json_extract(body_json, '$.runId') = ?").get(runId)).toEqual({ n: 1 });
  });

  it('each run a dead process left running is ended and audited in one transaction', async () => {
    const dir = tempDir();
    const first = openTestCore({ dataDir: dir });
    const repo = new RunsRepo(first.db);
    for (const id of ['01JRUN000000000000000000A1', '01JRUN000000000000000000A2']) {
      repo.insert({ id, source: 'playground', target: { kind: 'local', modelId: 'M' }, modelId: null, modelName: 'm', systemPrompt: '', userMessage: 'u', variables: {}, params: {} as never, loadSettings: null, jsonSchema: null, startedAt: 1, guard: null });
    }
    await first.close();

    const seen: string[] = [];
    let other: Database.Database | null = null;
    const record = GuardService.prototype.recordInterrupted;
    const spy = vi.spyOn(GuardService.prototype, 'recordInterrupted').mockImplementation(function (this: GuardService, rec) {
      other ??= new Database(join(dir, 'lamplight.db'), { readonly: true });
      seen.push((other.prepare('SELECT status FROM runs WHERE id = ?').get(rec.id) as { status: string }).status);
      record.call(this, rec);
    });
    const core = opened.core(openTestCore({ dataDir: dir }));
    spy.mockRestore();
    (other as Database.Database | null)?.close();
    expect(seen).toEqual(['running', 'running']);
    expect(core.db.prepare("SELECT count(*) AS n FROM runs WHERE stop_reason = 'interrupted'").get()).toEqual({ n: 2 });
    expect(core.db.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'ai_call'").get()).toEqual({ n: 2 });
    // One record per commit: the checkpoint rule (at most one record past it) holds at every moment.
    expect(core.guard.audit.verify()).toMatchObject({ ok: true, headSeq: 2, checkpointSeq: 2 });
  });
});
