// The label-schema editor's rows (options typed as comma-separated text) ↔ the contract's LabelSchema. Pure.
import type { LabelSchema } from '../../../shared/datasets.schema';

export interface SchemaRow {
  name: string;
  kind: 'single' | 'multi';
  options: string;
}

export function rowsFromSchema(schema: LabelSchema): SchemaRow[] {
  return schema.fields.map((f) => ({ name: f.name, kind: f.kind, options: f.options.join(', ') }));
}

/** Splits on commas (ASCII or full-width), trims, drops empties; the core validates the rest. */
export function schemaFromRows(rows: readonly SchemaRow[]): LabelSchema {
  return {
    fields: rows.map((r) => ({
      name: r.name.trim(),
      kind: r.kind,
      options: r.options
        .split(/[,，]/)
        .map((o) => o.trim())
        .filter(Boolean),
    })),
  };
}
