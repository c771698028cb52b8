// The image encode time of a request, read from llama-server's log: its responses carry no encode time. At
// -lv 4 (trace) the server prints, per image batch, `slot process_mtmd: id S | task T | encoding mtmd batch …`
// before the projector runs and mtmd's `decoding image batch 1/N …` right after it; the gap between their
// timestamps (on by default: `M.SS.mmm.uuu I …`) is the projector's encode. The helper path of mtmd
// (mtmd_helper_eval_chunk, not used by this server) prints `image slice encoded in K ms`, read as K.

/** Milliseconds since the server started, from llama.cpp's log prefix `minutes.seconds.millis.micros`. */
export function logStampMs(line: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+) /.exec(line);
  if (!m) return null;
  const [min, s, ms, us] = m.slice(1).map(Number) as [number, number, number, number];
  return (min * 60 + s) * 1000 + ms + us / 1000;
}

const ENCODE_START = /slot process_mtmd: id +(\d+) \| task (-?\d+) \| encoding mtmd batch/;
const ENCODE_END = /decoding (?:image|audio) batch 1\/\d+/;
const SLICE_ENCODED = /(?:image|audio) slice encoded in (\d+(?:\.\d+)?) ms/;
const RELEASED = /slot +release: id +(\d+) \| task (-?\d+) \| stop processing/;

export interface EncodeEvent {
  slot: number | null;
  task: number | null;
  ms: number;
}

/** Parses the log line by line into encode events and slot releases. */
export class EncodeLogParser {
  private open: { slot: number; task: number; at: number } | null = null;

  constructor(
    private readonly onEncode: (e: EncodeEvent) => void,
    private readonly onRelease: (slot: number, task: number) => void = () => undefined,
  ) {}

  line(line: string): void {
    const start = ENCODE_START.exec(line);
    if (start) {
      const at = logStampMs(line);
      this.open = at === null ? null : { slot: Number(start[1]), task: Number(start[2]), at };
      return;
    }
    if (this.open && ENCODE_END.test(line)) {
      const at = logStampMs(line);
      // The server's loop is one thread: the encode of one batch is followed by its own decode lines.
      if (at !== null && at >= this.open.at) this.onEncode({ slot: this.open.slot, task: this.open.task, ms: at - this.open.at });
      this.open = null;
      return;
    }
    const slice = SLICE_ENCODED.exec(line);
    if (slice) {
      this.onEncode({ slot: null, task: null, ms: Number(slice[1]) });
      return;
    }
    const rel = RELEASED.exec(line);
    if (rel) this.onRelease(Number(rel[1]), Number(rel[2]));
  }
}

export interface EncodeWatch {
  /** The encode time of this request, once the server has released its slot (or after `graceMs`). */
  done(graceMs?: number): Promise<number | null>;
}

/**
 * Attributes encode lines to the image requests in flight on one server. The OpenAI-compatible responses
 * name neither slot nor task (only at -lv 10, which logs whole requests), so a request gets the encode lines
 * seen while it was the only image request in flight; with two or more at once nobody can tell whose line
 * is whose, and every request then in flight gets null.
 */
export class EncodeTimes {
  private readonly watches = new Set<Watch>();
  readonly parser = new EncodeLogParser(
    (e) => {
      for (const w of this.watches) w.events.push(e);
    },
    (slot, task) => {
      for (const w of this.watches) w.released(slot, task);
    },
  );

  line(line: string): void {
    this.parser.line(line);
  }

  watch(): EncodeWatch {
    const w = new Watch();
    this.watches.add(w);
    if (this.watches.size > 1) for (const o of this.watches) o.shared = true;
    return {
      done: async (graceMs = 5_000) => {
        await w.settled(graceMs);
        this.watches.delete(w);
        if (w.shared || w.events.length === 0) return null;
        return w.events.reduce((sum, e) => sum + e.ms, 0);
      },
    };
  }
}

class Watch {
  events: EncodeEvent[] = [];
  shared = false;
  private releases = 0;
  private wake: (() => void) | null = null;

  released(slot: number, task: number): void {
    // Ours when it is the task whose encode we saw, or (no encode seen) any release while we are alone.
    const mine = this.events.some((e) => e.task === task && e.slot === slot) || this.events.length === 0;
    if (!mine) return;
    this.releases++;
    this.wake?.();
  }

  /** The log line of the release arrives on stderr, maybe after the response: wait for it, briefly. */
  settled(graceMs: number): Promise<void> {
    if (this.releases > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(finish, graceMs);
      function finish() {
        clearTimeout(t);
        resolve();
      }
      this.wake = finish;
    });
  }
}
