// Splits a byte stream into lines without ever holding more than one line (up to the cap) in memory:
// a longer line is reported and skipped, not buffered, and a line that is not UTF-8 is reported, not fatal.
import { isUtf8 } from 'node:buffer';
import { formatByteLimit } from '../../shared/format';

export const MIB = 1 << 20;
export const DEFAULT_MAX_LINE_BYTES = MIB;

export interface Line {
  /** 1-based line number in the file. */
  number: number;
  /** Without its terminator or a leading BOM; null when the line was longer than the cap. */
  text: string | null;
  /** The terminator: '\n', '\r\n', or '' for a last line without one. */
  eol: string;
  /** Why the line cannot be used as is (too long, not UTF-8); text then holds a lossy decoding or null. */
  error: string | null;
  /** Bytes the line took in the file, terminator included. */
  bytes: number;
}

/** How far a reader got, for progress and size estimates. */
export interface ReadProgress {
  lines: number;
  bytes: number;
  done: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/** Turns a line's bytes (terminator and BOM removed) into text, with a reason when they do not decode cleanly. */
export type LineDecoder = (body: Buffer) => { text: string; error: string | null };

export const decodeUtf8Line: LineDecoder = (body) => ({ text: body.toString('utf8'), error: isUtf8(body) ? null : 'not valid UTF-8' });

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the current line dropped because it passed the cap. */
  private dropped = 0;
  private number = 0;
  private atStart = true;

  constructor(
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
    private readonly decode: LineDecoder = decodeUtf8Line,
  ) {}

  push(chunk: Uint8Array): Line[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        // Copied: a source may reuse its buffer for the next chunk.
        if (start < buf.length) this.keep(Buffer.from(buf.subarray(start)));
        return out;
      }
      out.push(this.finish(buf.subarray(start, nl), true));
      start = nl + 1;
    }
  }

  /** The last line, when the file does not end with a newline. */
  end(): Line[] {
    if (this.partBytes === 0 && this.dropped === 0) return [];
    return [this.finish(Buffer.alloc(0), false)];
  }

  private keep(piece: Buffer): void {
    // +4: room for a BOM and a CR, which do not count towards the cap.
    if (this.dropped > 0 || this.partBytes + piece.length > this.maxLineBytes + 4) {
      this.dropped += this.partBytes + piece.length;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }

  private finish(tail: Buffer, newline: boolean): Line {
    this.number++;
    const total = this.dropped + this.partBytes + tail.length;
    let bytes: Buffer | null = null;
    if (this.dropped === 0) bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.partBytes = 0;
    this.dropped = 0;
    const fileBytes = total + (newline ? 1 : 0);

    let eol = newline ? '\n' : '';
    let length = total;
    const crlf = newline && (bytes ? bytes.length > 0 && bytes[bytes.length - 1] === CR : false);
    if (crlf) {
      eol = '\r\n';
      length--;
    }
    let offset = 0;
    if (this.atStart) {
      this.atStart = false;
      if (bytes && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) offset = 3;
    }
    if (bytes === null || length - offset > this.maxLineBytes) {
      return { number: this.number, text: null, eol, error: `line is longer than ${formatByteLimit(this.maxLineBytes)}`, bytes: fileBytes };
    }
    const { text, error } = this.decode(bytes.subarray(offset, length));
    return { number: this.number, text, eol, error, bytes: fileBytes };
  }
}

/** Lines in batches (one per chunk read), so callers can work a batch at a time. */
export async function* readLines(
  source: AsyncIterable<Uint8Array>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  progress: ReadProgress = { lines: 0, bytes: 0, done: false },
): AsyncGenerator<Line[]> {
  const splitter = new LineSplitter(maxLineBytes);
  const count = (lines: Line[]) => {
    for (const l of lines) {
      progress.lines++;
      progress.bytes += l.bytes;
    }
    return lines;
  };
  for await (const chunk of source) {
    const lines = count(splitter.push(chunk));
    if (lines.length > 0) yield lines;
  }
  const last = count(splitter.end());
  progress.done = true;
  if (last.length > 0) yield last;
}
