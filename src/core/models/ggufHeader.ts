// A strict, bounded GGUF header reader. node-llama-cpp's reader trusts the file: a string or array
// length of 2^62 becomes a huge allocation, a KV count of 2^40 a loop that never ends, and bytes past the
// end read as zeros. Here every count and length is checked against the bytes left before it is used,
// with the rules llama.cpp's gguf.cpp applies, so a hostile file is refused in milliseconds.
import { open, type FileHandle } from 'node:fs/promises';

export class GgufFormatError extends Error {}

/** gguf_type ids and their fixed sizes (string: 8-byte length + bytes; array: nested). */
const VALUE_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'] as const;
export type GgufValueTypeName = (typeof VALUE_TYPES)[number];
const FIXED_SIZE: Partial<Record<GgufValueTypeName, number>> = {
  uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, bool: 1, uint64: 8, int64: 8, float64: 8,
};

/** [elements per block, bytes per block] of each ggml type llama.cpp still reads (ggml.h, gguf-py). */
export const GGML_TYPES: Record<number, { name: string; block: number; bytes: number }> = {
  0: { name: 'F32', block: 1, bytes: 4 }, 1: { name: 'F16', block: 1, bytes: 2 },
  2: { name: 'Q4_0', block: 32, bytes: 18 }, 3: { name: 'Q4_1', block: 32, bytes: 20 },
  6: { name: 'Q5_0', block: 32, bytes: 22 }, 7: { name: 'Q5_1', block: 32, bytes: 24 },
  8: { name: 'Q8_0', block: 32, bytes: 34 }, 9: { name: 'Q8_1', block: 32, bytes: 36 },
  10: { name: 'Q2_K', block: 256, bytes: 84 }, 11: { name: 'Q3_K', block: 256, bytes: 110 },
  12: { name: 'Q4_K', block: 256, bytes: 144 }, 13: { name: 'Q5_K', block: 256, bytes: 176 },
  14: { name: 'Q6_K', block: 256, bytes: 210 }, 15: { name: 'Q8_K', block: 256, bytes: 292 },
  16: { name: 'IQ2_XXS', block: 256, bytes: 66 }, 17: { name: 'IQ2_XS', block: 256, bytes: 74 },
  18: { name: 'IQ3_XXS', block: 256, bytes: 98 }, 19: { name: 'IQ1_S', block: 256, bytes: 50 },
  20: { name: 'IQ4_NL', block: 32, bytes: 18 }, 21: { name: 'IQ3_S', block: 256, bytes: 110 },
  22: { name: 'IQ2_S', block: 256, bytes: 82 }, 23: { name: 'IQ4_XS', block: 256, bytes: 136 },
  24: { name: 'I8', block: 1, bytes: 1 }, 25: { name: 'I16', block: 1, bytes: 2 },
  26: { name: 'I32', block: 1, bytes: 4 }, 27: { name: 'I64', block: 1, bytes: 8 },
  28: { name: 'F64', block: 1, bytes: 8 }, 29: { name: 'IQ1_M', block: 256, bytes: 56 },
  30: { name: 'BF16', block: 1, bytes: 2 }, 34: { name: 'TQ1_0', block: 256, bytes: 54 },
  35: { name: 'TQ2_0', block: 256, bytes: 66 }, 39: { name: 'MXFP4', block: 32, bytes: 17 },
  40: { name: 'NVFP4', block: 64, bytes: 36 }, 41: { name: 'Q1_0', block: 128, bytes: 18 },
  42: { name: 'Q2_0', block: 64, bytes: 18 },
};

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const MAX_DIMS = 4; // GGML_MAX_DIMS
const MAX_TENSOR_NAME = 63; // GGML_MAX_NAME - 1
const MAX_STRING = 1 << 30; // GGUF_MAX_STRING_LENGTH
/** Strings longer than this are skipped, not decoded: nothing Lamplight shows needs them. */
const KEEP_STRING = 1 << 20;
/** Array elements kept; longer arrays keep only their length (a 150k-token vocabulary need not sit in memory). */
const KEEP_ARRAY = 64;
/** String arrays are read item by item; real vocabularies stay far below this. */
const MAX_STRING_ITEMS = 1 << 24;
const MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, a 1-byte key, type, smallest value
const MIN_TENSOR_BYTES = 8 + 1 + 4 + 8 + 4 + 8; // name length, 1-byte name, n_dims, one dim, type, offset

export type GgufScalar = number | bigint | boolean | string;
export type GgufKv =
  | { type: Exclude<GgufValueTypeName, 'array'>; value: GgufScalar | null }
  | { type: 'array'; itemType: GgufValueTypeName; length: number; values: GgufScalar[] | null };

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  /** Offset within the data section. */
  offset: number;
  bytes: number;
}

export interface GgufHeader {
  version: number;
  alignment: number;
  kv: Map<string, GgufKv>;
  tensors: GgufTensorInfo[];
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  /** Where the last tensor's data ends (absolute). */
  dataEnd: number;
  fileSize: number;
}

const CHUNK = 1 << 16;
const CUT = 'the file is truncated or corrupt';

/** Reads a file front to back through a small window; every read says what it was for. */
class Cursor {
  pos = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  get left(): number {
    return this.size - this.pos;
  }

  private async window(n: number, what: string): Promise<number> {
    if (n > this.left) {
      throw new GgufFormatError(`the file ends inside ${what} (at byte ${this.pos.toLocaleString('en-US')}): it is truncated`);
    }
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    const len = Math.min(Math.max(n, CHUNK), this.left);
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, this.pos + got);
      if (bytesRead === 0) throw new GgufFormatError(`the file shrank while it was read (at byte ${this.pos + got})`);
      got += bytesRead;
    }
    this.buf = buf;
    this.bufStart = this.pos;
    return 0;
  }

  async u32(what: string): Promise<number> {
    const at = await this.window(4, what);
    this.pos += 4;
    return this.buf.readUInt32LE(at);
  }

  async u64(what: string): Promise<bigint> {
    const at = await this.window(8, what);
    this.pos += 8;
    return this.buf.readBigUInt64LE(at);
  }

  async scalar(type: GgufValueTypeName, what: string): Promise<GgufScalar> {
    const size = FIXED_SIZE[type] as number;
    const at = await this.window(size, what);
    this.pos += size;
    const b = this.buf;
    switch (type) {
      case 'uint8': return b.readUInt8(at);
      case 'int8': return b.readInt8(at);
      case 'uint16': return b.readUInt16LE(at);
      case 'int16': return b.readInt16LE(at);
      case 'uint32': return b.readUInt32LE(at);
      case 'int32': return b.readInt32LE(at);
      case 'float32': return b.readFloatLE(at);
      case 'bool': return b.readUInt8(at) !== 0;
      case 'uint64': return safe(b.readBigUInt64LE(at));
      case 'int64': return safe(b.readBigInt64LE(at));
      default: return b.readDoubleLE(at);
    }
  }

  /** A gguf_string; null when it is longer than `keep` (skipped, not decoded). */
  async string(what: string, keep = KEEP_STRING): Promise<string | null> {
    const len = await this.u64(`the length of ${what}`);
    if (len > BigInt(this.left) || len > BigInt(MAX_STRING)) {
      throw new GgufFormatError(`${what} claims ${len.toLocaleString('en-US')} bytes but only ${this.left.toLocaleString('en-US')} are left: ${CUT}`);
    }
    const n = Number(len);
    if (n > keep) {
      this.pos += n;
      return null;
    }
    const at = await this.window(n, what);
    this.pos += n;
    return this.buf.toString('utf8', at, at + n);
  }
}

function safe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function valueType(id: number, what: string): GgufValueTypeName {
  const t = VALUE_TYPES[id];
  if (t === undefined) throw new GgufFormatError(`${what}: unknown value type ${id} (GGUF types are 0–12)`);
  return t;
}

/** Checks a count read from the file against how many items the remaining bytes could hold. */
function count(v: bigint, minBytes: number, left: number, what: string): number {
  const most = Math.floor(left / minBytes);
  if (v > BigInt(most)) {
    throw new GgufFormatError(`${what} is ${v.toLocaleString('en-US')}, but the ${left.toLocaleString('en-US')} bytes left in the file can hold at most ${most.toLocaleString('en-US')}: ${CUT}`);
  }
  return Number(v);
}

async function readValue(c: Cursor, key: string): Promise<GgufKv> {
  const what = `the value of "${key}"`;
  const type = valueType(await c.u32(`the type of "${key}"`), `"${key}"`);
  if (type === 'string') return { type, value: await c.string(what) };
  if (type !== 'array') return { type, value: await c.scalar(type, what) };
  const itemType = valueType(await c.u32(`the item type of "${key}"`), `the items of "${key}"`);
  if (itemType === 'array') throw new GgufFormatError(`"${key}" is an array of arrays, which GGUF does not allow`);
  const minBytes = itemType === 'string' ? 8 : (FIXED_SIZE[itemType] as number);
  const length = count(await c.u64(`the length of "${key}"`), minBytes, c.left, `the length of array "${key}"`);
  const values: GgufScalar[] | null = length <= KEEP_ARRAY ? [] : null;
  if (!values && itemType !== 'string') {
    // count() has checked that the items fit in the file: skip them instead of reading 2^35 bytes of a sparse file.
    c.pos += length * minBytes;
    return { type: 'array', itemType, length, values };
  }
  if (itemType === 'string' && length > MAX_STRING_ITEMS) {
    throw new GgufFormatError(`"${key}" holds ${length.toLocaleString('en-US')} strings, more than any vocabulary (at most ${MAX_STRING_ITEMS.toLocaleString('en-US')})`);
  }
  for (let i = 0; i < length; i++) {
    const item = itemType === 'string' ? await c.string(`item ${i} of "${key}"`, values ? KEEP_STRING : 0) : await c.scalar(itemType, `item ${i} of "${key}"`);
    if (values && item !== null) values.push(item);
  }
  return { type: 'array', itemType, length, values };
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

async function readTensor(c: Cursor, i: number, total: number, names: Set<string>): Promise<Omit<GgufTensorInfo, 'bytes'> & { elements: bigint }> {
  const label = `tensor ${i + 1} of ${total}`;
  const name = (await c.string(`the name of ${label}`, MAX_TENSOR_NAME)) ?? '';
  if (name === '') throw new GgufFormatError(`${label} has an empty or over-long name (at most ${MAX_TENSOR_NAME} bytes)`);
  if (names.has(name)) throw new GgufFormatError(`tensor "${name}" appears twice`);
  names.add(name);
  const nDims = await c.u32(`the dimension count of "${name}"`);
  if (nDims < 1 || nDims > MAX_DIMS) throw new GgufFormatError(`tensor "${name}" has ${nDims} dimensions; llama.cpp allows 1 to ${MAX_DIMS}`);
  const dims: number[] = [];
  let elements = 1n;
  for (let d = 0; d < nDims; d++) {
    const v = await c.u64(`dimension ${d} of "${name}"`);
    if (v === 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GgufFormatError(`tensor "${name}" has dimension ${d} of ${v.toLocaleString('en-US')} elements, which is out of range`);
    }
    dims.push(Number(v));
    elements *= v;
  }
  const type = await c.u32(`the type of "${name}"`);
  const t = GGML_TYPES[type];
  if (!t) throw new GgufFormatError(`tensor "${name}" has ggml type ${type}, which this llama.cpp build does not know`);
  if ((dims[0] as number) % t.block !== 0) {
    throw new GgufFormatError(`tensor "${name}" is ${t.name} with rows of ${dims[0]} elements, not a multiple of its block size ${t.block}`);
  }
  const offset = await c.u64(`the data offset of "${name}"`);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`tensor "${name}" has data offset ${offset.toLocaleString('en-US')}, beyond any file`);
  return { name, dims, type, offset: Number(offset), elements };
}

export interface ReadGgufOptions {
  /** Check that every tensor's data lies inside the file (default true). */
  checkData?: boolean;
}

/** Reads and checks a GGUF header; throws GgufFormatError with the reason. */
export async function readGgufHeader(file: string, opts: ReadGgufOptions = {}): Promise<GgufHeader> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const c = new Cursor(fh, size);
    if (size < 4 || (await c.u32('the magic')) !== GGUF_MAGIC) {
      throw new GgufFormatError('not a GGUF file (the first 4 bytes are not "GGUF")');
    }
    const version = await c.u32('the version');
    if (version === 1) throw new GgufFormatError('GGUF version 1 is no longer supported by llama.cpp; convert the model again');
    if (version !== 2 && version !== 3) throw new GgufFormatError(`GGUF version ${version} is not supported (llama.cpp reads versions 2 and 3)`);
    const tensorCountRaw = await c.u64('the tensor count');
    const kvCount = count(await c.u64('the metadata count'), MIN_KV_BYTES, c.left, 'the metadata count');
    // Checked after the KV count is read so both absurd counts are caught before anything is allocated.
    const tensorCount = count(tensorCountRaw, MIN_TENSOR_BYTES, c.left, 'the tensor count');

    const kv = new Map<string, GgufKv>();
    for (let i = 0; i < kvCount; i++) {
      const key = await c.string(`the key of metadata entry ${i + 1} of ${kvCount}`, 1 << 16);
      if (!key) throw new GgufFormatError(`metadata entry ${i + 1} of ${kvCount} has an empty or over-long key`);
      if (kv.has(key)) throw new GgufFormatError(`metadata key "${key}" appears twice`);
      kv.set(key, await readValue(c, key));
    }
    let alignment = 32;
    const al = kv.get('general.alignment');
    if (al) {
      const v = al.type === 'uint32' ? (al.value as number) : 0;
      if (al.type !== 'uint32' || v === 0 || (v & (v - 1)) !== 0) {
        throw new GgufFormatError(`general.alignment must be a power of two stored as uint32 (it is ${al.type} ${String(al.type === 'array' ? '' : al.value)})`);
      }
      alignment = v;
    }

    const tensors: GgufTensorInfo[] = [];
    const names = new Set<string>();
    let expected = 0;
    for (let i = 0; i < tensorCount; i++) {
      const t = await readTensor(c, i, tensorCount, names);
      const g = GGML_TYPES[t.type] as { block: number; bytes: number };
      const bytes = (t.elements / BigInt(g.block)) * BigInt(g.bytes);
      if (bytes > BigInt(size)) {
        throw new GgufFormatError(`tensor "${t.name}" (${t.dims.join(' × ')}) needs ${bytes.toLocaleString('en-US')} bytes, more than the whole file (${size.toLocaleString('en-US')}): ${CUT}`);
      }
      if (t.offset % alignment !== 0) throw new GgufFormatError(`tensor "${t.name}" starts at offset ${t.offset}, which is not aligned to ${alignment} bytes`);
      if (t.offset !== expected) {
        throw new GgufFormatError(`tensor "${t.name}" starts at offset ${t.offset.toLocaleString('en-US')} of the data section, but the tensors before it end at ${expected.toLocaleString('en-US')}`);
      }
      tensors.push({ name: t.name, dims: t.dims, type: t.type, offset: t.offset, bytes: Number(bytes) });
      expected = alignUp(t.offset + Number(bytes), alignment);
    }
    const dataOffset = alignUp(c.pos, alignment);
    const last = tensors.at(-1);
    const dataEnd = last ? dataOffset + last.offset + last.bytes : dataOffset;
    if (opts.checkData !== false && dataEnd > size) {
      throw new GgufFormatError(
        `file is truncated: its tensors need ${dataEnd.toLocaleString('en-US')} bytes but the file has ${size.toLocaleString('en-US')} (an interrupted download or copy?)`,
      );
    }
    return { version, alignment, kv, tensors, dataOffset, dataEnd, fileSize: size };
  } finally {
    await fh.close();
  }
}
