// Incremental Server-Sent-Events parser (WHATWG "event stream interpretation"): bytes in, events out.
// A read may end anywhere — inside a UTF-8 sequence, between "\r" and "\n" — so nothing is decided
// until the bytes that settle it arrive. Lines that are not SSE fields are reported, not skipped: an
// OpenAI-compatible server never sends them, so they mean a proxy page or a server that ignored stream.

export type SseItem =
  /** One dispatched event; `data` joins its data lines with "\n". */
  | { type: 'event'; event: string; data: string; id: string | null }
  /** A line that is neither a field we know, a comment, nor blank (truncated to 200 characters). */
  | { type: 'garbage'; line: string }
  /** A line or an event grew past the limit; its text was dropped. */
  | { type: 'overflow'; limitChars: number };

export interface SseParserOptions {
  /** Longest line or event data kept, in UTF-16 units; default 4 Mi. */
  maxChars?: number;
}

const KNOWN_FIELDS = new Set(['data', 'event', 'id', 'retry']);
const GARBAGE_EXCERPT = 200;

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxChars: number;
  /** Text of the line not yet ended. */
  private pending = '';
  /** The last chunk ended with "\r": a "\n" at the start of the next belongs to it. */
  private skipLf = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventName = '';
  private lastId: string | null = null;
  /** After an overflow: the rest of the too-long line, and the event it belongs to, are dropped. */
  private discardLine = false;
  private discardEvent = false;

  constructor(opts: SseParserOptions = {}) {
    this.maxChars = opts.maxChars ?? 4 * 1024 * 1024;
  }

  push(bytes: Uint8Array): SseItem[] {
    const out: SseItem[] = [];
    this.feed(this.decoder.decode(bytes, { stream: true }), out);
    return out;
  }

  /**
   * The stream ended. A last line without its newline and an event without its blank line are still
   * delivered: servers that drop the final "\n\n" exist, and losing `[DONE]` to that would be wrong.
   */
  end(): SseItem[] {
    const out: SseItem[] = [];
    this.feed(this.decoder.decode(), out);
    if (this.pending !== '' && !this.discardLine) this.line(this.pending, out);
    this.pending = '';
    this.discardLine = false;
    this.line('', out);
    return out;
  }

  private feed(text: string, out: SseItem[]): void {
    let i = 0;
    if (this.skipLf && text.length > 0) {
      if (text.charCodeAt(0) === 0x0a) i = 1;
      this.skipLf = false;
    }
    // Each pass consumes at least one character, so this ends with the text.
    while (i < text.length) {
      const cr = text.indexOf('\r', i);
      const lf = text.indexOf('\n', i);
      const j = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (j === -1) {
        if (this.discardLine) return;
        this.pending += text.slice(i);
        if (this.pending.length > this.maxChars) this.overflow(out);
        return;
      }
      const line = this.pending + text.slice(i, j);
      this.pending = '';
      i = j + 1;
      if (text.charCodeAt(j) === 0x0d) {
        if (i === text.length) this.skipLf = true;
        else if (text.charCodeAt(i) === 0x0a) i++;
      }
      if (this.discardLine) this.discardLine = false;
      else this.line(line, out);
    }
  }

  private line(line: string, out: SseItem[]): void {
    if (line === '') {
      if (this.data.length > 0 && !this.discardEvent) out.push({ type: 'event', event: this.eventName || 'message', data: this.data.join('\n'), id: this.lastId });
      this.data = [];
      this.dataChars = 0;
      this.eventName = '';
      this.discardEvent = false;
      return;
    }
    if (line.charCodeAt(0) === 0x3a) return; // ": comment" — keep-alive pings
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (!KNOWN_FIELDS.has(field)) {
      out.push({ type: 'garbage', line: line.length > GARBAGE_EXCERPT ? `${line.slice(0, GARBAGE_EXCERPT)}…` : line });
      return;
    }
    if (field === 'data') {
      if (this.discardEvent) return;
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxChars) return this.overflow(out);
      this.data.push(value);
    } else if (field === 'event') {
      this.eventName = value;
    } else if (field === 'id' && !value.includes('\0')) {
      this.lastId = value;
    }
  }

  private overflow(out: SseItem[]): void {
    out.push({ type: 'overflow', limitChars: this.maxChars });
    if (this.pending !== '') this.discardLine = true;
    this.discardEvent = true;
    this.pending = '';
    this.data = [];
    this.dataChars = 0;
  }
}
