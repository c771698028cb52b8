// Interim projector header reader for the vision engine, until src/core/vision/projector.ts (h/visionfix)
// is merged: the same checks with the fewest lines. Replace the imports of this file with projector.ts then.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ProjectorInfo } from '../../shared/vision.schema';
import { CoreError } from '../errors';
import { GgufFormatError, readGgufHeader, type GgufKv } from '../models/ggufHeader';

function num(kv: GgufKv | undefined): number | null {
  if (!kv || kv.type === 'array' || kv.value === null) return null;
  return typeof kv.value === 'number' ? kv.value : typeof kv.value === 'bigint' ? Number(kv.value) : null;
}

export async function readProjectorInfo(path: string): Promise<ProjectorInfo> {
  let header;
  try {
    header = await readGgufHeader(path);
  } catch (e) {
    if (e instanceof GgufFormatError) throw new CoreError('BAD_INPUT', `${path}: not a readable projector: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CoreError('NOT_FOUND', `projector not found: ${path}`);
    throw e;
  }
  const kv = header.kv;
  const type = kv.get('clip.projector_type') ?? kv.get('clip.vision.projector_type');
  const hasVision = kv.get('clip.has_vision_encoder');
  if (!hasVision && !type) throw new CoreError('BAD_INPUT', `${path}: not a vision projector (no clip.* metadata; is it the text model?)`);
  return {
    path,
    projectorType: type && type.type !== 'array' && typeof type.value === 'string' ? type.value : null,
    hasVisionEncoder: hasVision?.type === 'array' ? false : hasVision?.value === true,
    imageSize: num(kv.get('clip.vision.image_size')),
    patchSize: num(kv.get('clip.vision.patch_size')),
    projectionDim: num(kv.get('clip.vision.projection_dim')),
    spatialMerge: num(kv.get('clip.vision.spatial_merge_size')),
    bytes: header.fileSize,
  };
}

/** Refuses a projector whose output does not fit the text model's embedding, with both numbers. */
export function checkProjectorPair(projector: ProjectorInfo, model: { path: string; embeddingLength: number | null }): void {
  if (!projector.hasVisionEncoder) throw new CoreError('BAD_INPUT', `${basename(projector.path)} has no vision encoder (clip.has_vision_encoder is not true)`);
  if (projector.projectionDim !== null && model.embeddingLength !== null && projector.projectionDim !== model.embeddingLength) {
    throw new CoreError(
      'BAD_INPUT',
      `${basename(projector.path)} does not fit ${basename(model.path)}: the projector's projection dimension is ${projector.projectionDim} but the model's embedding length is ${model.embeddingLength}`,
    );
  }
}

/** The first mmproj*.gguf in the model's folder, or null. */
export async function findProjectorBeside(modelPath: string): Promise<ProjectorInfo | null> {
  const dir = dirname(modelPath);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /mmproj.*\.gguf$/i.test(n)).sort();
  for (const n of names) {
    const p = join(dir, n);
    if (!(await stat(p)).isFile()) continue;
    try {
      return await readProjectorInfo(p);
    } catch {
      // an unreadable candidate is not the projector
    }
  }
  return null;
}
