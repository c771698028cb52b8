// Datasets: conversation logs and model outputs turned into fine-tune data by labelers.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { ImageHash } from './images.schema';
import { RunTarget, SamplingParams } from './runs.schema';
import { DatasetContainer, DatasetEncoding, DatasetFormat, DatasetRecord, ExportFormat, FieldMapping } from './datasets.record';

const Name = z.string().trim().min(1).max(200);
const FilePath = z.string().min(1).max(4096);
const Text = z.string().max(1_000_000);

export const RowStatus = z.enum(['new', 'accepted', 'rejected', 'skipped']);
export type RowStatus = z.infer<typeof RowStatus>;
export const SplitName = z.enum(['train', 'validation', 'test']);

/** Per-dataset label fields: one choice (`single`) or several (`multi`) from fixed options. */
export const LabelField = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[^\s"']+$/, 'label field names have no spaces or quotes'),
  kind: z.enum(['single', 'multi']),
  options: z.array(z.string().trim().min(1).max(60)).min(1).max(30),
});
export type LabelField = z.infer<typeof LabelField>;
export const LabelSchema = z
  .object({ fields: z.array(LabelField).max(10) })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.fields.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `two label fields are named "${f.name}"` });
      seen.add(f.name);
      if (new Set(f.options).size !== f.options.length) {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'options'], message: `field "${f.name}" lists an option twice` });
      }
    });
  });
export type LabelSchema = z.infer<typeof LabelSchema>;
/** Field name → the option chosen (single) or options (multi). */
export const LabelValues = z.record(z.string().max(60), z.union([z.string().max(60), z.array(z.string().max(60)).max(30)]));
export type LabelValues = z.infer<typeof LabelValues>;

export const BadLine = z.object({ line: z.number().int().min(1), reason: z.string() });
export type BadLine = z.infer<typeof BadLine>;
export const MAX_LISTED_BAD_LINES = 1000;

/** A file of an image folder that was not imported, and why (not an image, a subfolder…). */
export const ImageImportSkip = z.object({ file: z.string(), reason: z.string() });
export type ImageImportSkip = z.infer<typeof ImageImportSkip>;
/** What storing changed in an imported image (an animation's first frame kept, transparency flattened…). */
export const ImageImportNote = z.object({ file: z.string(), note: z.string() });
export type ImageImportNote = z.infer<typeof ImageImportNote>;

export const DatasetImportReport = z.object({
  path: z.string(),
  container: DatasetContainer,
  format: DatasetFormat,
  encoding: DatasetEncoding,
  mapping: FieldMapping.nullable(),
  imported: z.number().int(),
  badTotal: z.number().int(),
  /** The first MAX_LISTED_BAD_LINES bad lines. */
  bad: z.array(BadLine),
  ms: z.number(),
  importedAt: z.number(),
  /** Image folder imports: the folder, the sidecar, the images stored and the files passed over. */
  images: z
    .object({ dir: z.string(), sidecar: z.string().nullable(), files: z.number().int(), skipped: z.array(ImageImportSkip), notes: z.array(ImageImportNote).optional() })
    .optional(),
});
export type DatasetImportReport = z.infer<typeof DatasetImportReport>;

export const DatasetSummary = z.object({
  id: Id,
  name: z.string(),
  rowCount: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Rows covered by the full-text index; search still sees the rest, more slowly, until it catches up. */
  indexedRows: z.number().int(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const LabelerProgress = z.object({
  labelerId: Id,
  name: z.string(),
  labeled: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  skipped: z.number().int(),
  lastAt: z.number().nullable(),
});
export type LabelerProgress = z.infer<typeof LabelerProgress>;

export const DatasetInfo = DatasetSummary.extend({
  importReport: DatasetImportReport.nullable(),
  labelSchema: LabelSchema,
  statusCounts: z.record(RowStatus, z.number().int()),
  labelers: z.array(LabelerProgress),
});
export type DatasetInfo = z.infer<typeof DatasetInfo>;

/** Which rows a grid, an export or a job works on. Every field narrows; none given: all rows. */
export const RowFilter = z.object({
  /** Full-text: a substring of the prompt or the response (CJK included). */
  search: z.string().max(500).default(''),
  status: RowStatus.nullable().default(null),
  /** `field=option`: rows whose label field has that option. */
  label: z.string().max(200).nullable().default(null),
  tag: z.string().max(60).nullable().default(null),
  labelerId: Id.nullable().default(null),
  minTokens: z.number().int().min(0).nullable().default(null),
  maxTokens: z.number().int().min(0).nullable().default(null),
  /** `exact`/`near`: rows that repeat an earlier row; `unique`: rows that do not. */
  duplicate: z.enum(['exact', 'near', 'any', 'unique']).nullable().default(null),
  pii: z.boolean().nullable().default(null),
  split: SplitName.nullable().default(null),
});
export type RowFilter = z.infer<typeof RowFilter>;
export type RowFilterInput = z.input<typeof RowFilter>;

export const PiiKindName = z.enum(['id_card', 'bank_card', 'phone', 'email']);

/** A row as the grid shows it: texts cut to a preview. */
export const DatasetRowSummary = z.object({
  id: z.number().int(),
  ord: z.number().int(),
  line: z.number().int().nullable(),
  prompt: z.string(),
  response: z.string().nullable(),
  status: RowStatus,
  rating: z.number().int().nullable(),
  labels: LabelValues,
  tags: z.array(z.string()),
  hasDraft: z.boolean(),
  hasPair: z.boolean(),
  tokens: z.number().int().nullable(),
  /** Row id this one repeats exactly / nearly, if any. */
  dupOf: z.number().int().nullable(),
  nearDupOf: z.number().int().nullable(),
  pii: z.array(PiiKindName),
  split: SplitName.nullable(),
  labelerId: Id.nullable(),
  labeledAt: z.number().nullable(),
  /** Grows by one with every label change; a save names the version it was based on (always set by the core). */
  version: z.number().int().optional(),
  /** Image rows: the stored images' hashes (thumbnails in the grid); [] for text rows. */
  images: z.array(ImageHash).default([]),
});
export type DatasetRowSummary = z.infer<typeof DatasetRowSummary>;

export const DatasetRow = DatasetRowSummary.extend({
  record: DatasetRecord,
  /** A model-assisted draft of the response, for a labeler to accept or edit. */
  draft: z.string().nullable(),
  note: z.string().nullable(),
});
export type DatasetRow = z.infer<typeof DatasetRow>;

export const RowPage = z.object({
  rows: z.array(DatasetRowSummary),
  /** Rows matching the filter; counting stops at `countCap` (then `totalExact` is false). */
  total: z.number().int(),
  totalExact: z.boolean(),
  ms: z.number(),
});
export type RowPage = z.infer<typeof RowPage>;

/** What a label action changes; fields not given stay as they are. null clears. */
export const LabelPatch = z
  .object({
    status: RowStatus.optional(),
    rating: z.number().int().min(1).max(5).nullable().optional(),
    labels: LabelValues.optional(),
    tags: z.array(z.string().trim().min(1).max(60)).max(30).optional(),
    note: z.string().max(10_000).nullable().optional(),
    response: Text.nullable().optional(),
    chosen: Text.nullable().optional(),
    rejected: Text.nullable().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a label patch changes at least one field');
export type LabelPatch = z.infer<typeof LabelPatch>;

export const DatasetPreviewOut = z.object({
  path: z.string(),
  container: DatasetContainer,
  format: DatasetFormat,
  encoding: DatasetEncoding,
  bom: z.boolean(),
  sizeBytes: z.number(),
  fields: z.array(z.string()),
  mapping: FieldMapping.nullable(),
  records: z.array(z.object({ line: z.number().int(), record: DatasetRecord })),
  bad: z.array(BadLine),
  lineCount: z.number().int(),
  lineCountExact: z.boolean(),
});
export type DatasetPreviewOut = z.infer<typeof DatasetPreviewOut>;

const FileChoice = {
  path: FilePath,
  format: z.union([z.literal('auto'), DatasetFormat]).default('auto'),
  container: z.union([z.literal('auto'), DatasetContainer]).default('auto'),
  encoding: z.union([z.literal('auto'), DatasetEncoding]).default('auto'),
  mapping: FieldMapping.optional(),
};

export const ImportProgress = z.object({
  importId: Id,
  bytes: z.number(),
  totalBytes: z.number(),
  rows: z.number().int(),
  bad: z.number().int(),
  rowsPerSec: z.number(),
  done: z.boolean(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const JobKind = z.enum(['analyze', 'drafts', 'index']);
export const DatasetJobProgress = z.object({
  jobId: Id,
  datasetId: Id,
  kind: JobKind,
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  done: z.number().int(),
  total: z.number().int(),
  error: z.string().nullable(),
});
export type DatasetJobProgress = z.infer<typeof DatasetJobProgress>;

export const LengthStatsOut = z.object({
  count: z.number().int(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  histogram: z.array(z.object({ lo: z.number(), hi: z.number(), count: z.number().int() })),
});

export const DatasetStats = z.object({
  rows: z.number().int(),
  /** Token lengths (prompt + response) with `tokenizer`'s vocabulary; null until analyzed. */
  tokens: LengthStatsOut.nullable(),
  tokenizer: z.string().nullable(),
  analyzedAt: z.number().nullable(),
  exactDuplicates: z.number().int(),
  nearDuplicates: z.number().int(),
  pii: z.record(PiiKindName, z.number().int()),
  splits: z.record(SplitName, z.number().int()),
});
export type DatasetStats = z.infer<typeof DatasetStats>;

export const ExportRequest = z.object({
  datasetId: Id,
  format: ExportFormat,
  path: FilePath,
  /** Default: accepted rows only. */
  filter: RowFilter.default(RowFilter.parse({ status: 'accepted' })),
  /** What to do with rows flagged as containing personal data. */
  pii: z.enum(['keep', 'mask', 'drop']).default('keep'),
  dropDuplicates: z.boolean().default(false),
  /** Name of the entry in LLaMA-Factory's dataset_info.json; default: the dataset's name. */
  name: z.string().trim().min(1).max(200).optional(),
});
export type ExportRequest = z.infer<typeof ExportRequest>;
export type ExportRequestInput = z.input<typeof ExportRequest>;

export const ExportOut = z.object({
  path: z.string(),
  files: z.array(z.string()),
  rows: z.number().int(),
  /** Rows the filter matched but the export left out, and why. */
  skipped: z.object({ pii: z.number().int(), duplicate: z.number().int(), noAnswer: z.number().int() }),
  /** Vision formats: images copied beside the data file (images/<hash>.<ext>). */
  images: z.number().int().optional(),
});
export type ExportOut = z.infer<typeof ExportOut>;

const DatasetId = { datasetId: Id };

export const datasetsCommands = {
  'datasets.list': { input: Empty, output: z.array(DatasetSummary), permission: 'view' },
  'datasets.get': { input: z.object(DatasetId), output: DatasetInfo, permission: 'view' },
  'datasets.remove': { input: z.object(DatasetId), output: z.object({ removed: z.boolean() }), permission: 'manageData' },
  'datasets.rename': { input: z.object({ ...DatasetId, name: Name }), output: DatasetInfo, permission: 'manageData' },
  /** Reads the start of a file: detected container, format, encoding, mapping, sample records and bad lines. */
  'datasets.preview': { input: z.object(FileChoice), output: DatasetPreviewOut, permission: 'manageData' },
  /**
   * Streams the file in; progress as datasets.importProgress. The dataset appears whole when the import
   * ends; a cancel (datasets.cancelImport) or a failure leaves nothing. Bad lines are reported and stored.
   */
  'datasets.import': {
    input: z.object({ ...FileChoice, name: Name, importId: Id.optional() }),
    output: z.object({ dataset: DatasetInfo, imported: z.number().int(), badTotal: z.number().int(), bad: z.array(BadLine) }),
    permission: 'manageData',
  },
  /**
   * A folder on this machine (the server's, in the browser host) of PNG/JPEG/WebP images, with an optional
   * CSV/JSONL sidecar (file → prompt, answer or fields). Whole or nothing; other files are listed as skipped.
   */
  'datasets.importImages': {
    input: z.object({
      dir: FilePath,
      sidecar: FilePath.nullable().default(null),
      name: Name,
      prompt: z.string().trim().min(1).max(10_000).default('Describe this image.'),
      system: z.string().max(10_000).nullable().default(null),
      importId: Id.optional(),
    }),
    output: z.object({ dataset: DatasetInfo, imported: z.number().int(), images: z.number().int(), skipped: z.array(ImageImportSkip), notes: z.array(ImageImportNote).default([]) }),
    permission: 'manageData',
  },
  'datasets.cancelImport': { input: z.object({ importId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'manageData' },
  'datasets.rows': {
    input: z.object({
      ...DatasetId,
      filter: RowFilter.default(RowFilter.parse({})),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
      countCap: z.number().int().min(1).max(10_000_000).default(100_000),
    }),
    output: RowPage,
    permission: 'view',
  },
  'datasets.row': { input: z.object({ ...DatasetId, rowId: z.number().int() }), output: DatasetRow, permission: 'view' },
  /** Durable when it returns: a crash after this loses nothing. */
  'datasets.label': {
    input: z.object({
      ...DatasetId,
      rowId: z.number().int(),
      labelerId: Id,
      patch: LabelPatch,
      /** The row version this save was based on: a newer stored row fails with CONFLICT carrying both values. */
      baseVersion: z.number().int().min(0).optional(),
    }),
    output: DatasetRow,
    permission: 'label',
  },
  /** Takes back this labeler's last label action in the dataset; null when there is none. */
  'datasets.undo': { input: z.object({ ...DatasetId, labelerId: Id }), output: z.object({ row: DatasetRow.nullable() }), permission: 'label' },
  'datasets.setLabelSchema': { input: z.object({ ...DatasetId, schema: LabelSchema }), output: DatasetInfo, permission: 'manageData' },
  /** Exact and near duplicates, personal-data flags, token lengths (with the loaded model's tokenizer when one is loaded). */
  'datasets.analyze': { input: z.object({ ...DatasetId, modelId: Id.nullable().default(null) }), output: z.object({ jobId: Id }), permission: 'manageData' },
  'datasets.stats': { input: z.object(DatasetId), output: DatasetStats, permission: 'view' },
  'datasets.split': {
    input: z.object({
      ...DatasetId,
      seed: z.number().int().default(42),
      train: z.number().min(0).max(1).default(0.8),
      validation: z.number().min(0).max(1).default(0.1),
      test: z.number().min(0).max(1).default(0.1),
      /** A label field to stratify by; null: no stratification. */
      stratifyBy: z.string().max(60).nullable().default(null),
      filter: RowFilter.default(RowFilter.parse({ status: 'accepted' })),
    }),
    output: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
    permission: 'manageData',
  },
  'datasets.export': { input: ExportRequest, output: ExportOut, permission: 'export' },
  /** Runs a prompt version over rows to pre-fill drafts; rows with a draft are skipped unless overwrite (so a rerun resumes). */
  'datasets.draft': {
    input: z.object({
      ...DatasetId,
      promptVersionId: Id,
      target: RunTarget,
      rowIds: z.array(z.number().int()).max(100_000).nullable().default(null),
      filter: RowFilter.default(RowFilter.parse({})),
      overwrite: z.boolean().default(false),
      params: SamplingParams.partial().default({}),
    }),
    output: z.object({ jobId: Id }),
    permission: 'label',
  },
  'datasets.cancelJob': { input: z.object({ jobId: Id }), output: z.object({ cancelled: z.boolean() }), permission: 'label' },
  'datasets.jobs': { input: z.object(DatasetId), output: z.array(DatasetJobProgress), permission: 'view' },
  /** Two answers to a row's prompt from two targets, for a labeler to pick the chosen one. */
  'datasets.candidates': {
    input: z.object({ ...DatasetId, rowId: z.number().int(), targets: z.tuple([RunTarget, RunTarget]), params: SamplingParams.partial().default({}) }),
    output: z.object({ a: z.string(), b: z.string(), runIds: z.tuple([Id, Id]) }),
    permission: 'view',
  },
} as const satisfies Record<string, CommandSpec>;

export const datasetsEvents = {
  'datasets.importProgress': { payload: ImportProgress, permission: 'manageData' },
  'datasets.jobProgress': { payload: DatasetJobProgress, permission: 'label' },
} as const satisfies Record<string, EventSpec>;
