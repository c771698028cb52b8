// The one stored guard policy document (profiles, their roles and tokens, are in profiles.repo).
import type { Db } from '../db/openDb';

export class GuardRepo {
  private readonly policyStmt;
  private readonly savePolicyStmt;

  constructor(db: Db) {
    this.policyStmt = db.prepare<[], { policy_json: string }>('SELECT policy_json FROM guard_policy WHERE id = 1');
    this.savePolicyStmt = db.prepare<[string, number, string | null]>(
      `INSERT INTO guard_policy (id, policy_json, updated_at, updated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET policy_json = excluded.policy_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
  }

  policyJson(): string | null {
    return this.policyStmt.get()?.policy_json ?? null;
  }

  savePolicy(json: string, now: number, by: string | null): void {
    this.savePolicyStmt.run(json, now, by);
  }
}
