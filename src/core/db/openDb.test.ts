import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations/index';
import { DatabaseTooNewError, migrate, openDb, schemaVersion } from './openDb';

describe('openDb and migrations', () => {
  it('migrates a new database to the latest version with WAL and foreign keys on', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lamplight-db-')), 'lamplight.db');
    const db = openDb(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)?.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Checkpoints every 16 MB of WAL, not every 4 MB (see openDb): an evaluation's writes halve the syncs.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['comparison_runs', 'comparisons', 'eval_results', 'eval_rows', 'evals', 'models', 'prompt_label_events', 'prompt_labels', 'prompt_versions', 'prompts', 'runs', 'targets', 'test_set_rows', 'test_sets', 'dataset_label_events', 'dataset_rows', 'datasets', 'profiles', 'adapters', 'trainings', 'bench_runs', 'bench_requests', 'cost_profiles', 'guard_policy', 'audit_log', 'images', 'team_assignments', 'team_tasks', 'team_labels', 'team_reviews', 'api_keys', 'api_usage', 'run_images', 'extraction_templates', 'extraction_template_versions'].sort());
    for (const t of tables) expect(t.sql).toMatch(/STRICT$/);
    db.close();
  });

  // Versions are numbered in tens and handed out per feature branch, so a number may be skipped; order matters.
  it('versions are multiples of 10 in increasing order', () => {
    migrations.forEach((m, i) => {
      expect(m.version % 10).toBe(0);
      if (i > 0) expect(m.version).toBeGreaterThan(migrations[i - 1]?.version ?? 0);
    });
  });

  it('refuses a database written by a newer build and leaves it untouched', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lamplight-db-')), 'lamplight.db');
    const raw = new Database(file);
    raw.pragma('user_version = 990');
    raw.exec('CREATE TABLE future (x INTEGER)');
    raw.close();
    const bytes = readFileSync(file);
    expect(() => openDb(file, migrations, '1.2.3')).toThrow(/database schema 990; Lamplight 1\.2\.3 knows up to schema \d+/);
    expect(() => openDb(file)).toThrow(DatabaseTooNewError);
    // Byte for byte: not even switched to WAL.
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(990);
    again.close();
  });

  it('a failing migration rolls back as a whole', () => {
    const db = new Database(':memory:');
    const broken = [...migrations, { version: 9999, name: 'broken', up: 'CREATE TABLE ok_then (x INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, ':memory:', broken)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('models', 'ok_then')").get()).toEqual({ n: 0 });
  });

  it('hot queries use their indexes', () => {
    const db = openDb(':memory:');
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan('SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 100')).toMatch(/runs_started_at/);
    expect(plan('SELECT id FROM runs WHERE started_at < 5 ORDER BY started_at DESC LIMIT 100')).toMatch(/runs_started_at/);
    expect(plan("SELECT id FROM runs WHERE model_id = 'x' ORDER BY started_at DESC")).toMatch(/runs_model_id/);
    expect(plan("SELECT * FROM models WHERE path = '/a'")).toMatch(/sqlite_autoindex_models/);
    expect(plan("SELECT id FROM runs WHERE target_id = 't' ORDER BY started_at DESC")).toMatch(/runs_target/);
    expect(plan('SELECT * FROM comparisons ORDER BY created_at DESC, id DESC LIMIT 50')).toMatch(/comparisons_created_at/);
    expect(plan("SELECT run_id FROM comparison_runs WHERE comparison_id = 'c' ORDER BY position")).toMatch(/sqlite_autoindex_comparison_runs/);
    expect(plan('SELECT * FROM trainings ORDER BY created_at DESC, id DESC')).toMatch(/trainings_created/);
    expect(plan("SELECT id FROM trainings WHERE state IN ('running', 'converting')")).toMatch(/trainings_active/);
    expect(plan('SELECT * FROM bench_runs ORDER BY created_at DESC, id DESC LIMIT 50')).toMatch(/bench_runs_created/);
    expect(plan("SELECT * FROM bench_requests WHERE bench_id = 'b' AND cell = 0 ORDER BY ord")).toMatch(/bench_requests_cell/);
  });

  it('a version-10 database with runs is carried to the latest version, keeping its runs', () => {
    const db = new Database(':memory:');
    migrate(db, ':memory:', migrations, 10);
    expect(schemaVersion(db)).toBe(10);
    db.prepare(
      "INSERT INTO runs (id, model_name, system_prompt, user_message, variables_json, params_json, status, started_at) VALUES ('r1', 'm', '', 'hi', '{}', '{}', 'done', 1)",
    ).run();
    migrate(db, ':memory:', migrations);
    expect(db.prepare("SELECT source, target_kind, chunk_times_json FROM runs WHERE id = 'r1'").get()).toEqual({
      source: 'playground',
      target_kind: 'local',
      chunk_times_json: '[]',
    });
  });
});
