// JSON Lines over a line stream: one object per line, blank lines skipped. A line that is not an object is
// a bad row with the parser's own message; the rest of the file still reads.
import type { Line } from './lineReader';
import { emptyCells, type Cells, type TableItem } from './table';

/** Strings as written, numbers and booleans as JSON writes them, objects and arrays as JSON text. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : typeof v === 'boolean' ? 'a boolean' : typeof v;
}

/** V8 may say "(line 1 column 9)" about the one line it parsed; the column is what helps here. */
function jsonMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*\(line \d+ column (\d+)\)$/, ' (column $1)');
}

export function jsonlItem(line: Line): TableItem | null {
  if (line.text === null || line.error !== null) return { kind: 'bad', line: line.number, reason: line.error ?? 'unreadable line' };
  if (line.text.trim() === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(line.text);
  } catch (e) {
    return { kind: 'bad', line: line.number, reason: `invalid JSON: ${jsonMessage(e)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { kind: 'bad', line: line.number, reason: `expected a JSON object, found ${kindOf(v)}` };
  }
  const values: Cells = emptyCells();
  for (const [k, x] of Object.entries(v)) values[k] = cellText(x);
  return { kind: 'row', line: line.number, values };
}

export async function* readJsonl(lines: AsyncIterable<Line[]>): AsyncGenerator<TableItem[]> {
  for await (const batch of lines) {
    const items: TableItem[] = [];
    for (const line of batch) {
      const item = jsonlItem(line);
      if (item !== null) items.push(item);
    }
    if (items.length > 0) yield items;
  }
}
