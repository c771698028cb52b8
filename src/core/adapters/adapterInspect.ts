// Reads a LoRA adapter's GGUF header without loading it, and checks it against a base model's header the way
// llama.cpp's llama-adapter.cpp does, so a mismatch is a sentence naming the tensor instead of a failed load.
import { stat } from 'node:fs/promises';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import type { AdapterCheck, AdapterMetadata } from '../../shared/adapters.schema';
import { ModelFileError } from '../models/ggufInspect';
import { readGgufHeader } from '../models/ggufHeader';

export interface LoraPair {
  /** The base weight it changes, e.g. blk.0.attn_q.weight. */
  base: string;
  /** ne = [n_in, rank] */
  a: number[];
  /** ne = [rank, n_out] */
  b: number[];
}

export interface AdapterInspection {
  metadata: AdapterMetadata;
  sizeBytes: number;
  pairs: LoraPair[];
}

const dims = (d: readonly (number | bigint)[]): number[] => d.map(Number);
const shape = (s: readonly number[] | null): string => (s ? `[${s.join(', ')}]` : 'missing');

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

async function readHeader(file: string): Promise<{ info: GgufFileInfo; sizeBytes: number }> {
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new ModelFileError(file, 'file not found');
  }
  if (!st.isFile()) throw new ModelFileError(file, 'not a file');
  try {
    await readGgufHeader(file); // bounded: node-llama-cpp's reader trusts the file's counts and lengths
    const info = await readGgufFileInfo(file, { readTensorInfo: true, sourceType: 'filesystem', logWarnings: false });
    return { info, sizeBytes: st.size };
  } catch (e) {
    throw new ModelFileError(file, `not a readable GGUF file (${(e as Error).message})`);
  }
}

/** Reads an adapter file; refuses a model or anything else that is not a LoRA adapter, naming the file. */
export async function inspectAdapter(file: string): Promise<AdapterInspection> {
  const { info, sizeBytes } = await readHeader(file);
  const general = info.metadata.general as { type?: unknown; name?: unknown; architecture?: unknown } | undefined;
  const type = typeof general?.type === 'string' ? general.type : null;
  if (type !== 'adapter') {
    throw new ModelFileError(
      file,
      type === 'model' || type === null ? 'this is a model, not an adapter (general.type is not "adapter"); add it as a model' : `general.type is "${type}", not "adapter"`,
    );
  }
  const adapter = (info.metadata as { adapter?: { type?: unknown; lora?: { alpha?: unknown } } }).adapter;
  const adapterType = typeof adapter?.type === 'string' ? adapter.type : null;
  if (adapterType !== 'lora') {
    throw new ModelFileError(file, `adapter.type is ${adapterType === null ? 'missing' : `"${adapterType}"`}; llama.cpp attaches only "lora" adapters`);
  }

  const byName = new Map((info.tensorInfo ?? []).map((t) => [t.name, dims(t.dimensions)]));
  const pairs: LoraPair[] = [];
  for (const [name, a] of byName) {
    if (!name.endsWith('.lora_a')) continue;
    const base = name.slice(0, -'.lora_a'.length);
    const b = byName.get(`${base}.lora_b`);
    if (!b) throw new ModelFileError(file, `${name} has no matching ${base}.lora_b`);
    pairs.push({ base, a, b });
  }
  for (const name of byName.keys()) {
    if (name.endsWith('.lora_b') && !byName.has(`${name.slice(0, -'.lora_b'.length)}.lora_a`)) {
      throw new ModelFileError(file, `${name} has no matching lora_a`);
    }
  }
  if (pairs.length === 0) throw new ModelFileError(file, 'the adapter has no lora_a/lora_b tensors');

  const ranks = new Set(pairs.flatMap((p) => [p.a[1], p.b[0]]));
  const targets = [...new Set(pairs.map((p) => p.base.replace(/^blk\.\d+\./, '')))].sort();
  const blocks = pairs.map((p) => /^blk\.(\d+)\./.exec(p.base)).filter((m) => m !== null).map((m) => Number(m[1]));
  return {
    sizeBytes,
    pairs,
    metadata: {
      name: typeof general?.name === 'string' ? general.name : null,
      architecture: typeof general?.architecture === 'string' ? general.architecture : null,
      adapterType,
      alpha: num(adapter?.lora?.alpha),
      rank: ranks.size === 1 ? ([...ranks][0] ?? null) : null,
      targets,
      layerCount: blocks.length > 0 ? Math.max(...blocks) + 1 : null,
      tensorCount: byName.size,
    },
  };
}

/** "llama, rank 8, alpha 16, 32 tensors over 2 layers: attn_q.weight, attn_v.weight" */
export function summarize(m: AdapterMetadata): string {
  const rank = m.rank === null ? 'mixed rank' : `rank ${m.rank}`;
  const alpha = m.alpha === null ? 'no alpha' : `alpha ${m.alpha}`;
  const layers = m.layerCount === null ? '' : ` over ${m.layerCount} layer${m.layerCount === 1 ? '' : 's'}`;
  return `${m.architecture ?? 'unknown architecture'}, ${rank}, ${alpha}, ${m.tensorCount} tensors${layers}: ${m.targets.join(', ')}`;
}

function incompatible(summary: string, reason: string, mismatch: AdapterCheck['mismatch'] = null): AdapterCheck {
  return { compatible: false, reason, mismatch, summary };
}

/** Architecture, embedding size, layer count and every lora pair against the base model's tensors. */
export async function checkAdapterFiles(adapterFile: string, modelFile: string): Promise<AdapterCheck> {
  const adapter = await inspectAdapter(adapterFile);
  const { info } = await readHeader(modelFile);
  const m = adapter.metadata;
  const summary = summarize(m);
  const general = info.metadata.general as { type?: unknown; architecture?: unknown } | undefined;
  if (general?.type === 'adapter') throw new ModelFileError(modelFile, 'this is an adapter, not a base model');
  const arch = typeof general?.architecture === 'string' ? general.architecture : null;
  if (m.architecture !== null && arch !== m.architecture) {
    return incompatible(summary, `the adapter is for architecture "${m.architecture}" but the model is "${arch ?? 'unknown'}"`);
  }
  const archMeta = info.architectureMetadata as Record<string, unknown>;
  const blockCount = num(archMeta?.block_count);
  const embedding = num(archMeta?.embedding_length);
  if (blockCount !== null && m.layerCount !== null && m.layerCount > blockCount) {
    return incompatible(summary, `the adapter changes ${m.layerCount} layers but the model has ${blockCount} (${arch}.block_count)`);
  }
  const base = new Map((info.tensorInfo ?? []).map((t) => [t.name, dims(t.dimensions)]));
  for (const p of adapter.pairs) {
    const w = base.get(p.base) ?? null;
    if (!w) {
      return incompatible(summary, `${p.base}.lora_a changes ${p.base}, which the model does not have`, { tensor: `${p.base}.lora_a`, adapterShape: p.a, baseShape: null });
    }
    const [nIn, nOut] = w;
    if (p.a[0] !== nIn || p.a[1] !== p.b[0]) {
      return incompatible(summary, `${p.base}.lora_a has shape ${shape(p.a)} but ${p.base} is ${shape(w)} (lora_a must be [${nIn}, rank])`, {
        tensor: `${p.base}.lora_a`,
        adapterShape: p.a,
        baseShape: w,
      });
    }
    if (p.b[1] !== nOut) {
      return incompatible(summary, `${p.base}.lora_b has shape ${shape(p.b)} but ${p.base} is ${shape(w)} (lora_b must be [rank, ${nOut}])`, {
        tensor: `${p.base}.lora_b`,
        adapterShape: p.b,
        baseShape: w,
      });
    }
  }
  // Attention input weights take embedding-sized rows: a different width is a different model family.
  const first = adapter.pairs.find((p) => /attn_(q|k|v)\.weight$/.test(p.base));
  if (embedding !== null && first && first.a[0] !== embedding) {
    return incompatible(summary, `the adapter's input width ${first.a[0]} differs from the model's ${arch}.embedding_length ${embedding}`);
  }
  return { compatible: true, reason: null, mismatch: null, summary };
}
