// Reading a trainer's output: splitting a byte stream into lines (progress bars redraw with \r) and
// picking step, total, epoch and loss out of the lines Hugging Face, LLaMA-Factory and tqdm print.

export interface LogProgress {
  step?: number;
  totalSteps?: number;
  epoch?: number;
  loss?: number;
}

export interface LogLine {
  text: string;
  /** Ended by a bare \r: a progress bar drawing over itself; the next redraw replaces it. */
  redraw: boolean;
}

const MAX_LINE = 2000;
const NUM = '(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|nan|inf)';

/** Splits chunks of one stream into lines; a line never waits past `flush()`. */
export class LineSplitter {
  private partial = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Buffer | string): LogLine[] {
    this.partial += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: LogLine[] = [];
    const re = /\r\n|\n|\r/g;
    let start = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(this.partial)) !== null) {
      // A \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (m[0] === '\r' && m.index === this.partial.length - 1) break;
      out.push({ text: cut(this.partial.slice(start, m.index)), redraw: m[0] === '\r' });
      start = re.lastIndex;
    }
    this.partial = this.partial.slice(start);
    if (this.partial.length > MAX_LINE * 4) {
      out.push({ text: cut(this.partial), redraw: false });
      this.partial = '';
    }
    return out.filter((l) => l.text.trim() !== '');
  }

  flush(): LogLine[] {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    return rest.replace(/\r$/, '').trim() === '' ? [] : [{ text: cut(rest.replace(/\r$/, '')), redraw: false }];
  }
}

function cut(s: string): string {
  return s.length > MAX_LINE ? `${s.slice(0, MAX_LINE)}…` : s;
}

function numberAfter(line: string, key: string): number | undefined {
  // 'loss': 1.2 (Python dict repr from the HF Trainer) or "loss": 1.2 (LLaMA-Factory's trainer_log.jsonl).
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*'?${NUM}`).exec(line);
  if (!m) return undefined;
  const v = Number(m[1]);
  return Number.isFinite(v) ? v : undefined;
}

// tqdm's training bar has no description: "  3%|▎         | 37/1200 [00:10<05:00,  3.87it/s]".
// Bars with one ("Map: 100%|…| 500/500 [", "Loading checkpoint shards: …") count other work, not steps.
const TQDM = /^\s*(?:\d{1,3}%\|[^|]*\|\s*)?(\d+)\/(\d+)\s+\[/;

/** The progress a line reports; empty when it reports none. */
export function parseProgress(line: string): LogProgress {
  const out: LogProgress = {};
  const current = numberAfter(line, 'current_steps');
  const total = numberAfter(line, 'total_steps');
  if (current !== undefined) out.step = Math.round(current);
  if (total !== undefined) out.totalSteps = Math.round(total);
  const loss = numberAfter(line, 'loss');
  if (loss !== undefined) out.loss = loss;
  const epoch = numberAfter(line, 'epoch');
  if (epoch !== undefined) out.epoch = epoch;
  if (out.step === undefined) {
    const bar = TQDM.exec(line);
    if (bar) {
      out.step = Number(bar[1]);
      out.totalSteps = Number(bar[2]);
    }
  }
  return out;
}

/** A bounded list of recent lines where a progress-bar redraw replaces the redraw before it. */
export class LogTail {
  private readonly lines: LogLine[] = [];

  constructor(private readonly max: number) {}

  add(line: LogLine): void {
    const last = this.lines.at(-1);
    if (last?.redraw) this.lines[this.lines.length - 1] = line;
    else this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  clear(): void {
    this.lines.length = 0;
  }
}
