// Documents to structured data: extraction templates (fields with declared normalization + instructions,
// updated in place with a history of every saved version), PDFs as pages (text layer and rendered images),
// and the per-field results of an evaluation that used a `fields` assertion.
import { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';
import { FieldSpecs } from './fieldScore';
import { Id } from './ids';
import { StoredImage } from './images.schema';

export const ExtractionTemplateInput = z.object({
  name: z.string().trim().min(1, 'name: a template needs a name').max(200),
  instructions: z.string().max(20_000).default(''),
  fields: FieldSpecs,
});
export type ExtractionTemplateInput = z.input<typeof ExtractionTemplateInput>;

export const ExtractionTemplate = ExtractionTemplateInput.extend({
  id: Id,
  /** 1 on creation, +1 on each save that changes something. */
  version: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** What a run's output is constrained to (json_schema / response_format / local grammar). */
  jsonSchema: z.string(),
  /** Each field's normalization rule in words, shown beside its scores. */
  rules: z.record(z.string(), z.string()),
});
export type ExtractionTemplate = z.infer<typeof ExtractionTemplate>;

export const TemplateVersion = ExtractionTemplateInput.extend({ version: z.number().int(), savedAt: z.number() });
export type TemplateVersion = z.infer<typeof TemplateVersion>;

export const PdfPageText = z.object({ page: z.number().int(), width: z.number(), height: z.number(), text: z.string() });
export const PdfInfo = z.object({ name: z.string(), pageCount: z.number().int(), pages: z.array(PdfPageText) });
export type PdfInfo = z.infer<typeof PdfInfo>;

const Confusion = z.object({ position: z.number().int(), expected: z.string(), got: z.string(), reason: z.string(), imageHash: z.string().nullable() });
export const FieldAccuracy = z.object({
  field: z.string(),
  rule: z.string(),
  /** Rows whose reference has a value for the field. */
  n: z.number().int(),
  passed: z.number().int(),
  accuracy: z.number().nullable(),
  /** The failing rows (at most 50), expected vs got. */
  confusions: z.array(Confusion),
});
export const ColumnFieldResults = z.object({
  versionId: Id,
  targetKey: z.string(),
  /** "Prompt v2 · target name", as the Evaluations view names a column. */
  label: z.string(),
  /** Rows scored (a stored cell without an error). */
  n: z.number().int(),
  documentPassed: z.number().int(),
  documentAccuracy: z.number().nullable(),
  /** Outputs that were not a JSON object of the template's types. */
  invalid: z.number().int(),
  fields: z.array(FieldAccuracy),
});
export type ColumnFieldResults = z.infer<typeof ColumnFieldResults>;
export const FieldResults = z.object({ evalId: Id, columns: z.array(ColumnFieldResults) });
export type FieldResults = z.infer<typeof FieldResults>;

const TemplateId = z.object({ id: Id });

export const extractionCommands = {
  'extraction.list': { input: z.object({}), output: z.array(ExtractionTemplate), permission: 'view' },
  'extraction.get': { input: TemplateId, output: ExtractionTemplate, permission: 'view' },
  /** Creates (no id) or updates a template; an update that changes something adds a version to its history. */
  'extraction.save': { input: ExtractionTemplateInput.extend({ id: Id.optional() }), output: ExtractionTemplate, permission: 'editPrompts' },
  'extraction.history': { input: TemplateId, output: z.array(TemplateVersion), permission: 'view' },
  'extraction.remove': { input: TemplateId, output: z.object({ removed: z.boolean() }), permission: 'manageData' },
  /** Page count and each page's text layer (so a text-only model can be compared with a vision model). */
  'extraction.pdfPages': { input: z.object({ path: z.string().min(1) }), output: PdfInfo, permission: 'run' },
  /** Renders pages ("1-3,5", 1-based) to PNG and adds them to the image store; all or nothing. */
  'extraction.renderPdf': {
    input: z.object({ path: z.string().min(1), pages: z.string().min(1).max(200).default('1'), dpi: z.number().int().min(36).max(300).default(150) }),
    output: z.object({ name: z.string(), pages: z.array(z.object({ page: z.number().int(), image: StoredImage })) }),
    permission: 'run',
  },
  /** Per-field accuracy, document accuracy and confusions of an evaluation's `fields` checks, per column. */
  'extraction.fieldResults': { input: z.object({ evalId: Id }), output: FieldResults, permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const extractionEvents = {} as const satisfies Record<string, EventSpec>;
