// One record of a fine-tune dataset, whatever file it came from: the conversation up to the turn to learn,
// the answer to learn (SFT) and, for preference data, a chosen and a rejected answer. Every import format
// maps into this and every export format maps out of it, so a round trip compares records, not files.
import { z } from 'zod';
import { ImageHash } from './images.schema';

export const MessageRole = z.enum(['system', 'user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRole>;

export const DatasetMessage = z.object({ role: MessageRole, content: z.string() });
export type DatasetMessage = z.infer<typeof DatasetMessage>;

export const DatasetRecord = z.object({
  /** The context: at most one system message first, then user/assistant turns, ending with a user turn. */
  messages: z.array(DatasetMessage).min(1),
  /** The answer to learn; null when the record has none yet (to be drafted or written by a labeler). */
  response: z.string().nullable(),
  /** Preference data: both set, or both null. */
  chosen: z.string().nullable(),
  rejected: z.string().nullable(),
  /** Image datasets: the stored images (by hash, in order) that go with the last user turn. */
  images: z.array(ImageHash).optional(),
});
export type DatasetRecord = z.infer<typeof DatasetRecord>;

/** File formats a dataset is read from. `columns`: CSV/TSV or flat JSON objects with a field mapping. */
export const DatasetFormat = z.enum(['messages', 'alpaca', 'sharegpt', 'preference', 'columns']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

/** How records are laid out in the file. */
export const DatasetContainer = z.enum(['jsonl', 'json', 'csv']);
export type DatasetContainer = z.infer<typeof DatasetContainer>;

export const DatasetEncoding = z.enum(['utf-8', 'gb18030']);
export type DatasetEncoding = z.infer<typeof DatasetEncoding>;

/** For `columns`: which field feeds which part of a record. Fields not named are ignored. */
export const FieldMapping = z.object({
  prompt: z.string().min(1).max(1000),
  response: z.string().max(1000).nullable().default(null),
  system: z.string().max(1000).nullable().default(null),
  chosen: z.string().max(1000).nullable().default(null),
  rejected: z.string().max(1000).nullable().default(null),
});
export type FieldMapping = z.infer<typeof FieldMapping>;
export type FieldMappingInput = z.input<typeof FieldMapping>;

/** Export targets. `llamafactory` writes a data file plus the dataset_info.json entry that registers it. */
export const ExportFormat = z.enum(['messages', 'alpaca-jsonl', 'alpaca-json', 'sharegpt', 'llamafactory', 'preference', 'llamafactory-vision', 'messages-vision']);
/** Export formats for image datasets: the images are copied beside the data file (images/<hash>.<ext>). */
export const VISION_EXPORT_FORMATS: readonly ExportFormat[] = ['llamafactory-vision', 'messages-vision'];
export type ExportFormat = z.infer<typeof ExportFormat>;
