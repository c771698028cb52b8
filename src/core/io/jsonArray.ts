// Streams a JSON array ("[ {...}, {...} ]") one top-level element at a time, so a 1 GB file takes the memory
// of one element: it tracks only depth, strings and escapes, and leaves parsing each element to JSON.parse.
// It works on decoded text because a GB18030 trail byte can look like "\", "[" or "{".
import { TextDecoder } from 'node:util';
import { formatByteLimit } from '../../shared/format';

export interface JsonElement {
  /** 1-based file line where the element starts. */
  line: number;
  /** The element's JSON text; null when it is unusable (see error). */
  text: string | null;
  error: string | null;
}

const enum State {
  Start,
  Between,
  Element,
  After,
  Done,
}

const QUOTE = 34;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

export class JsonArraySplitter {
  private state = State.Start;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Lines fully passed: the line number of the position `counted` in the current chunk is line + 1. */
  private line = 0;
  private parts: string[] = [];
  private partChars = 0;
  /** -1 until counted (see keep). */
  private partBytes = -1;
  private tooLong = false;
  private elementLine = 0;

  constructor(private readonly maxElementBytes: number) {}

  /** Physical lines seen so far (a last line without a newline counts once the input ends). */
  get lines(): number {
    return this.line;
  }

  push(text: string): JsonElement[] {
    const out: JsonElement[] = [];
    let counted = 0;
    // Line of position i: counts newlines lazily, only when an element starts.
    const lineAt = (i: number): number => {
      for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < i; nl = text.indexOf('\n', nl + 1)) {
        this.line++;
        counted = nl + 1;
      }
      if (counted < i) counted = i;
      return this.line + 1;
    };
    let start = 0; // where the current element's text begins in this chunk
    let i = 0;
    let nq = -2;
    let nb = -2;
    const n = text.length;
    while (i < n) {
      const state = this.state;
      if (state === State.Element) {
        if (this.inString) {
          if (this.escape) {
            this.escape = false;
            i++;
            continue;
          }
          // Jump to the next quote or backslash; both positions are cached while still ahead.
          if (nq !== -1 && nq < i) nq = text.indexOf('"', i);
          if (nb !== -1 && nb < i) nb = text.indexOf('\\', i);
          if (nb !== -1 && (nq === -1 || nb < nq)) {
            this.escape = true;
            i = nb + 1;
          } else if (nq !== -1) {
            this.inString = false;
            i = nq + 1;
          } else i = n;
          continue;
        }
        const c = text.charCodeAt(i);
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE) {
          if (this.depth > 0) this.depth--;
        } else if (c === CLOSE_BRACKET) {
          if (this.depth > 0) this.depth--;
          else {
            out.push(this.finish(text.slice(start, i)));
            this.state = State.After;
          }
        } else if (c === COMMA && this.depth === 0) {
          out.push(this.finish(text.slice(start, i)));
          this.state = State.Between;
        }
        i++;
        continue;
      }
      const c = text.charCodeAt(i);
      if (state === State.Done) break;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (state === State.Start) {
        if (c === OPEN_BRACKET) {
          this.state = State.Between;
          i++;
          continue;
        }
        out.push({ line: lineAt(i), text: null, error: 'expected a JSON array: the file does not start with "["' });
        this.state = State.Done;
        break;
      }
      if (state === State.Between) {
        // "]" right after "[" or a trailing comma: the array ends.
        if (c === CLOSE_BRACKET) {
          this.state = State.After;
          i++;
          continue;
        }
        this.state = State.Element;
        this.elementLine = lineAt(i);
        this.depth = 0;
        this.inString = false;
        this.escape = false;
        start = i;
        continue;
      }
      // State.After: anything but whitespace after the closing "]".
      out.push({ line: lineAt(i), text: null, error: 'unexpected text after the end of the JSON array' });
      this.state = State.Done;
      break;
    }
    if (this.state === State.Element) this.keep(text.slice(start));
    lineAt(n);
    return out;
  }

  end(): JsonElement[] {
    const out: JsonElement[] = [];
    if (this.state === State.Element) {
      out.push({ line: this.elementLine, text: null, error: 'the element is not complete at the end of the file (a missing "]" or "}"?)' });
    }
    this.reset();
    this.state = State.Done;
    return out;
  }

  private keep(piece: string): void {
    if (this.tooLong) return;
    this.parts.push(piece);
    this.partChars += piece.length;
    // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only once the cap may be near.
    if (this.partChars * 3 <= this.maxElementBytes) return;
    if (this.partBytes < 0) this.partBytes = this.parts.reduce((sum, p) => sum + Buffer.byteLength(p, 'utf8'), 0);
    else this.partBytes += Buffer.byteLength(piece, 'utf8');
    if (this.partBytes > this.maxElementBytes) {
      this.tooLong = true;
      this.parts = [];
    }
  }

  private finish(last: string): JsonElement {
    const line = this.elementLine;
    let result: JsonElement;
    if (this.tooLong) {
      result = { line, text: null, error: `the element is longer than ${formatByteLimit(this.maxElementBytes)}` };
    } else {
      const text = (this.parts.length === 0 ? last : this.parts.join('') + last).trimEnd();
      const tooLong = text.length * 3 > this.maxElementBytes && Buffer.byteLength(text, 'utf8') > this.maxElementBytes;
      result = tooLong ? { line, text: null, error: `the element is longer than ${formatByteLimit(this.maxElementBytes)}` } : { line, text, error: null };
    }
    this.reset();
    return result;
  }

  private reset(): void {
    this.parts = [];
    this.partChars = 0;
    this.partBytes = -1;
    this.tooLong = false;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
  }
}

/** Bytes in, elements out: decodes across chunk boundaries (a character split between chunks included). */
export class JsonArrayByteSplitter {
  private readonly decoder: TextDecoder;
  readonly splitter: JsonArraySplitter;

  constructor(encoding: 'utf-8' | 'gb18030', maxElementBytes: number) {
    this.decoder = new TextDecoder(encoding);
    this.splitter = new JsonArraySplitter(maxElementBytes);
  }

  push(chunk: Uint8Array): JsonElement[] {
    return this.splitter.push(this.decoder.decode(chunk, { stream: true }));
  }

  end(): JsonElement[] {
    const rest = this.decoder.decode();
    const out = rest ? this.splitter.push(rest) : [];
    return out.concat(this.splitter.end());
  }
}
