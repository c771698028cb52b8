// Profiles in SQLite: who may act here, their role and access-token hash. The table is also read by datasets
// (labelers' names) and written by nothing else.
import type { AccessLink, Profile } from '../../shared/profiles.schema';
import type { Role } from '../../shared/roles';
import type { Db } from '../db/openDb';

export interface ProfileRow {
  id: string;
  name: string;
  role: Role;
}

interface LinkRow {
  id: string;
  token_hash: string | null;
  token_issued_at: number | null;
  token_expires_at: number | null;
  token_revoked_at: number | null;
  last_seen_at: number | null;
  last_seen_from: string | null;
}

/** A stored link as the contract shows it; expiry is decided against `now`. */
export function accessLink(r: LinkRow, now: number): AccessLink {
  const state = r.token_hash ? (r.token_expires_at !== null && r.token_expires_at <= now ? 'expired' : 'active') : r.token_revoked_at !== null ? 'revoked' : 'none';
  return {
    profileId: r.id,
    state,
    issuedAt: r.token_issued_at,
    expiresAt: r.token_expires_at,
    revokedAt: r.token_revoked_at,
    lastSeenAt: r.last_seen_at,
    lastSeenFrom: r.last_seen_from,
  };
}

const LINK_COLUMNS = 'id, token_hash, token_issued_at, token_expires_at, token_revoked_at, last_seen_at, last_seen_from';

export class ProfilesRepo {
  private readonly getStmt;
  private readonly byTokenStmt;
  private readonly adminsStmt;
  private readonly setRoleStmt;
  private readonly setTokenStmt;
  private readonly linkStmt;
  private readonly seenStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], ProfileRow>('SELECT id, name, role FROM profiles WHERE id = ?');
    this.byTokenStmt = db.prepare<[string], ProfileRow & { expires_at: number | null }>('SELECT id, name, role, token_expires_at AS expires_at FROM profiles WHERE token_hash = ?');
    this.adminsStmt = db.prepare<[], ProfileRow>("SELECT id, name, role FROM profiles WHERE role = 'admin' ORDER BY created_at, id");
    this.setRoleStmt = db.prepare<[Role, string]>('UPDATE profiles SET role = ? WHERE id = ?');
    this.setTokenStmt = db.prepare<[string | null, number | null, number | null, number | null, string]>(
      'UPDATE profiles SET token_hash = ?, token_issued_at = ?, token_expires_at = ?, token_revoked_at = ? WHERE id = ?',
    );
    this.linkStmt = db.prepare<[string], LinkRow>(`SELECT ${LINK_COLUMNS} FROM profiles WHERE id = ?`);
    this.seenStmt = db.prepare<[number, string, string]>('UPDATE profiles SET last_seen_at = ?, last_seen_from = ? WHERE id = ?');
  }

  profile(id: string): ProfileRow | null {
    return this.getStmt.get(id) ?? null;
  }

  /** The profile a token hash names, with when the link expires (null: never). */
  profileByTokenHash(hash: string): (ProfileRow & { expires_at: number | null }) | null {
    return this.byTokenStmt.get(hash) ?? null;
  }

  link(id: string): LinkRow | null {
    return this.linkStmt.get(id) ?? null;
  }

  links(): LinkRow[] {
    return this.db.prepare<[], LinkRow>(`SELECT ${LINK_COLUMNS} FROM profiles ORDER BY name COLLATE NOCASE`).all();
  }

  noteSeen(id: string, at: number, from: string): void {
    this.seenStmt.run(at, from, id);
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

  setToken(id: string, hash: string, issuedAt: number, expiresAt: number): void {
    this.setTokenStmt.run(hash, issuedAt, expiresAt, null, id);
  }

  revokeToken(id: string, at: number): void {
    const r = this.link(id);
    this.setTokenStmt.run(null, r?.token_issued_at ?? null, r?.token_expires_at ?? null, at, id);
  }
}
