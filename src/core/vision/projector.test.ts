import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreError } from '../coreError';
import { writeTruncatedCopy } from '../fixtures/brokenFiles';
import { ensureVisionFixture, MISMATCHED_PROJECTION_DIM, type VisionFixture } from '../fixtures/ensureFixtures';
import { gguf, writeGguf, type GgufValue } from '../fixtures/ggufWriter';
import { inspectGguf } from '../models/ggufInspect';
import {
  checkProjectorPair, estimateImageTokens, findProjectorBeside, projectorUriFromRepo, readProjectorInfo,
} from './projector';

let fx: VisionFixture;
let dir: string;

beforeAll(async () => {
  fx = await ensureVisionFixture();
  dir = await mkdtemp(join(tmpdir(), 'lamplight-projector-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A small clip GGUF with the given metadata and tensors [name, ne0, ne1]. */
async function writeClip(name: string, meta: Array<[string, GgufValue]>, tensors: Array<[string, number, number]>): Promise<string> {
  const path = join(dir, name);
  await writeGguf(path, {
    metadata: [['general.architecture', gguf.str('clip')], ...meta],
    tensors: tensors.map(([n, a, b]) => ({ name: n, shape: [a, b], type: 'F32', fill: (d: Float32Array) => d.fill(0.5) })),
  });
  return path;
}

/** What readProjectorInfo threw, as code and message. */
async function refusal(path: string): Promise<{ code: string; message: string }> {
  const e: unknown = await readProjectorInfo(path).catch((err: unknown) => err);
  if (!(e instanceof CoreError)) throw new Error(`${path} was accepted as a projector`);
  return { code: e.code, message: e.message };
}

describe('readProjectorInfo', () => {
  it('reads the generated Qwen2-VL projector\'s header', async () => {
    const info = await readProjectorInfo(fx.projector);
    expect(info).toEqual({
      path: fx.projector,
      projectorType: 'qwen2vl_merger',
      hasVisionEncoder: true,
      imageSize: 112,
      patchSize: 14,
      projectionDim: 128,
      spatialMerge: 2,
      bytes: (await stat(fx.projector)).size,
    });
    expect((await readProjectorInfo(fx.mismatchedProjector)).projectionDim).toBe(MISMATCHED_PROJECTION_DIM);
  });

  it('takes the output width from the projector\'s last layer, as llama.cpp does, not from projection_dim', async () => {
    // LLaVA 1.5 files say projection_dim 768 (CLIP's own) while their MLP's mm.2 outputs the LLM's width.
    const llava = await writeClip('mmproj-llava.gguf', [
      ['clip.has_vision_encoder', gguf.bool(true)],
      ['clip.projector_type', gguf.str('mlp')],
      ['clip.vision.projection_dim', gguf.u32(768)],
      ['clip.vision.image_size', gguf.u32(336)],
      ['clip.vision.patch_size', gguf.u32(14)],
    ], [['mm.0.weight', 32, 64], ['mm.2.weight', 64, 256]]);
    expect(await readProjectorInfo(llava)).toMatchObject({ projectorType: 'mlp', projectionDim: 256, imageSize: 336, spatialMerge: null });
  });

  it('refuses a text model given as the projector, naming the file and what it is', async () => {
    const r = await refusal(fx.model);
    expect(r.code).toBe('MODEL_INVALID');
    expect(r.message).toContain(basename(fx.model));
    expect(r.message).toContain('a "qwen2vl" model, not a projector');
    expect(r.message).toContain('clip.has_vision_encoder');
  });

  it('refuses an audio-only projector: it cannot read images', async () => {
    const audio = await writeClip('mmproj-audio.gguf', [
      ['clip.has_vision_encoder', gguf.bool(false)],
      ['clip.has_audio_encoder', gguf.bool(true)],
      ['clip.projector_type', gguf.str('ultravox')],
    ], [['mm.a.mlp.1.weight', 32, 32]]);
    expect((await refusal(audio)).message).toMatch(/mmproj-audio\.gguf: .*no vision encoder/);
  });

  it('refuses a file that is not a GGUF (a PNG named .gguf), a wrong magic, a 0-byte file and a missing one', async () => {
    const png = join(dir, 'mmproj-picture.gguf');
    await writeFile(png, await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer());
    const ggml = join(dir, 'mmproj-ggml.gguf');
    await writeFile(ggml, Buffer.concat([Buffer.from('GGML'), Buffer.alloc(60)]));
    const empty = join(dir, 'mmproj-empty.gguf');
    await writeFile(empty, '');
    for (const f of [png, ggml, empty]) {
      const r = await refusal(f);
      expect(r.code).toBe('MODEL_INVALID');
      expect(r.message).toBe(`${basename(f)}: not a GGUF file (the first 4 bytes are not "GGUF")`);
    }
    expect((await refusal(join(dir, 'nowhere.gguf'))).message).toBe('nowhere.gguf: file not found');
  });

  it('refuses a truncated projector: cut in its tensor data, and cut inside its header', async () => {
    const half = await writeTruncatedCopy(fx.projector, join(dir, 'mmproj-half.gguf'), 0.5);
    expect((await refusal(half)).message).toMatch(/^mmproj-half\.gguf: file is truncated: its tensors need [\d,]+ bytes but the file has [\d,]+/);
    const head = await writeTruncatedCopy(fx.projector, join(dir, 'mmproj-head.gguf'), 300 / (await stat(fx.projector)).size);
    expect((await refusal(head)).message).toMatch(/^mmproj-head\.gguf: .*truncated/);
  });
});

describe('checkProjectorPair', () => {
  it('passes the matching pair and refuses the mismatched one with both numbers, using the model library\'s embedding length', async () => {
    const { metadata } = await inspectGguf(fx.model);
    expect(metadata.embeddingLength).toBe(128);
    const model = { path: fx.model, embeddingLength: metadata.embeddingLength };
    checkProjectorPair(model, await readProjectorInfo(fx.projector));
    const bad = await readProjectorInfo(fx.mismatchedProjector);
    let err: { code?: string; message?: string } = {};
    try {
      checkProjectorPair(model, bad);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain(
      `projector ${basename(fx.mismatchedProjector)} projects to 96 dimensions but model ${basename(fx.model)} has embedding length 128`,
    );
  });

  it('cannot compare when a number is unknown, so it does not refuse', async () => {
    const info = await readProjectorInfo(fx.mismatchedProjector);
    expect(() => checkProjectorPair({ path: fx.model, embeddingLength: null }, info)).not.toThrow();
    expect(() => checkProjectorPair({ path: fx.model, embeddingLength: 128 }, { ...info, projectionDim: null })).not.toThrow();
  });
});

describe('findProjectorBeside', () => {
  it('finds the fixture\'s projector beside its model, not the mismatched one (no "mmproj" in its name)', async () => {
    expect(await findProjectorBeside(fx.model)).toBe(fx.projector);
  });

  it('prefers the mmproj sharing the model\'s name, then its quantization; ignores case, folders and other files', async () => {
    const folder = join(dir, 'models');
    await mkdir(join(folder, 'mmproj-folder.gguf'), { recursive: true });
    const names = [
      'Qwen2-VL-2B-Instruct-Q8_0.gguf',
      'mmproj-SmolVLM-256M-f16.gguf',
      'MMPROJ-Qwen2-VL-2B-Instruct-F16.GGUF',
      'mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf',
      'mmproj-notes.txt',
    ];
    for (const n of names) await writeFile(join(folder, n), '');
    expect(await findProjectorBeside(join(folder, 'Qwen2-VL-2B-Instruct-Q8_0.gguf'))).toBe(join(folder, 'mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf'));
    await rm(join(folder, 'mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf'));
    expect(await findProjectorBeside(join(folder, 'Qwen2-VL-2B-Instruct-Q8_0.gguf'))).toBe(join(folder, 'MMPROJ-Qwen2-VL-2B-Instruct-F16.GGUF'));
    // node-llama-cpp names hf: downloads hf_<user>_[<repo>_]<file>: the shared parts still lead.
    await writeFile(join(folder, 'hf_bartowski_SmolVLM-256M-Q4_K_M.gguf'), '');
    expect(await findProjectorBeside(join(folder, 'hf_bartowski_SmolVLM-256M-Q4_K_M.gguf'))).toBe(join(folder, 'mmproj-SmolVLM-256M-f16.gguf'));
  });

  it('returns null when the folder has no projector or does not exist', async () => {
    const lonely = join(dir, 'lonely');
    await mkdir(lonely);
    await writeFile(join(lonely, 'model.gguf'), '');
    expect(await findProjectorBeside(join(lonely, 'model.gguf'))).toBeNull();
    expect(await findProjectorBeside(join(dir, 'missing', 'model.gguf'))).toBeNull();
  });
});

describe('projectorUriFromRepo', () => {
  const repo = [
    'README.md',
    'Qwen2-VL-2B-Instruct-Q4_K_M.gguf',
    'Qwen2-VL-2B-Instruct-Q8_0.gguf',
    'mmproj-Qwen2-VL-2B-Instruct-f16.gguf',
    'mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf',
  ];

  it('picks the repository\'s mmproj with the model\'s quantization, else the closest bits', () => {
    expect(projectorUriFromRepo('hf:ggml-org/Qwen2-VL-2B-Instruct-GGUF/Qwen2-VL-2B-Instruct-Q8_0.gguf', repo))
      .toBe('hf:ggml-org/Qwen2-VL-2B-Instruct-GGUF/mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf');
    expect(projectorUriFromRepo('hf:ggml-org/Qwen2-VL-2B-Instruct-GGUF/Qwen2-VL-2B-Instruct-Q4_K_M.gguf', repo))
      .toBe('hf:ggml-org/Qwen2-VL-2B-Instruct-GGUF/mmproj-Qwen2-VL-2B-Instruct-Q8_0.gguf');
  });

  it('only looks in the model\'s folder and above it, nearest first', () => {
    const nested = ['Q4/model-Q4_0.gguf', 'other/mmproj-other-f16.gguf', 'mmproj-root-f16.gguf', 'Q4/mmproj-near-f16.gguf'];
    expect(projectorUriFromRepo('hf:u/r/Q4/model-Q4_0.gguf', nested)).toBe('hf:u/r/Q4/mmproj-near-f16.gguf');
    expect(projectorUriFromRepo('hf:u/r/Q4/model-Q4_0.gguf', nested.slice(0, 3))).toBe('hf:u/r/mmproj-root-f16.gguf');
    expect(projectorUriFromRepo('hf:u/r/Q4/model-Q4_0.gguf', nested.slice(0, 2))).toBeNull();
  });

  it('answers null for a repository without a projector and for URIs that name no file', () => {
    expect(projectorUriFromRepo('hf:u/r/model.gguf', ['model.gguf'])).toBeNull();
    expect(projectorUriFromRepo('hf:u/r:Q4_K_M', repo)).toBeNull();
    expect(projectorUriFromRepo('https://example.com/model.gguf', repo)).toBeNull();
  });
});

describe('estimateImageTokens', () => {
  const qwen = { projectorType: 'qwen2vl_merger', patchSize: 14, spatialMerge: 2 };

  it('follows llama.cpp\'s Qwen-VL resize: multiples of 28, the 8-token floor, the 4096-token ceiling', () => {
    expect(estimateImageTokens(qwen, 112, 84)).toBe(12);
    expect(estimateImageTokens(qwen, 100, 75)).toBe(12);
    expect(estimateImageTokens(qwen, 20, 20)).toBe(9);
    expect(estimateImageTokens(qwen, 1, 1)).toBe(9);
    // Qwen2-VL's default budget, 1280×28×28 pixels (the contract's DEFAULT_MAX_IMAGE_PIXELS), is 1,280 tokens.
    expect(estimateImageTokens(qwen, 1120, 896)).toBe(1280);
    // 12 MP: scaled down under 4096 tokens.
    const big = estimateImageTokens(qwen, 4000, 3000);
    expect(big).toBeLessThanOrEqual(4096);
    expect(big).toBeGreaterThan(3900);
    expect(estimateImageTokens(qwen, 4000, 3000, { maxTokens: 1280 })).toBeLessThanOrEqual(1280);
  });

  it('does not guess for projector types it does not model, or without the geometry', () => {
    expect(estimateImageTokens({ projectorType: 'mlp', patchSize: 14, spatialMerge: null }, 336, 336)).toBeNull();
    expect(estimateImageTokens({ ...qwen, patchSize: null }, 112, 84)).toBeNull();
    expect(estimateImageTokens(qwen, 0, 84)).toBeNull();
  });
});
