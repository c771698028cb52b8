// The images table: one row per stored image file, keyed by the file's sha256.
import type { ImageMime, StoredImage } from '../../shared/images.schema';
import type { Db } from '../db/openDb';

interface ImageRow {
  hash: string;
  name: string;
  mime: ImageMime;
  width: number;
  height: number;
  bytes: number;
  created_at: number;
  added_at: number;
}

const toImage = (r: ImageRow): StoredImage => ({
  hash: r.hash,
  name: r.name,
  mime: r.mime,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  createdAt: r.created_at,
});

export class ImagesRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly touchStmt;
  private readonly staleStmt;
  private readonly deleteStmt;
  private readonly countStmt;

  constructor(private readonly db: Db) {
    // A second add of the same bytes keeps the first row (its name and creation time).
    this.insertStmt = db.prepare(`
      INSERT INTO images (hash, name, mime, width, height, bytes, created_at, added_at)
      VALUES (@hash, @name, @mime, @width, @height, @bytes, @createdAt, @createdAt)
      ON CONFLICT (hash) DO UPDATE SET added_at = excluded.added_at`);
    this.getStmt = db.prepare<[string], ImageRow>('SELECT * FROM images WHERE hash = ?');
    this.touchStmt = db.prepare('UPDATE images SET added_at = ? WHERE hash = ?');
    this.staleStmt = db.prepare<[number], Pick<ImageRow, 'hash' | 'mime'>>('SELECT hash, mime FROM images WHERE added_at < ?');
    this.deleteStmt = db.prepare('DELETE FROM images WHERE hash = ? AND added_at < ?');
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images');
  }

  /** Inserts the row, or marks an existing one as added now; returns the stored row. */
  upsert(image: StoredImage): StoredImage {
    this.insertStmt.run(image);
    return this.get(image.hash) as StoredImage;
  }

  get(hash: string): StoredImage | null {
    const row = this.getStmt.get(hash);
    return row ? toImage(row) : null;
  }

  touch(hash: string, at: number): void {
    this.touchStmt.run(at, hash);
  }

  /** Images last added before `before` (candidates for garbage collection). */
  addedBefore(before: number): { hash: string; mime: ImageMime }[] {
    return this.staleStmt.all(before);
  }

  /** Deletes the row unless it was added again since `before` (an add racing the collector wins). */
  delete(hash: string, before: number): boolean {
    return this.deleteStmt.run(hash, before).changes > 0;
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
