// A corpus of malformed GGUF files, generated from the project's own writer: a small valid llama model,
// then copies cut at every header field or with one field patched (counts, lengths, offsets, shapes,
// types), and copies written with bad metadata (NaN, missing keys, unknown architecture). Deterministic:
// the same call writes the same bytes.
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeGguf, gguf, type GgufTensor, type GgufValue } from '../../fixtures/ggufWriter';
import { modelMetadata, modelTensors, type SyntheticShape } from '../../fixtures/syntheticModel';
import { buildVocab } from '../../fixtures/syntheticVocab';
import { ggufLayout, type GgufLayout } from './ggufLayout';

/** ~0.1M parameters: big enough for llama.cpp to load and run, small enough to copy hundreds of times. */
export const MICRO_SHAPE: SyntheticShape = {
  vocabSize: 384, contextLength: 256, embeddingLength: 64, blockCount: 2, feedForwardLength: 128, headCount: 4, headCountKv: 2,
};

export interface HostileCase {
  file: string;
  /** What is wrong with it, in words. */
  what: string;
  /** The reason `models add` must give; null: the header is sound, so add may accept it and the engine must contain it. */
  refuse: RegExp | null;
}

const TRUNCATED = /truncated|not a GGUF/;
const COUNT = /can hold at most|truncated|out of range|unknown value type|empty or over-long/;
const ANY = /./;

type Meta = Array<[string, GgufValue]>;

function baseParts(): { metadata: Meta; tensors: GgufTensor[] } {
  const vocab = buildVocab(MICRO_SHAPE.vocabSize);
  return {
    metadata: modelMetadata('llama', 'lamplight-micro', MICRO_SHAPE, 'Q8_0', vocab),
    tensors: modelTensors(MICRO_SHAPE, 'Q8_0', 7, vocab),
  };
}

async function build(tmp: string, edit: (m: Meta, t: GgufTensor[]) => void = () => undefined): Promise<Buffer> {
  const { metadata, tensors } = baseParts();
  edit(metadata, tensors);
  await writeGguf(tmp, { metadata, tensors });
  const buf = await readFile(tmp);
  await rm(tmp);
  return buf;
}

function setMeta(m: Meta, key: string, value: GgufValue | null): void {
  const i = m.findIndex(([k]) => k === key);
  if (i < 0) throw new Error(`no ${key}`);
  if (value === null) m.splice(i, 1);
  else m[i] = [key, value];
}

const u64 = (buf: Buffer, at: number, v: bigint): Buffer => {
  const b = Buffer.from(buf);
  b.writeBigUInt64LE(v, at);
  return b;
};
const u32 = (buf: Buffer, at: number, v: number): Buffer => {
  const b = Buffer.from(buf);
  b.writeUInt32LE(v >>> 0, at);
  return b;
};

/** Offsets at which to cut the file: every header field boundary, a byte into each field, and inside the data. */
function cutPoints(buf: Buffer, L: GgufLayout): Array<[number, string]> {
  const cuts: Array<[number, string]> = [[0, 'empty'], [2, 'inside the magic'], [4, 'after the magic'], [6, 'inside the version'], [8, 'after the version'],
    [12, 'inside the tensor count'], [16, 'after the tensor count'], [20, 'inside the KV count'], [24, 'after the KV count']];
  for (const kv of L.kvs) {
    cuts.push([kv.keyLen + 3, `inside the key length of ${kv.key}`], [kv.keyLen + 8, `after the key length of ${kv.key}`]);
    cuts.push([kv.type - 2, `inside the key ${kv.key}`], [kv.type, `after the key ${kv.key}`], [kv.value, `after the type of ${kv.key}`]);
    if (kv.arrayLen !== undefined) {
      cuts.push([kv.arrayLen, `after the item type of ${kv.key}`], [kv.arrayLen + 8, `after the array length of ${kv.key}`]);
      cuts.push([Math.floor((kv.arrayLen + 8 + kv.end) / 2), `halfway through the items of ${kv.key}`]);
    }
    cuts.push([kv.end - 1, `one byte short of the end of ${kv.key}`]);
  }
  const picked = [L.tensors[0], L.tensors[Math.floor(L.tensors.length / 2)], L.tensors.at(-1)];
  for (const t of picked) {
    if (!t) continue;
    cuts.push([t.nameLen + 8, `after the name length of ${t.name}`], [t.nDims - 3, `inside the name ${t.name}`], [t.nDims + 4, `after the dimension count of ${t.name}`]);
    for (const [d, at] of t.dims.entries()) cuts.push([at + 4, `inside dimension ${d} of ${t.name}`]);
    cuts.push([t.type + 4, `after the type of ${t.name}`], [t.offset + 4, `inside the offset of ${t.name}`], [t.end, `after the info of ${t.name}`]);
  }
  const dataStart = Math.ceil(L.headerEnd / 32) * 32;
  cuts.push([dataStart, 'at the start of the tensor data'], [dataStart + 1, 'one byte into the tensor data']);
  cuts.push([Math.floor((dataStart + buf.length) / 2), 'halfway through the tensor data'], [buf.length - 1, 'one byte short of the end']);
  return cuts;
}

/** Writes the corpus into `dir` and returns its cases; the first is the valid base file. */
export async function writeHostileCorpus(dir: string): Promise<HostileCase[]> {
  const tmp = join(dir, '.tmp.gguf');
  const base = await build(tmp);
  const L = ggufLayout(base);
  const kv = (key: string) => {
    const e = L.kvs.find((k) => k.key === key);
    if (!e) throw new Error(`no ${key} in the base file`);
    return e;
  };
  const tensor = (i: number) => L.tensors.at(i) as GgufLayout['tensors'][number];
  const out: HostileCase[] = [];
  const add = async (slug: string, bytes: Buffer, what: string, refuse: RegExp | null): Promise<void> => {
    const file = join(dir, `${String(out.length).padStart(3, '0')}-${slug}.gguf`);
    await writeFile(file, bytes);
    out.push({ file, what, refuse });
  };
  await add('valid-base', base, 'the valid base model', null);

  for (const [at, where] of cutPoints(base, L)) {
    await add(`cut-${at}`, base.subarray(0, at), `cut short ${where} (${at} bytes)`, TRUNCATED);
  }

  for (const [magic, label] of [['GGUG', 'one letter off'], ['FUGG', 'byte-swapped'], ['GGML', 'the old GGML format'], ['\0\0\0\0', 'zeros']] as const) {
    const b = Buffer.from(base);
    b.write(magic, 0, 'latin1');
    await add(`magic-${label.replace(/\W+/g, '_')}`, b, `bad magic: ${label}`, /not a GGUF file/);
  }
  for (const v of [0, 1, 4, 0x03000000, 0xffffffff]) await add(`version-${v}`, u32(base, 4, v), `GGUF version ${v}`, /GGUF version/);

  const nT = BigInt(L.tensors.length);
  const nKv = BigInt(L.kvs.length);
  for (const [v, label] of [[2n ** 63n, '2^63'], [2n ** 40n, '2^40'], [2n ** 64n - 1n, 'max'], [nT + 1n, 'one more']] as const) {
    await add(`tensor-count-${label.replace(/\W+/g, '_')}`, u64(base, 8, v), `tensor count ${label}`, COUNT);
  }
  await add('tensor-count-zero', u64(base, 8, 0n), 'tensor count 0', /no tensors/);
  // One tensor info fewer: the header still parses, the last tensor is simply not declared.
  await add('tensor-count-one-less', u64(base, 8, nT - 1n), 'a tensor count one less than the tensor infos', null);
  for (const [v, label] of [[2n ** 63n, '2^63'], [2n ** 40n, '2^40'], [nKv + 1n, 'one more'], [nKv - 1n, 'one less'], [0n, 'zero']] as const) {
    await add(`kv-count-${label.replace(/\W+/g, '_')}`, u64(base, 16, v), `KV count ${label}`, ANY);
  }

  const size = BigInt(base.length);
  const lengths = [[2n ** 62n, '2^62'], [2n ** 64n - 1n, 'max'], [size, 'file size']] as const;
  for (const [key, label] of [['general.architecture', 'key'], ['general.name', 'key']] as const) {
    for (const [v, l] of lengths) await add(`strlen-${label}-${l.replace(/\W+/g, '_')}`, u64(base, kv(key).keyLen, v), `the length of key ${key} is ${l}`, /claims|ends inside/);
  }
  for (const key of ['general.name', 'tokenizer.chat_template', 'tokenizer.ggml.model']) {
    for (const [v, l] of lengths) await add(`strlen-value-${key}-${l.replace(/\W+/g, '_')}`, u64(base, kv(key).value, v), `the length of the ${key} value is ${l}`, /claims|ends inside/);
  }
  await add('strlen-key-zero', u64(base, kv('general.name').keyLen, 0n), 'an empty key', ANY);
  for (const [v, l] of lengths) await add(`strlen-tensor-name-${l.replace(/\W+/g, '_')}`, u64(base, tensor(0).nameLen, v), `the length of a tensor name is ${l}`, /claims|empty or over-long/);

  for (const key of ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const e = kv(key);
    for (const [v, l] of [[2n ** 62n, '2^62'], [2n ** 40n, '2^40'], [BigInt(e.arrayCount as number) + 1n, 'one more']] as const) {
      await add(`arrlen-${key}-${l.replace(/\W+/g, '_')}`, u64(base, e.arrayLen as number, v), `the ${key} array length is ${l}`, ANY);
    }
    await add(`arr-item-type-13-${key}`, u32(base, e.value, 13), `${key} items of unknown type 13`, /unknown value type/);
    await add(`arr-of-arr-${key}`, u32(base, e.value, 9), `${key} as an array of arrays`, /array of arrays/);
  }
  // Sparse files: counts that the file's size allows, but whose items are holes; reading them one by one never ends.
  const sparse = async (slug: string, what: string, itemType: number, n: bigint, bytes: bigint, refuse: RegExp) => {
    const e = kv('tokenizer.ggml.scores');
    await add(slug, u64(u32(base, e.value, itemType), e.arrayLen as number, n), what, refuse);
    await truncate((out.at(-1) as HostileCase).file, Number(bytes) + base.length);
  };
  await sparse('sparse-uint8-array-2^35', 'a 32 GiB sparse file whose scores are 2^35 uint8', 0, 2n ** 35n, 2n ** 35n, /empty or over-long key/);
  await sparse('sparse-string-array-2^25', 'a sparse file with 2^25 empty strings as scores', 8, 2n ** 25n, 2n ** 28n, /more than any vocabulary/);
  for (const [t, l] of [[13, '13'], [0xffff, '65535'], [0xffffffff, 'max']] as const) {
    await add(`value-type-${l}`, u32(base, kv('general.name').type, t), `general.name of unknown value type ${l}`, /unknown value type/);
  }

  const first = tensor(0);
  const last = tensor(-1);
  for (const [at, v, l] of [
    [first.offset, size * 2n, 'first tensor offset twice the file size'],
    [first.offset, 2n ** 63n, 'first tensor offset 2^63'],
    [first.offset, 1n, 'first tensor offset misaligned'],
    [first.offset, 32n, 'first tensor offset with a gap'],
    [last.offset, size, 'last tensor offset at the file size'],
  ] as const) {
    await add(`offset-${l.replace(/\W+/g, '_')}`, u64(base, at, v), l, /offset|aligned|truncated|beyond/);
  }
  for (const [v, l] of [[0n, '0'], [2n ** 40n, '2^40'], [2n ** 63n, '2^63'], [2n ** 64n - 1n, 'max'], [48n, 'not a multiple of the block']] as const) {
    await add(`dim-${l.replace(/\W+/g, '_')}`, u64(base, first.dims[0] as number, v), `first tensor's row length ${l}`, /dimension|more than the whole file|block size|offset/);
  }
  await add('dim1-2^40', u64(base, first.dims[1] as number, 2n ** 40n), `first tensor's row count 2^40`, /more than the whole file/);
  for (const n of [0, 5, 0xffffffff]) await add(`ndims-${n}`, u32(base, first.nDims, n), `a tensor with ${n} dimensions`, /dimensions/);
  for (const [t, l] of [[4, 'removed Q4_2'], [31, 'removed Q4_0_4_4'], [43, 'past the last'], [0xffffffff, 'max']] as const) {
    await add(`ggml-type-${t}`, u32(base, first.type, t), `a tensor of ggml type ${t} (${l})`, /ggml type/);
  }
  await add('ggml-type-f32-for-q8', u32(base, first.type, 0), 'a Q8_0 tensor declared F32 (sizes no longer match)', /offset|truncated|whole file/);
  // Same length names, so the patch keeps every other field in place.
  const dupName = Buffer.from(base);
  const t1 = L.tensors.find((t) => t.name === 'blk.0.attn_k.weight') as GgufLayout['tensors'][number];
  dupName.write('blk.0.attn_q.weight', t1.nameLen + 8, 'latin1');
  await add('duplicate-tensor-name', dupName, 'two tensors named blk.0.attn_q.weight', /appears twice/);
  const dupKey2 = Buffer.from(base);
  const fk = kv('tokenizer.ggml.add_eos_token');
  dupKey2.write('tokenizer.ggml.add_bos_token', fk.keyLen + 8, 'latin1');
  await add('duplicate-key', dupKey2, 'tokenizer.ggml.add_bos_token twice', /appears twice/);

  const arch = 'llama';
  const meta = async (slug: string, what: string, refuse: RegExp | null, edit: (m: Meta, t: GgufTensor[]) => void) =>
    add(slug, await build(tmp, edit), what, refuse);
  for (const [key, v] of [[`${arch}.attention.layer_norm_rms_epsilon`, NaN], [`${arch}.attention.layer_norm_rms_epsilon`, Infinity], [`${arch}.rope.freq_base`, -Infinity]] as const) {
    await meta(`float-${key}-${String(v)}`, `${key} = ${v}`, /not a finite number/, (m) => setMeta(m, key, gguf.f32(v)));
  }
  await meta('arch-unknown', 'an unknown architecture', /architecture "lamplight-unknown" is not supported/, (m) => {
    for (const e of m) e[0] = e[0].replace(/^llama\./, 'lamplight-unknown.');
    setMeta(m, 'general.architecture', gguf.str('lamplight-unknown'));
  });
  await meta('arch-uppercase', 'architecture "LLAMA"', /not supported/, (m) => setMeta(m, 'general.architecture', gguf.str('LLAMA')));
  await meta('arch-empty', 'an empty architecture', /not supported/, (m) => setMeta(m, 'general.architecture', gguf.str('')));
  await meta('arch-number', 'architecture stored as a number', /must be a string/, (m) => setMeta(m, 'general.architecture', gguf.u32(1)));
  for (const key of ['general.architecture', `${arch}.block_count`, `${arch}.embedding_length`, `${arch}.context_length`, 'tokenizer.ggml.model', 'tokenizer.ggml.tokens']) {
    await meta(`missing-${key}`, `no ${key}`, /no architecture|has no|no tokenizer/, (m) => setMeta(m, key, null));
  }
  for (const [v, l] of [[0, '0'], [1000, '1000'], [2 ** 32 - 1, 'max']] as const) {
    await meta(`block-count-${l}`, `block_count ${l}`, /block_count is/, (m) => setMeta(m, `${arch}.block_count`, gguf.u32(v)));
  }
  await meta('block-count-1-of-2', 'block_count 1 with tensors for 2 blocks', /blk\.1 exists/, (m) => setMeta(m, `${arch}.block_count`, gguf.u32(1)));
  await meta('block-count-float', 'block_count stored as a float', /must be an integer/, (m) => setMeta(m, `${arch}.block_count`, gguf.f32(2)));
  await meta('embedding-length-0', 'embedding_length 0', /embedding_length is 0/, (m) => setMeta(m, `${arch}.embedding_length`, gguf.u32(0)));
  await meta('context-length-0', 'context_length 0', /context_length is 0/, (m) => setMeta(m, `${arch}.context_length`, gguf.u32(0)));
  await meta('scores-short', 'fewer scores than tokens', /tokenizer\.ggml\.scores has 10 entries, but the vocabulary has 384/, (m) => {
    const v = m.find(([k]) => k === 'tokenizer.ggml.scores')?.[1] as unknown as { value: Float32Array };
    setMeta(m, 'tokenizer.ggml.scores', gguf.f32s(v.value.subarray(0, 10)));
  });
  await meta('token-type-scalar', 'token_type as a single number', /token_type is a single int32/, (m) => setMeta(m, 'tokenizer.ggml.token_type', gguf.i32(1)));
  await meta('alignment-3', 'general.alignment 3', /power of two/, (m) => m.push(['general.alignment', gguf.u32(3)]));
  await meta('alignment-u64', 'general.alignment as uint64', /power of two/, (m) => m.push(['general.alignment', gguf.u64(32)]));
  await meta('adapter-type', 'general.type "adapter"', /LoRA adapter/, (m) => m.push(['general.type', gguf.str('adapter')]));

  // Sound headers with values only llama.cpp can judge: add may accept them; load and run must contain them.
  await meta('head-count-0', 'attention.head_count 0', null, (m) => setMeta(m, `${arch}.attention.head_count`, gguf.u32(0)));
  await meta('head-count-kv-3', 'head_count_kv 3 (not a divisor of 4)', null, (m) => setMeta(m, `${arch}.attention.head_count_kv`, gguf.u32(3)));
  await meta('ffn-length-wrong', 'feed_forward_length that disagrees with the tensors', null, (m) => setMeta(m, `${arch}.feed_forward_length`, gguf.u32(96)));
  await meta('rope-dims-huge', 'rope.dimension_count 2^31', null, (m) => setMeta(m, `${arch}.rope.dimension_count`, gguf.u32(2 ** 31)));
  await meta('bos-out-of-range', 'bos_token_id past the vocabulary', null, (m) => setMeta(m, 'tokenizer.ggml.bos_token_id', gguf.u32(1_000_000)));
  await meta('missing-tensor', 'no blk.1.ffn_down.weight', null, (_m, t) => void t.splice(t.findIndex((x) => x.name === 'blk.1.ffn_down.weight'), 1));
  await meta('shape-wrong', 'blk.0.ffn_up.weight with half its rows', null, (_m, t) => {
    const e = t.find((x) => x.name === 'blk.0.ffn_up.weight') as GgufTensor;
    e.shape = [e.shape[0] as number, (e.shape[1] as number) / 2];
  });
  const noise = Buffer.from(base);
  noise.fill(0xff, Math.ceil(L.headerEnd / 32) * 32);
  await add('data-all-ff', noise, 'tensor data all 0xFF (NaN scales)', null);
  return out;
}
