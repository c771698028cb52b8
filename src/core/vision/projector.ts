// Vision projectors (mmproj GGUF, `general.architecture = clip`): their header read without loading them,
// the check that a projector fits a text model, and finding the projector that belongs to a model.
// The header goes through the models library's bounded reader, so a hostile file is refused, not trusted.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ProjectorInfo } from '../../shared/vision.schema';
import { CoreError } from '../coreError';
import { qwenVlTokens } from '../images/imageTokens';
import { GgufFormatError, readGgufHeader, type GgufHeader, type GgufKv } from '../models/ggufHeader';
import { ModelFileError } from '../models/ggufInspect';
import { pickProjectorName } from '../models/projectorFiles';

// The naming rules live beside the downloads that use them too; they are part of this module's surface.
export { pickProjectorName, projectorUriFromRepo } from '../models/projectorFiles';

function str(kv: Map<string, GgufKv>, key: string): string | null {
  const v = kv.get(key);
  return v?.type === 'string' && typeof v.value === 'string' ? v.value : null;
}

function int(kv: Map<string, GgufKv>, key: string): number | null {
  const v = kv.get(key);
  if (!v || v.type === 'array' || v.type === 'string' || v.type === 'bool' || v.type.startsWith('float')) return null;
  return typeof v.value === 'number' && Number.isSafeInteger(v.value) && v.value > 0 ? v.value : null;
}

/**
 * Where llama.cpp's clip reads the width a projector hands the text model (clip_n_mmproj_embd): the
 * tensor and dimension, per projector type. `clip.vision.projection_dim` is not it for every type (LLaVA
 * files carry CLIP's own 768 there while their MLP outputs 4096), so the tensor wins when it is present.
 */
const OUTPUT_DIM: Record<string, readonly [tensor: string, dim: 0 | 1]> = {
  mlp: ['mm.2.weight', 1],
  mlp_norm: ['mm.3.bias', 0],
  ldp: ['mm.model.mb_block.1.block.2.1.bias', 0],
  ldpv2: ['mm.model.peg.0.bias', 0],
  resampler: ['resampler.proj.weight', 0],
  adapter: ['adapter.linear.dense_4h_to_h.weight', 1],
  qwen2vl_merger: ['mm.2.bias', 0],
  'qwen2.5vl_merger': ['mm.2.bias', 0],
  'qwen2.5o': ['mm.2.bias', 0],
  qwen3vl_merger: ['mm.2.bias', 0],
  gemma3: ['mm.input_projection.weight', 0],
  idefics3: ['mm.model.fc.weight', 1],
  pixtral: ['mm.2.weight', 1],
  internvl: ['mm.3.weight', 1],
  kimivl: ['mm.2.weight', 1],
  lfm2: ['mm.2.weight', 1],
};

/** Merge types whose default spatial merge llama.cpp sets when the file does not say (n_merge = 2). */
const QWEN_MERGERS = new Set(['qwen2vl_merger', 'qwen2.5vl_merger', 'qwen2.5o', 'qwen3vl_merger']);

function outputDim(h: GgufHeader, projectorType: string | null): number | null {
  let type = projectorType ?? 'mlp';
  // Yi-style LLaVA files are "mlp" with a fourth layer: clip treats them as mlp_norm.
  if (type === 'mlp' && h.tensors.some((t) => t.name === 'mm.3.weight')) type = 'mlp_norm';
  const rule = OUTPUT_DIM[type];
  let dim = rule ? (h.tensors.find((t) => t.name === rule[0])?.dims[rule[1]] ?? null) : null;
  // Qwen3-VL's deepstack layers each add another slice of that width to the model's input.
  if (dim !== null && type === 'qwen3vl_merger') {
    dim *= 1 + h.tensors.filter((t) => /^v\.deepstack\.\d+\.fc2\.weight$/.test(t.name)).length;
  }
  return dim ?? int(h.kv, 'clip.vision.projection_dim');
}

/**
 * Reads a projector's GGUF header (no weights are loaded). Refuses, naming the file and the reason, a file
 * that is missing, not a GGUF, truncated, or a GGUF that is not a vision projector (a text model, an
 * audio-only projector).
 */
export async function readProjectorInfo(path: string): Promise<ProjectorInfo> {
  const file = resolve(path);
  let bytes: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new ModelFileError(file, 'not a file');
    bytes = st.size;
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(file, 'file not found');
  }
  let h: GgufHeader;
  try {
    h = await readGgufHeader(file);
  } catch (e) {
    if (e instanceof GgufFormatError) throw new ModelFileError(file, e.message);
    throw new ModelFileError(file, `could not read the file (${(e as Error).message})`);
  }
  const vision = h.kv.get('clip.has_vision_encoder');
  if (!vision) {
    const arch = str(h.kv, 'general.architecture');
    const what = arch && arch !== 'clip' ? `a "${arch}" model, not a projector` : 'not a vision projector';
    throw new ModelFileError(file, `${what}: it has no clip.has_vision_encoder (an mmproj file has it; pass the model with -m and its mmproj as the projector)`);
  }
  if (vision.type !== 'bool' || vision.value !== true) {
    throw new ModelFileError(file, 'this projector has no vision encoder (clip.has_vision_encoder is not true): it cannot read images');
  }
  const projectorType = str(h.kv, 'clip.projector_type') ?? str(h.kv, 'clip.vision.projector_type');
  const merge = int(h.kv, 'clip.vision.spatial_merge_size');
  return {
    path: file,
    projectorType,
    hasVisionEncoder: true,
    imageSize: int(h.kv, 'clip.vision.image_size'),
    patchSize: int(h.kv, 'clip.vision.patch_size'),
    projectionDim: outputDim(h, projectorType),
    spatialMerge: merge ?? (projectorType && QWEN_MERGERS.has(projectorType) ? 2 : null),
    bytes,
  };
}

/** Image-token limits llama.cpp gives each Qwen-VL merger (clip.cpp's set_limit_image_tokens). */
const QWEN_TOKEN_LIMITS: Record<string, readonly [min: number, max: number]> = {
  qwen2vl_merger: [8, 4096],
  'qwen2.5vl_merger': [8, 4096],
  'qwen2.5o': [8, 4096],
  qwen3vl_merger: [8, 4096],
};

/**
 * Tokens llama.cpp's mtmd spends on one `width`×`height` image with this projector, for the Qwen-VL mergers
 * (dynamic resolution: the image is resized to multiples of patch × merge within the token limits, as
 * mtmd-image.cpp's calc_size_preserved_ratio does; one token per merged block). Null for other types,
 * whose count this does not model. `minTokens`/`maxTokens` mirror llama-server's --image-min/max-tokens.
 */
export function estimateImageTokens(
  projector: Pick<ProjectorInfo, 'projectorType' | 'patchSize' | 'spatialMerge'>,
  width: number,
  height: number,
  opts: { minTokens?: number; maxTokens?: number } = {},
): number | null {
  const limits = projector.projectorType ? QWEN_TOKEN_LIMITS[projector.projectorType] : undefined;
  if (!limits || !projector.patchSize || !projector.spatialMerge || width <= 0 || height <= 0) return null;
  const f = projector.patchSize * projector.spatialMerge;
  const area = f * f;
  return qwenVlTokens(width, height, { factor: f, minPixels: (opts.minTokens ?? limits[0]) * area, maxPixels: (opts.maxTokens ?? limits[1]) * area, float32: true });
}

/**
 * Refuses a projector whose output width differs from the text model's embedding length: llama.cpp
 * would refuse the pair only after loading both. Passes when either number is unknown (nothing to compare).
 */
export function checkProjectorPair(model: { path: string; embeddingLength: number | null }, projector: ProjectorInfo): void {
  const dim = projector.projectionDim;
  const n = model.embeddingLength;
  if (dim === null || n === null || dim === n) return;
  throw new CoreError(
    'BAD_INPUT',
    `projector ${basename(projector.path)} projects to ${dim} dimensions but model ${basename(model.path)} has embedding length ${n}: ` +
      'they are not a pair (use the mmproj file from the model\'s own repository)',
  );
}

/** An `mmproj*.gguf` in the model's own folder, the one that shares most of the model's name; else null. */
export async function findProjectorBeside(modelPath: string): Promise<string | null> {
  const dir = dirname(resolve(modelPath));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  const name = pickProjectorName(modelPath, files);
  return name ? join(dir, name) : null;
}
