// Migration 0190 widens the CHECK on profiles.role by replacing the column: profiles made before keep their
// role, their tokens and everything that references them, and the CHECK still refuses an unknown role.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../openDb';
import { migrations } from './index';

describe('migration 0190: the reviewer role', () => {
  it('keeps every existing profile and its role, accepts reviewer, still refuses an unknown role', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, ':memory:', migrations, 180);
    expect(schemaVersion(db)).toBe(180);
    // No index, view or trigger may name profiles.role, or DROP COLUMN would fail.
    const naming = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'view', 'trigger') AND sql LIKE '%role%'").all();
    expect(naming).toEqual([]);
    const before = ['admin', 'prompt_engineer', 'labeler', 'analyst'].map((role, i) => ({ id: `p${i}`, name: `P${i}`, role }));
    const ins = db.prepare('INSERT INTO profiles (id, name, created_at, role, token_hash, token_issued_at) VALUES (@id, @name, 1, @role, @hash, 2)');
    for (const p of before) ins.run({ ...p, hash: `h-${p.id}` });
    // Rows and keys that reference profiles survive the column swap.
    db.prepare("INSERT INTO api_keys (id, profile_id, name, prefix, key_hash, scope, created_at) VALUES ('k1', 'p2', 'k', 'lk_', 'kh', 'inference', 1)").run();
    expect(() => db.prepare("INSERT INTO profiles (id, name, created_at, role) VALUES ('x', 'X', 1, 'reviewer')").run()).toThrow(/CHECK constraint/);

    migrate(db, ':memory:', migrations);
    expect(schemaVersion(db)).toBe(migrations.at(-1)?.version);
    expect(db.prepare('SELECT id, name, role FROM profiles ORDER BY id').all()).toEqual(before);
    expect(db.prepare("SELECT token_hash, token_issued_at FROM profiles WHERE id = 'p1'").get()).toEqual({ token_hash: 'h-p1', token_issued_at: 2 });
    expect(db.prepare("SELECT profile_id FROM api_keys WHERE id = 'k1'").get()).toEqual({ profile_id: 'p2' });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    db.prepare("INSERT INTO profiles (id, name, created_at, role) VALUES ('r', 'Rita', 1, 'reviewer')").run();
    expect(db.prepare("SELECT role FROM profiles WHERE id = 'r'").get()).toEqual({ role: 'reviewer' });
    expect(() => db.prepare("INSERT INTO profiles (id, name, created_at, role) VALUES ('y', 'Y', 1, 'owner')").run()).toThrow(/CHECK constraint failed: role IN/);
    expect(() => db.prepare("UPDATE profiles SET role = 'superuser' WHERE id = 'p0'").run()).toThrow(/CHECK constraint/);
    // The token lookup index still serves its query.
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM profiles WHERE token_hash = 'h-p1'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/profiles_token/);
  });
});
