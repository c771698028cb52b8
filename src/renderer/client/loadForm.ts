// The Load panel's form: strings while typing, LoadSettings once parsed. Pure.
import type { GpuBackend, LoadSettings } from '../../shared/engine.schema';
import type { ModelInfo } from '../../shared/models.schema';

export type GpuLayersMode = 'auto' | 'max' | 'custom';

export interface LoadForm {
  gpu: GpuBackend;
  gpuLayersMode: GpuLayersMode;
  gpuLayers: string;
  contextSize: string;
  threads: string;
  batchSize: string;
  /** Parallel context sequences; the local API server decodes that many requests at once. */
  sequences: string;
}

export type LoadFormErrors = Partial<Record<keyof LoadForm, string>>;

export type ParsedLoadForm = { ok: true; settings: LoadSettings } | { ok: false; errors: LoadFormErrors };

export const GPU_BACKENDS: readonly GpuBackend[] = ['auto', 'cuda', 'metal', 'vulkan', 'cpu'];

const DEFAULT_CONTEXT = 4096;

/** 4096, or the model's trained context when that is smaller (a toy model trained on 256 tokens gets 256). */
export function defaultContextSize(contextLength: number | null | undefined): number {
  if (!contextLength || contextLength < 64) return DEFAULT_CONTEXT;
  return Math.min(DEFAULT_CONTEXT, contextLength);
}

/** Defaults: auto backend and layers, threads shown as the machine's parallelism so nobody gets the engine's 4. */
export function defaultLoadForm(model: Pick<ModelInfo, 'metadata'> | null, parallelism: number | null | undefined): LoadForm {
  return {
    gpu: 'auto',
    gpuLayersMode: 'auto',
    gpuLayers: '',
    contextSize: String(defaultContextSize(model?.metadata.contextLength)),
    threads: parallelism && parallelism > 0 ? String(parallelism) : '0',
    batchSize: '512',
    sequences: '1',
  };
}

function parseInt(text: string, min: number, max: number, what: string): number | string {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return `${what} must be a whole number`;
  const n = Number(t);
  if (n < min || n > max) return `${what} must be between ${min} and ${max}`;
  return n;
}

export function parseLoadForm(form: LoadForm): ParsedLoadForm {
  const errors: LoadFormErrors = {};
  const contextSize = parseInt(form.contextSize, 64, 1 << 20, 'Context size');
  const threads = parseInt(form.threads, 0, 512, 'Threads');
  const batchSize = parseInt(form.batchSize, 1, 1 << 16, 'Batch size');
  // Forms saved before this field existed have no sequences; they mean one.
  const sequences = parseInt(form.sequences ?? '1', 1, 16, 'Sequences');
  let gpuLayers: LoadSettings['gpuLayers'] = form.gpuLayersMode === 'max' ? 'max' : 'auto';
  if (form.gpuLayersMode === 'custom') {
    const layers = parseInt(form.gpuLayers, 0, 1000, 'GPU layers');
    if (typeof layers === 'string') errors.gpuLayers = layers;
    else gpuLayers = layers;
  }
  if (typeof contextSize === 'string') errors.contextSize = contextSize;
  if (typeof threads === 'string') errors.threads = threads;
  if (typeof batchSize === 'string') errors.batchSize = batchSize;
  if (typeof sequences === 'string') errors.sequences = sequences;
  if (typeof contextSize === 'string' || typeof threads === 'string' || typeof batchSize === 'string' || typeof sequences === 'string' || errors.gpuLayers) {
    return { ok: false, errors };
  }
  return { ok: true, settings: { gpu: form.gpu, gpuLayers, contextSize, threads, batchSize, sequences } };
}

/** Why a backend cannot be picked, or null when it can. 'auto' and 'cpu' always can. */
export function gpuUnavailableReason(backend: GpuBackend, supported: readonly string[] | null | undefined): string | null {
  if (backend === 'auto' || backend === 'cpu') return null;
  if (!supported) return 'Waiting for the list of supported backends';
  if (supported.includes(backend)) return null;
  const list = supported.length ? supported.join(', ') : 'cpu';
  return `${backend} is not available on this machine (supported: ${list})`;
}
