// RFC 4180 CSV over a line stream: quoted fields, "" escapes, newlines inside quotes (the row is reported
// at its first line), CRLF or LF, a header row, and the delimiter detected from the header (, ; or tab).
// Lenient where files in the wild are: text after a closing quote, or a quote inside an unquoted field,
// is kept as written.
import type { Delimiter } from '../../shared/testsets.schema';
import { formatByteLimit } from '../../shared/format';
import { DEFAULT_MAX_LINE_BYTES, type Line } from './lineReader';
import { emptyCells, type TableItem } from './table';

const QUOTE = 34;
const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];

/** The candidate seen most often outside quotes in the header line; ',' when none is. Ties go to ',' then ';'. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(CANDIDATES.map((d) => [d, 0]));
  let inQuotes = false;
  for (const ch of headerLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, (counts.get(ch as Delimiter) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of CANDIDATES) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

export type CsvRecord = { kind: 'record'; line: number; fields: string[] } | { kind: 'bad'; line: number; reason: string };

export interface CsvOptions {
  /** Detected from the first line when not given. */
  delimiter?: Delimiter;
  /** A row (all its lines) longer than this is bad; also the cap the line reader used. */
  maxRecordBytes?: number;
}

/** Turns lines into records; state carries over lines while a quoted field is open. */
export class CsvParser {
  delimiter: Delimiter | null;
  private readonly maxRecordBytes: number;
  private open = false;
  private startLine = 0;
  private recordBytes = 0;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private quotedField = false;
  private bad: string | null = null;

  constructor(opts: CsvOptions = {}) {
    this.delimiter = opts.delimiter ?? null;
    this.maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  push(line: Line): CsvRecord | null {
    if (line.text === null) {
      const reason = this.open ? `line ${line.number} is longer than ${formatByteLimit(this.maxRecordBytes)}` : (line.error ?? 'line too long');
      const at = this.open ? this.startLine : line.number;
      this.reset();
      return { kind: 'bad', line: at, reason };
    }
    if (!this.open) {
      if (line.text === '') return null;
      this.open = true;
      this.startLine = line.number;
      this.recordBytes = 0;
      this.delimiter ??= detectDelimiter(line.text);
    }
    if (line.error !== null && this.bad === null) {
      this.bad = line.number === this.startLine ? line.error : `line ${line.number} is ${line.error}`;
    }
    // One line is capped by the line reader; a row spanning lines is capped here, so a missing closing
    // quote cannot swallow the rest of the file into memory.
    this.recordBytes += line.bytes;
    if (line.number > this.startLine && this.recordBytes > this.maxRecordBytes) {
      const at = this.startLine;
      this.reset();
      return {
        kind: 'bad',
        line: at,
        reason: `the row runs over lines ${at}–${line.number} past ${formatByteLimit(this.maxRecordBytes)} (a missing closing quote?)`,
      };
    }
    this.scan(line.text);
    if (this.inQuotes) {
      this.field += line.eol;
      return null;
    }
    this.fields.push(this.field);
    const record: CsvRecord =
      this.bad === null ? { kind: 'record', line: this.startLine, fields: this.fields } : { kind: 'bad', line: this.startLine, reason: this.bad };
    this.reset();
    return record;
  }

  end(): CsvRecord | null {
    if (!this.open) return null;
    const at = this.startLine;
    this.reset();
    return { kind: 'bad', line: at, reason: 'a quoted field is not closed before the end of the file' };
  }

  private scan(t: string): void {
    const d = this.delimiter as Delimiter;
    let i = 0;
    while (i < t.length) {
      if (this.inQuotes) {
        const q = t.indexOf('"', i);
        if (q === -1) {
          this.field += t.slice(i);
          return;
        }
        this.field += t.slice(i, q);
        if (t.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      if (this.field === '' && !this.quotedField && t.charCodeAt(i) === QUOTE) {
        this.inQuotes = true;
        this.quotedField = true;
        i++;
        continue;
      }
      const next = t.indexOf(d, i);
      if (next === -1) {
        this.field += t.slice(i);
        return;
      }
      this.field += t.slice(i, next);
      this.fields.push(this.field);
      this.field = '';
      this.quotedField = false;
      i = next + 1;
      // A delimiter at the very end opens one more (empty) field, pushed when the line ends.
    }
  }

  private reset(): void {
    this.open = false;
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
    this.quotedField = false;
    this.bad = null;
    this.recordBytes = 0;
  }
}

/** Header cells as column names: trimmed, blanks named column_N, repeats suffixed _2, _3… */
export function headerColumns(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  return fields.map((f, i) => {
    const base = f.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}_${n}`;
    seen.add(name);
    return name;
  });
}

export class HeaderError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'HeaderError';
  }
}

/** Records → table items: the first record is the header; every other row must have as many fields. */
export class CsvTable {
  readonly parser: CsvParser;
  columns: string[] | null = null;

  constructor(opts: CsvOptions = {}) {
    this.parser = new CsvParser(opts);
  }

  push(line: Line): TableItem | null {
    return this.item(this.parser.push(line));
  }

  end(): TableItem | null {
    return this.item(this.parser.end());
  }

  private item(r: CsvRecord | null): TableItem | null {
    if (r === null) return null;
    if (this.columns === null) {
      if (r.kind === 'bad') throw new HeaderError(r.line, `the header row (line ${r.line}) is unusable: ${r.reason}`);
      this.columns = headerColumns(r.fields);
      return { kind: 'header', line: r.line, columns: this.columns, delimiter: this.parser.delimiter ?? ',' };
    }
    if (r.kind === 'bad') return r;
    if (r.fields.length !== this.columns.length) {
      return { kind: 'bad', line: r.line, reason: `expected ${this.columns.length} fields (as in the header), found ${r.fields.length}` };
    }
    const values = emptyCells();
    for (let i = 0; i < this.columns.length; i++) values[this.columns[i] as string] = r.fields[i] as string;
    return { kind: 'row', line: r.line, values };
  }
}

export async function* readCsv(lines: AsyncIterable<Line[]>, opts: CsvOptions = {}): AsyncGenerator<TableItem[]> {
  const table = new CsvTable(opts);
  for await (const batch of lines) {
    const items: TableItem[] = [];
    for (const line of batch) {
      const item = table.push(line);
      if (item !== null) items.push(item);
    }
    if (items.length > 0) yield items;
  }
  const last = table.end();
  if (last !== null) yield [last];
}
