import type { AcceptsImages, Timeouts } from '../../shared/targets.schema';
import type { Db } from '../db/openDb';

interface TargetRow {
  id: string;
  name: string;
  base_urls_json: string;
  has_api_key: number;
  header_names_json: string;
  timeouts_json: string;
  max_retries: number;
  created_at: number;
  accepts_images: AcceptsImages;
  max_image_pixels: number;
  vision_json: string;
}

/** What SQLite keeps of a target: no key, no header values. */
export interface StoredTarget {
  id: string;
  name: string;
  baseUrls: string[];
  hasApiKey: boolean;
  headerNames: string[];
  timeouts: Timeouts;
  maxRetries: number;
  createdAt: number;
  acceptsImages: AcceptsImages;
  maxImagePixels: number;
  /** What the server said per model at the last check (true: takes images); a model absent said nothing. */
  vision: Record<string, boolean>;
}

function toTarget(r: TargetRow): StoredTarget {
  return {
    id: r.id,
    name: r.name,
    baseUrls: JSON.parse(r.base_urls_json) as string[],
    hasApiKey: r.has_api_key === 1,
    headerNames: JSON.parse(r.header_names_json) as string[],
    timeouts: JSON.parse(r.timeouts_json) as Timeouts,
    maxRetries: r.max_retries,
    createdAt: r.created_at,
    acceptsImages: r.accepts_images,
    maxImagePixels: r.max_image_pixels,
    vision: JSON.parse(r.vision_json) as Record<string, boolean>,
  };
}

export class TargetsRepo {
  private readonly upsertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(`
      INSERT INTO targets (id, name, base_urls_json, has_api_key, header_names_json, timeouts_json, max_retries, created_at,
        accepts_images, max_image_pixels, vision_json)
      VALUES (@id, @name, @baseUrlsJson, @hasApiKey, @headerNamesJson, @timeoutsJson, @maxRetries, @createdAt,
        @acceptsImages, @maxImagePixels, @visionJson)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, base_urls_json = excluded.base_urls_json,
        has_api_key = excluded.has_api_key, header_names_json = excluded.header_names_json,
        timeouts_json = excluded.timeouts_json, max_retries = excluded.max_retries,
        accepts_images = excluded.accepts_images, max_image_pixels = excluded.max_image_pixels, vision_json = excluded.vision_json`);
    this.getStmt = db.prepare<[string], TargetRow>('SELECT * FROM targets WHERE id = ?');
    this.listStmt = db.prepare<[], TargetRow>('SELECT * FROM targets ORDER BY created_at, id');
    this.deleteStmt = db.prepare('DELETE FROM targets WHERE id = ?');
  }

  save(t: StoredTarget): StoredTarget {
    this.upsertStmt.run({
      id: t.id,
      name: t.name,
      baseUrlsJson: JSON.stringify(t.baseUrls),
      hasApiKey: t.hasApiKey ? 1 : 0,
      headerNamesJson: JSON.stringify(t.headerNames),
      timeoutsJson: JSON.stringify(t.timeouts),
      maxRetries: t.maxRetries,
      createdAt: t.createdAt,
      acceptsImages: t.acceptsImages,
      maxImagePixels: t.maxImagePixels,
      visionJson: JSON.stringify(t.vision),
    });
    return this.get(t.id) as StoredTarget;
  }

  get(id: string): StoredTarget | null {
    const r = this.getStmt.get(id);
    return r ? toTarget(r) : null;
  }

  list(): StoredTarget[] {
    return this.listStmt.all().map(toTarget);
  }

  remove(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
