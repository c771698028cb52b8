// Image cells of a test set file: a path (relative to the file, or absolute), a data:image/…;base64, URI, or
// the hash of an image already stored. Each becomes a stored image (content hash) that the row keeps.
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { StoredImage } from '../../shared/images.schema';
import { isImageHash } from '../../shared/imageVars';
import type { ColumnMapping, PreviewRow } from '../../shared/testsets.schema';

/** What test sets need of the image store (core.images). */
export interface TestSetImages {
  add(path: string, name?: string): Promise<StoredImage> | StoredImage;
  addData(name: string, bytes: Uint8Array): Promise<StoredImage> | StoredImage;
  get(hash: string): unknown;
  registerRefs(name: string, refs: () => Iterable<string>): void;
}

export type CellResult = { ok: true; hash: string } | { ok: false; reason: string };

const DATA_URI = /^data:(image\/[a-z0-9.+-]+);base64,(.*)$/is;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether the store holds the hash (its get may return null or throw NOT_FOUND). */
export async function hasImage(images: TestSetImages, hash: string): Promise<boolean> {
  try {
    return ((await images.get(hash)) ?? null) !== null;
  } catch {
    return false;
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Resolves cells of one import; the same path or URI in many rows is read once. */
export class ImageCellReader {
  private readonly seen = new Map<string, CellResult>();
  /** Every hash this import stored or used, so GC keeps them until the rows are committed. */
  readonly hashes = new Set<string>();

  constructor(
    private readonly images: TestSetImages,
    private readonly filePath: string,
  ) {}

  /** `line`: the file line, which names an embedded image (there is no file name). */
  async read(value: string, line: number): Promise<CellResult> {
    const v = value.trim();
    if (v === '') return { ok: true, hash: '' };
    const cached = this.seen.get(v);
    if (cached) return cached;
    const r = await this.resolveCell(v, `${basename(this.filePath)} line ${line}`);
    this.seen.set(v, r);
    if (r.ok) this.hashes.add(r.hash);
    return r;
  }

  private async resolveCell(v: string, what: string): Promise<CellResult> {
    if (/^data:/i.test(v)) {
      const m = DATA_URI.exec(v);
      if (!m) return { ok: false, reason: 'a data URI must be data:image/<type>;base64,<data>' };
      const data = (m[2] as string).replace(/\s+/g, '');
      if (data === '' || data.length % 4 === 1 || !BASE64.test(data)) return { ok: false, reason: 'the data URI is not valid base64' };
      return this.store(() => this.images.addData(what, Buffer.from(data, 'base64')), what, `the ${m[1] as string} data URI`);
    }
    if (isImageHash(v)) {
      return (await hasImage(this.images, v)) ? { ok: true, hash: v } : { ok: false, reason: `no stored image has the hash ${v}` };
    }
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(v)) return { ok: false, reason: `${v}: URLs are not fetched; give a file path or a data: URI` };
    const path = isAbsolute(v) ? v : resolve(dirname(this.filePath), v);
    return this.store(() => this.images.add(path, basename(path)), basename(path), basename(path));
  }

  /** The store names the image it refuses (`shown`); the reason names the source as the user wrote it. */
  private async store(add: () => Promise<StoredImage> | StoredImage, shown: string, source: string): Promise<CellResult> {
    try {
      return { ok: true, hash: (await add()).hash };
    } catch (e) {
      const msg = errorText(e);
      return { ok: false, reason: msg.includes(shown) ? msg.replace(shown, source) : `${source}: ${msg}` };
    }
  }
}

/** The source column of each image variable of a mapping. */
export function imageColumns(mapping: ColumnMapping): { column: string; name: string }[] {
  const byName = new Map(Object.entries(mapping.variables).map(([column, name]) => [name, column]));
  return mapping.images.flatMap((name) => {
    const column = byName.get(name);
    return column === undefined ? [] : [{ column, name }];
  });
}

const IMAGE_CELL = /^data:image\/|\.(png|jpe?g|webp|gif)$/i;

/**
 * Variables whose preview cells all look like images: paths ending .png/.jpg/.webp/.gif, data:image URIs, or
 * hashes of images stored here (what exportJsonl writes, so an export imports back with images).
 */
export async function suggestImages(mapping: ColumnMapping, rows: readonly PreviewRow[], images?: TestSetImages): Promise<ColumnMapping> {
  const picked: string[] = [];
  for (const [column, name] of Object.entries(mapping.variables)) {
    const cells = rows.map((r) => (r.values[column] ?? '').trim()).filter((c) => c !== '');
    if (cells.length === 0) continue;
    let all = true;
    for (const c of cells) {
      if (IMAGE_CELL.test(c) || (images && isImageHash(c) && (await hasImage(images, c)))) continue;
      all = false;
      break;
    }
    if (all) picked.push(name);
  }
  return { ...mapping, images: picked };
}
