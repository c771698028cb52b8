// A small ustar writer and reader for backup archives: regular files only, short names (the manifest maps
// them to real paths), sizes past 8 GiB in GNU base-256 so large models fit. No dependency: the reader must
// tell a truncated or damaged archive apart precisely, naming the entry, which is easiest owning the parser.
import { createHash } from 'node:crypto';

const BLOCK = 512;
const OCTAL_SIZE_MAX = 8 ** 11; // 11 octal digits

export class TarError extends Error {}

export interface TarEntryHeader {
  name: string;
  size: number;
  mtimeMs: number;
}

function writeString(buf: Buffer, s: string, off: number, len: number): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > len) throw new TarError(`tar: "${s}" is longer than ${len} bytes`);
  b.copy(buf, off);
}

function writeOctal(buf: Buffer, n: number, off: number, len: number): void {
  buf.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
}

export function tarHeader(h: TarEntryHeader): Buffer {
  const buf = Buffer.alloc(BLOCK);
  writeString(buf, h.name, 0, 100);
  writeOctal(buf, 0o644, 100, 8);
  writeOctal(buf, 0, 108, 8);
  writeOctal(buf, 0, 116, 8);
  if (h.size < OCTAL_SIZE_MAX) writeOctal(buf, h.size, 124, 12);
  else {
    // GNU base-256: high bit set, big-endian binary in the remaining 11 bytes.
    buf[124] = 0x80;
    let v = BigInt(h.size);
    for (let i = 135; i > 124; i--) {
      buf[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  writeOctal(buf, Math.floor(h.mtimeMs / 1000), 136, 12);
  buf.fill(0x20, 148, 156);
  buf.write('0', 156, 'ascii');
  buf.write('ustar\0' + '00', 257, 8, 'ascii');
  writeString(buf, 'lamplight', 265, 32);
  writeString(buf, 'lamplight', 297, 32);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return buf;
}

export const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
export const endOfArchive = (): Buffer => Buffer.alloc(BLOCK * 2);

function readOctal(buf: Buffer, off: number, len: number): number {
  if ((buf[off] as number) & 0x80) {
    let v = 0n;
    for (let i = off + 1; i < off + len; i++) v = (v << 8n) | BigInt(buf[i] as number);
    return Number(v);
  }
  const s = buf.toString('ascii', off, off + len).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]*$/.test(s)) return NaN;
  return s === '' ? 0 : parseInt(s, 8);
}

/** Parses one header block; null for an all-zero block (end of archive). */
export function parseHeader(buf: Buffer, index: number): TarEntryHeader | null {
  if (buf.every((b) => b === 0)) return null;
  const stored = readOctal(buf, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (buf[i] as number);
  if (stored !== sum) throw new TarError(`entry ${index + 1}: its header checksum does not match (the archive is damaged)`);
  const name = buf.toString('utf8', 0, 100).replace(/\0.*$/s, '');
  const type = String.fromCharCode(buf[156] as number);
  if (type !== '0' && type !== '\0') throw new TarError(`entry "${name}": type "${type}" is not a regular file (not a Lamplight backup?)`);
  const size = readOctal(buf, 124, 12);
  if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`entry "${name}": its size field is not a number (the archive is damaged)`);
  return { name, size, mtimeMs: readOctal(buf, 136, 12) * 1000 };
}

/** Pulls exact byte counts out of a chunked stream. */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  consumed = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
  }

  /** Up to n bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    this.consumed += out.length;
    return out;
  }

  /** The next n bytes in pieces (no more than one chunk held); ends early at the end of the stream. */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0) await this.fill(1);
      if (this.buf.length === 0) return;
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      this.consumed += piece.length;
      left -= piece.length;
      yield piece;
    }
  }
}

export interface ReadEntry extends TarEntryHeader {
  /** The entry's bytes in pieces; must be consumed fully before the next entry. */
  body: AsyncGenerator<Buffer>;
}

/**
 * Yields each entry of a tar stream. Throws TarError naming the entry when the stream ends inside it,
 * and when the end-of-archive marker is missing (a copy cut at an entry boundary).
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<ReadEntry> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  for (let index = 0; ; index++) {
    const block = await r.read(BLOCK);
    if (block.length === 0) throw new TarError(`the archive ends after ${index} entr${index === 1 ? 'y' : 'ies'} without its end marker (truncated)`);
    if (block.length < BLOCK) throw new TarError(`the archive is truncated inside the header of entry ${index + 1}`);
    const h = parseHeader(block, index);
    if (!h) return;
    let got = 0;
    const body = (async function* () {
      for await (const p of r.pieces(h.size)) {
        got += p.length;
        yield p;
      }
      if (got < h.size) throw new TarError(`entry "${h.name}" is truncated: it needs ${h.size.toLocaleString('en-US')} bytes but the archive ends after ${got.toLocaleString('en-US')}`);
      const pad = padding(h.size).length;
      if (pad && (await r.read(pad)).length < pad) throw new TarError(`the archive is truncated after entry "${h.name}"`);
    })();
    yield { ...h, body };
    // A caller that stopped early: drain, so the stream stays aligned.
    for await (const piece of body) void piece;
  }
}

export const sha256Hex = (): ReturnType<typeof createHash> => createHash('sha256');
