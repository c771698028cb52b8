// Where each field of a well-formed GGUF header lies, so a test can cut or patch a file at exactly that
// field. Only for files the project's own writer made: it trusts its input.

export interface KvLayout {
  key: string;
  /** Offset of the key's uint64 length. */
  keyLen: number;
  /** Offset of the value type (uint32). */
  type: number;
  typeId: number;
  /** Offset of the value itself; for arrays, of the item type. */
  value: number;
  /** For arrays: offset of the uint64 length, and the item count. */
  arrayLen?: number;
  arrayCount?: number;
  /** First byte after the entry. */
  end: number;
}

export interface TensorLayout {
  name: string;
  nameLen: number;
  nDims: number;
  dims: number[];
  type: number;
  offset: number;
  end: number;
}

export interface GgufLayout {
  kvs: KvLayout[];
  tensors: TensorLayout[];
  headerEnd: number;
}

const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function ggufLayout(buf: Buffer): GgufLayout {
  let pos = 24;
  const tensorCount = Number(buf.readBigUInt64LE(8));
  const kvCount = Number(buf.readBigUInt64LE(16));
  const str = (): string => {
    const n = Number(buf.readBigUInt64LE(pos));
    const s = buf.toString('utf8', pos + 8, pos + 8 + n);
    pos += 8 + n;
    return s;
  };
  const skip = (type: number): void => {
    if (type === 8) str();
    else pos += FIXED[type] as number;
  };
  const kvs: KvLayout[] = [];
  for (let i = 0; i < kvCount; i++) {
    const keyLen = pos;
    const key = str();
    const type = pos;
    const typeId = buf.readUInt32LE(pos);
    pos += 4;
    const value = pos;
    if (typeId === 9) {
      const itemType = buf.readUInt32LE(pos);
      const arrayLen = pos + 4;
      const arrayCount = Number(buf.readBigUInt64LE(arrayLen));
      pos += 12;
      for (let j = 0; j < arrayCount; j++) skip(itemType);
      kvs.push({ key, keyLen, type, typeId, value, arrayLen, arrayCount, end: pos });
    } else {
      skip(typeId);
      kvs.push({ key, keyLen, type, typeId, value, end: pos });
    }
  }
  const tensors: TensorLayout[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const nameLen = pos;
    const name = str();
    const nDims = pos;
    const n = buf.readUInt32LE(pos);
    pos += 4;
    const dims = Array.from({ length: n }, (_, d) => pos + 8 * d);
    pos += 8 * n;
    const type = pos;
    const offset = pos + 4;
    pos += 12;
    tensors.push({ name, nameLen, nDims, dims, type, offset, end: pos });
  }
  return { kvs, tensors, headerEnd: pos };
}
