// Profiles in SQLite: who may act here, their role and access-token hash. The table is also read by datasets
// (labelers' names) and written by nothing else.
import type { Profile } from '../../shared/profiles.schema';
import type { Role } from '../../shared/roles';
import type { Db } from '../db/openDb';

export interface ProfileRow {
  id: string;
  name: string;
  role: Role;
}

export class ProfilesRepo {
  private readonly getStmt;
  private readonly byTokenStmt;
  private readonly adminsStmt;
  private readonly setRoleStmt;
  private readonly setTokenStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], ProfileRow>('SELECT id, name, role FROM profiles WHERE id = ?');
    this.byTokenStmt = db.prepare<[string], ProfileRow>('SELECT id, name, role FROM profiles WHERE token_hash = ?');
    this.adminsStmt = db.prepare<[], ProfileRow>("SELECT id, name, role FROM profiles WHERE role = 'admin' ORDER BY created_at, id");
    this.setRoleStmt = db.prepare<[Role, string]>('UPDATE profiles SET role = ? WHERE id = ?');
    this.setTokenStmt = db.prepare<[string, string]>('UPDATE profiles SET token_hash = ? WHERE id = ?');
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

  list(): Profile[] {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM profiles ORDER BY name COLLATE NOCASE').all() as Profile[];
  }

  insert(p: Profile): void {
    this.db.prepare('INSERT INTO profiles (id, name, role, created_at) VALUES (?, ?, ?, ?)').run(p.id, p.name, p.role, p.createdAt);
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
}
