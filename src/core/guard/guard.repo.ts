// Profiles as the guard sees them (role, access-token hash) and the one stored policy document.
import type { Role } from '../../shared/roles';
import type { Db } from '../db/openDb';

export interface ProfileRow {
  id: string;
  name: string;
  role: Role;
}

export class GuardRepo {
  private readonly getStmt;
  private readonly byTokenStmt;
  private readonly adminsStmt;
  private readonly setRoleStmt;
  private readonly setTokenStmt;
  private readonly policyStmt;
  private readonly savePolicyStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], ProfileRow>('SELECT id, name, role FROM profiles WHERE id = ?');
    this.byTokenStmt = db.prepare<[string], ProfileRow>('SELECT id, name, role FROM profiles WHERE token_hash = ?');
    this.adminsStmt = db.prepare<[], ProfileRow>("SELECT id, name, role FROM profiles WHERE role = 'admin' ORDER BY created_at, id");
    this.setRoleStmt = db.prepare<[Role, string]>('UPDATE profiles SET role = ? WHERE id = ?');
    this.setTokenStmt = db.prepare<[string, string]>('UPDATE profiles SET token_hash = ? WHERE id = ?');
    this.policyStmt = db.prepare<[], { policy_json: string }>('SELECT policy_json FROM guard_policy WHERE id = 1');
    this.savePolicyStmt = db.prepare<[string, number, string | null]>(
      `INSERT INTO guard_policy (id, policy_json, updated_at, updated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET policy_json = excluded.policy_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
  }

  profile(id: string): ProfileRow | null {
    return this.getStmt.get(id) ?? null;
  }

  profileByTokenHash(hash: string): ProfileRow | null {
    return this.byTokenStmt.get(hash) ?? null;
  }

  admins(): ProfileRow[] {
    return this.adminsStmt.all();
  }

  /** The first admin, made on first start: the person who owns this data folder. */
  ensureOwner(id: string, now: number): ProfileRow {
    return this.db.transaction(() => {
      const first = this.admins()[0];
      if (first) return first;
      const taken = new Set(this.db.prepare<[], { name: string }>('SELECT lower(name) AS name FROM profiles').all().map((r) => r.name));
      let name = 'Owner';
      for (let i = 2; taken.has(name.toLowerCase()); i++) name = `Owner ${i}`;
      this.db.prepare("INSERT INTO profiles (id, name, role, created_at) VALUES (?, ?, 'admin', ?)").run(id, name, now);
      return { id, name, role: 'admin' as const };
    }).immediate();
  }

  setRole(id: string, role: Role): void {
    this.setRoleStmt.run(role, id);
  }

  setTokenHash(id: string, hash: string): void {
    this.setTokenStmt.run(hash, id);
  }

  policyJson(): string | null {
    return this.policyStmt.get()?.policy_json ?? null;
  }

  savePolicy(json: string, now: number, by: string | null): void {
    this.savePolicyStmt.run(json, now, by);
  }
}
