// What the CSV and JSONL readers hand the importer: a header (CSV), rows as column → text maps, and bad
// rows with the file line they start on. A JSON null stays null so the mapping can tell "none" from "".
import type { Delimiter } from '../../shared/testsets.schema';

/** Column → cell text. Built without a prototype, so a column named __proto__ is just a column. */
export type Cells = Record<string, string | null>;

export type TableItem =
  | { kind: 'header'; line: number; columns: string[]; delimiter: Delimiter }
  | { kind: 'row'; line: number; values: Cells }
  | { kind: 'bad'; line: number; reason: string };

export function emptyCells(): Cells {
  return Object.create(null) as Cells;
}
