import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations as allMigrations } from './migrations/index';
import type { Migration } from './migrations/types';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(file: string, found: number, known: number, appVersion?: string) {
    const self = appVersion ? `Lamplight ${appVersion}` : 'this build';
    super(`${file} was written by a newer Lamplight (database schema ${found}; ${self} knows up to schema ${known}). Update Lamplight; the file was not changed.`);
    this.name = 'DatabaseTooNewError';
  }
}

/** Opens (creating if needed) the one Lamplight database and brings its schema up to date. */
/** appVersion: named in the refusal of a database from a newer build. */
export function openDb(file: string, migrations: readonly Migration[] = allMigrations, appVersion?: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // Before any pragma: switching a newer build's file to WAL would already change its header.
    const latest = migrations.at(-1)?.version ?? 0;
    const found = schemaVersion(db);
    if (found > latest) throw new DatabaseTooNewError(file, found, latest, appVersion);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // An AI call writes ~12 pages (its run, audit record, eval cell); at the default 1000 pages SQLite copied the
    // same hot pages back and synced every ~80 calls: ~30% of an evaluation's write time. 4000 pages = 16 MB of WAL.
    db.pragma('wal_autocheckpoint = 4000');
    migrate(db, file, migrations, undefined, appVersion);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** All pending migrations run in one transaction: a failure leaves the file exactly as it was. */
export function migrate(db: Db, file: string, migrations: readonly Migration[], target?: number, appVersion?: string): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DatabaseTooNewError(file, current, latest, appVersion);
  const pending = migrations.filter((m) => m.version > current && (target === undefined || m.version <= target));
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}
