// Test sets: rows of {{variables}} plus an optional expected output and label, imported from CSV or JSONL
// or edited in a grid.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';

/** The same names template.ts recognises inside {{ }}. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const VariableName = z
  .string()
  .max(100)
  .regex(VARIABLE_NAME, 'variable names are a letter or _ then letters, digits, _ . - (as in {{name}})')
  .refine((n) => n !== '__proto__', '__proto__ cannot be a variable name');

const Name = z.string().trim().min(1).max(200);
const FilePath = z.string().min(1).max(4096);
/** A cell: the same cap as a prompt's user message. */
const Value = z.string().max(1_000_000);
const Variables = z
  .array(VariableName)
  .max(500)
  .refine((v) => new Set(v).size === v.length, 'variable names must be unique');

export const ImportFormat = z.enum(['csv', 'jsonl']);
export type ImportFormat = z.infer<typeof ImportFormat>;
export const FormatChoice = z.enum(['auto', 'csv', 'jsonl']);
export const Delimiter = z.enum([',', ';', '\t']);
export type Delimiter = z.infer<typeof Delimiter>;

/** Which source column feeds what: columns not named here are not imported. */
export const ColumnMapping = z
  .object({
    /** Source column → variable name. */
    variables: z.record(z.string().max(1000), VariableName),
    expected: z.string().max(1000).nullable().default(null),
    label: z.string().max(1000).nullable().default(null),
    /**
     * Variables (mapped names) whose cells are images: a file path (relative to the test set file, or
     * absolute), a `data:image/…;base64,` URI, or the hash of an image already stored. Each is stored in the
     * image store and the row keeps its hash.
     */
    images: z.array(VariableName).max(500).default([]),
  })
  .superRefine((m, ctx) => {
    const names = Object.values(m.variables);
    m.images.forEach((name, i) => {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', path: ['images', i], message: `"${name}" is not one of the mapped variables` });
    });
    if (names.length > 500) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'at most 500 variables' });
    const seen = new Set<string>();
    for (const [column, name] of Object.entries(m.variables)) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['variables', column], message: `two columns map to the variable "${name}"` });
      seen.add(name);
    }
    if (m.expected !== null && m.expected === m.label) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'expected and label must be different columns' });
    }
  });
export type ColumnMapping = z.infer<typeof ColumnMapping>;
export type ColumnMappingInput = z.input<typeof ColumnMapping>;

/** A row that was not imported: its first line in the file (1-based) and why. */
export const BadRow = z.object({
  line: z.number().int().min(1),
  reason: z.string(),
  /** The source column at fault, where one cell made the row bad (an image that could not be read). */
  column: z.string().optional(),
});
export type BadRow = z.infer<typeof BadRow>;

/** At most this many bad rows are listed (returned and stored); badTotal counts them all. */
export const MAX_LISTED_BAD_ROWS = 1000;

export const ImportReport = z.object({
  path: z.string(),
  format: ImportFormat,
  delimiter: Delimiter.nullable(),
  mapping: ColumnMapping,
  imported: z.number().int(),
  badTotal: z.number().int(),
  bad: z.array(BadRow),
  importedAt: z.number(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const TestSetSummary = z.object({
  id: Id,
  name: z.string(),
  /** In column order. */
  variables: z.array(z.string()),
  /** Variables whose values are stored images (by hash; '' for none): a subset of `variables`. */
  imageVariables: z.array(z.string()),
  rowCount: z.number().int(),
  createdAt: z.number(),
  /** Last change to the set or any of its rows. */
  updatedAt: z.number(),
});
export type TestSetSummary = z.infer<typeof TestSetSummary>;

export const TestSetInfo = TestSetSummary.extend({
  /** null for a set created empty. */
  importReport: ImportReport.nullable(),
});
export type TestSetInfo = z.infer<typeof TestSetInfo>;

export const TestSetRow = z.object({
  id: Id,
  /** Stable order within the set (gaps after deletes). */
  position: z.number().int(),
  /** Every variable of the set, in its order; '' where a row has no value. */
  variables: z.record(z.string(), z.string()),
  /** null: none (an empty cell imports as null). */
  expected: z.string().nullable(),
  label: z.string().nullable(),
});
export type TestSetRow = z.infer<typeof TestSetRow>;

export const PreviewRow = z.object({ line: z.number().int(), values: z.record(z.string(), z.string()) });
export type PreviewRow = z.infer<typeof PreviewRow>;

export const TestSetPreview = z.object({
  path: z.string(),
  format: ImportFormat,
  /** CSV only. */
  delimiter: Delimiter.nullable(),
  /** CSV: the header; JSONL: the union of keys in the lines read, in order of first appearance. */
  columns: z.array(z.string()),
  rows: z.array(PreviewRow),
  /** Bad rows among the lines read for the preview. */
  bad: z.array(BadRow),
  sizeBytes: z.number().int(),
  /** Physical lines in the file: exact when the preview reached its end, otherwise estimated from the bytes read. */
  lineCount: z.number().int(),
  lineCountExact: z.boolean(),
  mapping: ColumnMapping,
});
export type TestSetPreview = z.infer<typeof TestSetPreview>;

const RowValues = z.record(VariableName, Value);
const Optional = Value.nullable().optional();

export const testsetsCommands = {
  'testsets.list': { input: Empty, output: z.array(TestSetSummary), permission: 'view' },
  'testsets.get': { input: z.object({ testSetId: Id }), output: TestSetInfo, permission: 'view' },
  /** An empty set to fill in the grid. */
  'testsets.create': {
    input: z.object({ name: Name, variables: Variables.default([]), imageVariables: z.array(VariableName).max(500).default([]) }),
    output: TestSetInfo,
    permission: 'editPrompts',
  },
  'testsets.remove': { input: z.object({ testSetId: Id }), output: z.object({ removed: z.boolean() }), permission: 'editPrompts' },
  /** Reads the start of a file: what an import would see, and a suggested mapping to confirm or edit. */
  'testsets.preview': {
    input: z.object({ path: FilePath, format: FormatChoice.default('auto'), delimiter: Delimiter.optional() }),
    output: TestSetPreview,
    permission: 'editPrompts',
  },
  /**
   * All good rows are stored in one transaction, or nothing (a failure, or testsets.cancelImport with the
   * importId given here). Bad rows are listed with their file line numbers and kept as the import report.
   */
  'testsets.import': {
    input: z.object({
      path: FilePath,
      name: Name,
      format: FormatChoice.default('auto'),
      delimiter: Delimiter.optional(),
      mapping: ColumnMapping,
      importId: Id.optional(),
    }),
    output: z.object({ testSet: TestSetInfo, imported: z.number().int(), badTotal: z.number().int(), bad: z.array(BadRow) }),
    permission: 'editPrompts',
  },
  'testsets.cancelImport': { input: z.object({ importId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'editPrompts' },
  'testsets.rows': {
    input: z.object({ testSetId: Id, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.object({ rows: z.array(TestSetRow), total: z.number().int() }),
    permission: 'view',
  },
  /** Appends a row; variables not given are ''. */
  'testsets.addRow': {
    input: z.object({ testSetId: Id, variables: RowValues.default({}), expected: Optional, label: Optional }),
    output: TestSetRow,
    permission: 'editPrompts',
  },
  /**
   * Variables given are merged into the row; undefined keeps a field, null clears expected or label. An
   * image variable takes a stored image's hash (images.add first), or '' for none.
   */
  'testsets.updateRow': {
    input: z.object({ rowId: Id, variables: RowValues.optional(), expected: Optional, label: Optional }),
    output: TestSetRow,
    permission: 'editPrompts',
  },
  'testsets.deleteRow': { input: z.object({ rowId: Id }), output: z.object({ removed: z.boolean() }), permission: 'editPrompts' },
  /** A new column, '' in every row; `image`: its cells hold images. */
  'testsets.addVariable': { input: z.object({ testSetId: Id, name: VariableName, image: z.boolean().default(false) }), output: TestSetInfo, permission: 'editPrompts' },
  /** Drops the column and its values from every row. */
  'testsets.removeVariable': { input: z.object({ testSetId: Id, name: VariableName }), output: TestSetInfo, permission: 'editPrompts' },
  /** Renames the column in the set and in every row, keeping its place. */
  'testsets.renameVariable': { input: z.object({ testSetId: Id, from: VariableName, to: VariableName }), output: TestSetInfo, permission: 'editPrompts' },
  /**
   * One JSON object per row: the variables in column order, then "expected" and "label" (null when empty;
   * "_expected"/"_label" when a variable already has that name). Importing the file with the suggested
   * mapping gives the same rows. Image cells are written as their hashes, which an import into the same
   * data folder reads back.
   */
  'testsets.exportJsonl': {
    input: z.object({ testSetId: Id, path: FilePath }),
    output: z.object({ path: z.string(), rows: z.number().int(), expectedKey: z.string(), labelKey: z.string() }),
    permission: 'export',
  },
} as const satisfies Record<string, CommandSpec>;

export type TestSetCommands = typeof testsetsCommands;
export type TestSetCommandName = keyof TestSetCommands;

export const testsetsEvents = {} as const satisfies Record<string, EventSpec>;
