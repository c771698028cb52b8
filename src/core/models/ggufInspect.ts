// Reads a GGUF file's header without loading it, and refuses files llama.cpp would choke on, with a
// reason a person can act on. Runs in the core process: node-llama-cpp's reader is plain JavaScript.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GgmlType, GgufFileType, readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import type { ModelMetadata } from '../../shared/schemas';

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${basename(file)}: ${reason}`);
    this.name = 'ModelFileError';
  }
}

/** Bytes per block and elements per block for the tensor types whose size we can check. */
const BLOCK: Partial<Record<GgmlType, [bytes: number, elements: number]>> = {
  [GgmlType.F32]: [4, 1],
  [GgmlType.F16]: [2, 1],
  [GgmlType.BF16]: [2, 1],
  [GgmlType.F64]: [8, 1],
  [GgmlType.I8]: [1, 1],
  [GgmlType.I16]: [2, 1],
  [GgmlType.I32]: [4, 1],
  [GgmlType.I64]: [8, 1],
  [GgmlType.Q4_0]: [18, 32],
  [GgmlType.Q4_1]: [20, 32],
  [GgmlType.Q5_0]: [22, 32],
  [GgmlType.Q5_1]: [24, 32],
  [GgmlType.Q8_0]: [34, 32],
  [GgmlType.Q2_K]: [84, 256],
  [GgmlType.Q3_K]: [110, 256],
  [GgmlType.Q4_K]: [144, 256],
  [GgmlType.Q5_K]: [176, 256],
  [GgmlType.Q6_K]: [210, 256],
};

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

export interface Inspection {
  metadata: ModelMetadata;
  sizeBytes: number;
  mtimeMs: number;
  /** Bytes the tensors need by their declared shapes; null when a tensor type has no known size. */
  tensorBytes: number | null;
}

async function readMagic(file: string): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 ? buf.readUInt32LE(0) : null;
  } finally {
    await fh.close();
  }
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function fileTypeName(ft: unknown): string | null {
  const n = num(ft);
  if (n === null) return null;
  const name = (GgufFileType as unknown as Record<number, string>)[n];
  return name ? name.replace(/^MOSTLY_/, '') : `type ${n}`;
}

function tensorSize(dims: readonly (number | bigint)[], type: GgmlType): number | null {
  const block = BLOCK[type];
  if (!block) return null;
  const elements = dims.reduce<number>((a, d) => a * Number(d), 1);
  return Math.ceil(elements / block[1]) * block[0];
}

function describe(info: GgufFileInfo, tensorCount: number): ModelMetadata {
  const general = info.metadata.general;
  const arch = (general?.architecture as string | undefined) ?? null;
  const archMeta = info.architectureMetadata as Record<string, unknown>;
  const tokens: readonly unknown[] | undefined = info.metadata.tokenizer?.ggml?.tokens;
  let params = 0;
  for (const t of info.tensorInfo ?? []) params += t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
  return {
    name: (general?.name as string | undefined) ?? null,
    architecture: arch,
    parameterCount: info.tensorInfo ? params : null,
    fileType: fileTypeName(general?.file_type),
    contextLength: num(archMeta?.context_length),
    blockCount: num(archMeta?.block_count),
    embeddingLength: num(archMeta?.embedding_length),
    vocabSize: Array.isArray(tokens) ? tokens.length : null,
    hasChatTemplate: typeof info.metadata.tokenizer?.chat_template === 'string',
    ggufVersion: info.version,
    tensorCount,
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
  if (st.size < 24) throw new ModelFileError(file, `not a GGUF file (only ${st.size} bytes)`);
  if ((await readMagic(file)) !== GGUF_MAGIC) {
    throw new ModelFileError(file, 'not a GGUF file (the first 4 bytes are not "GGUF")');
  }
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(file, { readTensorInfo: true, sourceType: 'filesystem', logWarnings: false });
  } catch (e) {
    throw new ModelFileError(file, `unreadable GGUF header (${(e as Error).message})`);
  }
  const tensors = info.tensorInfo ?? [];
  const general = info.metadata.general as { type?: string } | undefined;
  if (general?.type === 'adapter') {
    throw new ModelFileError(file, 'this is a LoRA adapter, not a model; add it as an adapter');
  }
  if (tensors.length === 0) throw new ModelFileError(file, 'the GGUF file has no tensors');

  let end = 0;
  let tensorBytes: number | null = 0;
  for (const t of tensors) {
    const size = tensorSize(t.dimensions, t.ggmlType);
    if (size === null) tensorBytes = null;
    else if (tensorBytes !== null) tensorBytes += size;
    end = Math.max(end, Number(t.fileOffset) + (size ?? 0));
  }
  if (end > st.size) {
    throw new ModelFileError(
      file,
      `file is truncated: its tensors need ${end.toLocaleString('en-US')} bytes but the file has ${st.size.toLocaleString('en-US')} (an interrupted download or copy?)`,
    );
  }
  const metadata = describe(info, tensors.length);
  if (!metadata.architecture) throw new ModelFileError(file, 'the GGUF metadata names no architecture');
  return { metadata, sizeBytes: st.size, mtimeMs: st.mtimeMs, tensorBytes };
}
