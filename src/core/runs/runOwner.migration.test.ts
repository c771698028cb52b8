// Migration 0200: runs made before it learn who started them from their audit record, so their own profile
// may remove them without admin; a run the log does not name stays without an owner (admin only). The
// child tables a removal touches are looked up by index, not scanned.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index';
import { migrate } from '../db/openDb';

describe('migration 0200 (run owners)', () => {
  it('backfills runs.profile_id from the ai_call audit records and indexes the run references', () => {
    const db = new Database(':memory:');
    migrate(db, ':memory:', migrations, 180);
    const run = db.prepare(
      "INSERT INTO runs (id, model_name, system_prompt, user_message, variables_json, params_json, status, started_at) VALUES (?, 'm', '', 'hi', '{}', '{}', 'done', 1)",
    );
    for (const id of ['r1', 'r2', 'r3']) run.run(id);
    const audit = db.prepare(
      "INSERT INTO audit_log (seq, id, kind, started_at, profile_id, path, body_json, prev_hash, hash) VALUES (?, ?, ?, 1, ?, 'playground', ?, '', '')",
    );
    audit.run(1, 'a1', 'ai_call', 'P1', JSON.stringify({ runId: 'r1' }));
    audit.run(2, 'a2', 'ai_call', 'P2', JSON.stringify({ runId: 'r2' }));
    // A record of another kind naming r3 (e.g. a removal) is not who started it.
    audit.run(3, 'a3', 'profile', 'P9', JSON.stringify({ runId: 'r3' }));
    migrate(db, ':memory:', migrations);
    expect(db.prepare('SELECT id, profile_id FROM runs ORDER BY id').all()).toEqual([
      { id: 'r1', profile_id: 'P1' },
      { id: 'r2', profile_id: 'P2' },
      { id: 'r3', profile_id: null },
    ]);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan("SELECT 1 FROM eval_results WHERE run_id = 'r1'")).toMatch(/eval_results_run/);
    expect(plan("SELECT 1 FROM eval_results WHERE judge_run_id = 'r1'")).toMatch(/eval_results_judge_run/);
    expect(plan("SELECT 1 FROM comparison_runs WHERE run_id = 'r1'")).toMatch(/comparison_runs_run/);
    expect(plan("SELECT 1 FROM bench_requests WHERE run_id = 'r1'")).toMatch(/bench_requests_run/);
    expect(plan("SELECT id FROM runs WHERE profile_id = 'P1' AND started_at < 5")).toMatch(/runs_profile/);
  });
});
