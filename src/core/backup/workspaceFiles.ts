// Which files a workspace is made of besides its database: every path the schema stores, and the image store's
// files (named by content hash, one per row of `images`). Files inside the data folder are copied into a
// backup; those outside it are only listed. A new path column is added here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ImageMime } from '../../shared/images.schema';
import type { Db } from '../db/openDb';
import { storedImageFile } from '../images/imageStore';

export interface PathColumn {
  table: string;
  column: string;
  /** 'dir': the whole folder (a training package with its outputs). */
  kind: 'file' | 'dir';
}

export const PATH_COLUMNS: readonly PathColumn[] = [
  { table: 'models', column: 'path', kind: 'file' },
  { table: 'adapters', column: 'path', kind: 'file' },
  { table: 'trainings', column: 'dir', kind: 'dir' },
];

/** The database, its WAL and the audit checkpoint: what a restore replaces besides the listed files. */
export const DB_FILE = 'lamplight.db';
/** The image store's folder in the data folder (createCore's ImageStore dir). */
export const IMAGES_DIR = 'images';
export const IMAGE_SOURCE = 'images.hash';
/** A stored image's path in a backup: images/<first 2 hex>/<sha256 of its bytes>.<ext>. */
export const IMAGE_PATH = /^images\/([0-9a-f]{2})\/([0-9a-f]{64})\.(png|jpg|webp)$/;

export const WORKSPACE_CORE_FILES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, 'audit-head.json'] as const;

export interface InsideFile {
  abs: string;
  /** Relative to the data folder, with forward slashes. */
  rel: string;
  size: number;
  mtimeMs: number;
  source: string;
}

export interface ExternalFile {
  path: string;
  source: string;
  exists: boolean;
}

export function insideDir(dir: string, p: string): string | null {
  const rel = relative(dir, p);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Every file the database refers to, split into those inside dataDir (copied) and outside (listed). */
export function workspaceFiles(db: Db, dataDir: string): { inside: InsideFile[]; external: ExternalFile[] } {
  const inside = new Map<string, InsideFile>();
  const external: ExternalFile[] = [];
  for (const pc of PATH_COLUMNS) {
    if (!tableExists(db, pc.table)) continue;
    const source = `${pc.table}.${pc.column}`;
    const paths = (db.prepare(`SELECT DISTINCT ${pc.column} AS p FROM ${pc.table} WHERE ${pc.column} IS NOT NULL`).all() as { p: string }[]).map((r) => r.p);
    for (const p of paths) {
      const exists = existsSync(p);
      if (insideDir(dataDir, p) === null || !exists) {
        external.push({ path: p, source, exists });
        continue;
      }
      const files = pc.kind === 'dir' && statSync(p).isDirectory() ? filesUnder(p) : [p];
      for (const f of files) {
        const rel = insideDir(dataDir, f);
        if (rel === null || inside.has(rel)) continue;
        const st = statSync(f);
        inside.set(rel, { abs: f, rel, size: st.size, mtimeMs: st.mtimeMs, source });
      }
    }
  }
  imageFiles(db, dataDir, inside, external);
  return { inside: [...inside.values()], external };
}

/**
 * The image files the copy's `images` rows name (not the prepared cache or temp files, which the store makes
 * again). A row whose file is gone is listed as missing, as a missing model file is.
 */
function imageFiles(db: Db, dataDir: string, inside: Map<string, InsideFile>, external: ExternalFile[]): void {
  if (!tableExists(db, 'images')) return;
  for (const { hash, mime } of db.prepare('SELECT hash, mime FROM images ORDER BY hash').iterate() as IterableIterator<{ hash: string; mime: ImageMime }>) {
    const rel = `${IMAGES_DIR}/${storedImageFile(hash, mime)}`;
    const abs = join(dataDir, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      external.push({ path: abs, source: IMAGE_SOURCE, exists: false });
      continue;
    }
    inside.set(rel, { abs, rel, size: st.size, mtimeMs: st.mtimeMs, source: IMAGE_SOURCE });
  }
}
