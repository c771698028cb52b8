// An image stored the way Lamplight stored WebP before it converted WebP on add: the WebP bytes as they
// came (metadata already stripped), under images/<2 hex>/<hash>.webp, with an 'image/webp' row.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { StoredImage } from '../../../shared/images.schema';
import type { Core } from '../../createCore';
import { ImagesRepo } from '../images.repo';
import { sha256 } from '../prepare';

export async function storeWebpTheOldWay(core: Pick<Core, 'db' | 'images'>, name: string, webp: Buffer): Promise<StoredImage> {
  const { width, height, format } = await sharp(webp).metadata();
  if (format !== 'webp') throw new Error(`${name}: not a WebP (${format})`);
  const hash = sha256(webp);
  mkdirSync(join(core.images.dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
  writeFileSync(join(core.images.dir, hash.slice(0, 2), `${hash}.webp`), webp, { mode: 0o600 });
  return new ImagesRepo(core.db).upsert({ hash, name, mime: 'image/webp', width, height, bytes: webp.length, createdAt: Date.now() });
}
