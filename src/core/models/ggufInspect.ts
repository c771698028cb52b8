// Reads a GGUF file's header without loading it, and refuses files llama.cpp would choke on, with a
// reason a person can act on. Runs in the core process: the header reader is plain, bounded JavaScript.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as nlc from 'node-llama-cpp';
import { GgufFileType } from 'node-llama-cpp';
import type { ModelMetadata } from '../../shared/models.schema';
import { CoreError } from '../coreError';
import { GgufFormatError, readGgufHeader, type GgufHeader, type GgufKv } from './ggufHeader';

/** A model file Lamplight cannot use; crosses transports as MODEL_INVALID. */
export class ModelFileError extends CoreError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('MODEL_INVALID', `${basename(file)}: ${reason}`);
    this.name = 'ModelFileError';
  }
}

export interface Inspection {
  metadata: ModelMetadata;
  sizeBytes: number;
  mtimeMs: number;
  /** Bytes the tensors need by their declared shapes. */
  tensorBytes: number | null;
}

/** The architectures this node-llama-cpp's llama.cpp build loads: its enum is generated from llama-arch.cpp
 *  (checked against the binding's getIsArchSupported: the same 141). Declared a const enum, but a real object. */
const KNOWN_ARCHITECTURES: ReadonlySet<string> = new Set(
  Object.values((nlc as unknown as Record<string, Record<string, string>>)['GgufArchitectureType'] ?? {}).filter((a) => a !== '(unknown)'),
);
if (KNOWN_ARCHITECTURES.size === 0) throw new Error('node-llama-cpp no longer exports GgufArchitectureType');
const MAX_LAYERS = 512; // LLAMA_MAX_LAYERS: llama.cpp aborts (GGML_ASSERT) on more

function str(kv: Map<string, GgufKv>, key: string): string | null {
  const v = kv.get(key);
  return v?.type === 'string' && typeof v.value === 'string' ? v.value : null;
}

function int(kv: Map<string, GgufKv>, key: string): number | null {
  const v = kv.get(key);
  if (!v || v.type === 'array' || v.type === 'string' || v.type === 'bool' || v.type.startsWith('float')) return null;
  return typeof v.value === 'number' ? v.value : null;
}

/** An unsigned integer key llama.cpp needs, within [min, max]; the reason names the key. */
function requireInt(h: GgufHeader, key: string, min: number, max: number): number {
  const v = h.kv.get(key);
  if (!v) throw new GgufFormatError(`the metadata has no ${key}, which llama.cpp needs`);
  const n = int(h.kv, key);
  if (n === null) throw new GgufFormatError(`${key} must be an integer but is ${v.type}`);
  if (n < min || n > max) throw new GgufFormatError(`${key} is ${n.toLocaleString('en-US')}, outside ${min}–${max.toLocaleString('en-US')}`);
  return n;
}

/** Checks that the metadata describes a model llama.cpp can load and Lamplight can chat with. */
function checkModel(h: GgufHeader): void {
  for (const [key, v] of h.kv) {
    if ((v.type === 'float32' || v.type === 'float64') && !Number.isFinite(v.value as number)) {
      throw new GgufFormatError(`metadata ${key} is ${String(v.value)}, not a finite number`);
    }
  }
  if (h.tensors.length === 0) throw new GgufFormatError('the GGUF file has no tensors');
  const archKv = h.kv.get('general.architecture');
  if (!archKv) throw new GgufFormatError('the GGUF metadata names no architecture');
  const arch = str(h.kv, 'general.architecture');
  if (arch === null) throw new GgufFormatError(`general.architecture must be a string but is ${archKv.type}`);
  if (!KNOWN_ARCHITECTURES.has(arch)) {
    throw new GgufFormatError(`architecture "${arch}" is not supported by this llama.cpp build, so the model cannot be loaded`);
  }
  const blocks = requireInt(h, `${arch}.block_count`, 1, MAX_LAYERS);
  requireInt(h, `${arch}.embedding_length`, 1, 1 << 20);
  requireInt(h, `${arch}.context_length`, 1, 2 ** 32 - 1);
  // Layer tensors are named blk.N.*: a block count that disagrees with them fails deep inside llama.cpp.
  let maxBlock = -1;
  for (const t of h.tensors) {
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (m) maxBlock = Math.max(maxBlock, Number(m[1]));
  }
  if (maxBlock >= blocks) throw new GgufFormatError(`tensor blk.${maxBlock} exists but ${arch}.block_count is ${blocks}`);

  const tokens = h.kv.get('tokenizer.ggml.tokens');
  if (!str(h.kv, 'tokenizer.ggml.model') || tokens?.type !== 'array' || tokens.itemType !== 'string' || tokens.length === 0) {
    throw new GgufFormatError('the model has no tokenizer (tokenizer.ggml.model and tokenizer.ggml.tokens), so it cannot read or write text');
  }
  // llama.cpp indexes these by token id: a shorter array is read past its end.
  for (const key of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const v = h.kv.get(key);
    if (v && (v.type !== 'array' || v.length !== tokens.length)) {
      const has = v.type === 'array' ? `has ${v.length} entries` : `is a single ${v.type}, not an array`;
      throw new GgufFormatError(`${key} ${has}, but the vocabulary has ${tokens.length} tokens`);
    }
  }
}

function fileTypeName(n: number | null): string | null {
  if (n === null) return null;
  const name = (GgufFileType as unknown as Record<number, string>)[n];
  return name ? name.replace(/^MOSTLY_/, '') : `type ${n}`;
}

function describe(h: GgufHeader): ModelMetadata {
  const arch = str(h.kv, 'general.architecture');
  const tokens = h.kv.get('tokenizer.ggml.tokens');
  const params = h.tensors.reduce((sum, t) => sum + t.dims.reduce((a, d) => a * d, 1), 0);
  return {
    name: str(h.kv, 'general.name'),
    architecture: arch,
    parameterCount: params,
    fileType: fileTypeName(int(h.kv, 'general.file_type')),
    contextLength: arch ? int(h.kv, `${arch}.context_length`) : null,
    blockCount: arch ? int(h.kv, `${arch}.block_count`) : null,
    embeddingLength: arch ? int(h.kv, `${arch}.embedding_length`) : null,
    vocabSize: tokens?.type === 'array' ? tokens.length : null,
    hasChatTemplate: h.kv.get('tokenizer.chat_template')?.type === 'string',
    ggufVersion: h.version,
    tensorCount: h.tensors.length,
  };
}

/** Validates a file as a loadable GGUF model and returns what the library shows about it. */
export async function inspectGguf(file: string): Promise<Inspection> {
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new ModelFileError(file, 'file not found');
  }
  if (!st.isFile()) throw new ModelFileError(file, 'not a file');
  let header: GgufHeader;
  try {
    header = await readGgufHeader(file);
    if (str(header.kv, 'general.type') === 'adapter') {
      throw new GgufFormatError('this is a LoRA adapter, not a model; add it as an adapter');
    }
    checkModel(header);
  } catch (e) {
    if (e instanceof GgufFormatError) throw new ModelFileError(file, e.message);
    throw new ModelFileError(file, `could not read the file (${(e as Error).message})`);
  }
  const tensorBytes = header.tensors.reduce((sum, t) => sum + t.bytes, 0);
  return { metadata: describe(header), sizeBytes: st.size, mtimeMs: st.mtimeMs, tensorBytes };
}
