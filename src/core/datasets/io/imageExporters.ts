// Image datasets out to the files vision fine-tune tools read: LLaMA-Factory's multimodal ShareGPT (an
// `images` list and one `<image>` token per image, plus its dataset_info.json entry, as data/mllm_demo.json
// and its entry at LLaMA-Factory ff6d4d12eeb0) and OpenAI-style messages with image parts
// (`{type: 'image', image: path}`: what qwen_vl_utils and the Qwen-VL processors' chat templates read, and
// what Qwen's own qwen-vl-finetune builds from its LLaVA-style file before tokenizing).
// The images are copied beside the data file as images/<hash>.<ext>; the rows name them by relative path.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { DatasetMessage, DatasetRecord, ExportFormat } from '../../../shared/datasets.record';
import { CoreError } from '../../errors';
import { describeFsError } from '../../io/fsError';
import { writeDatasetExport, type ExportResult } from './exporters';

export const IMAGE_TOKEN = '<image>';
const IMAGE_TOKEN_RE = /<image>/g;

/** The stored file of an image (ImageStore.filePath). */
export type ImageFileOf = (hash: string) => string;

function lastUserIndex(messages: readonly DatasetMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return i;
  return -1;
}

/**
 * LLaMA-Factory reads a row only when, after an optional first system message, the turns alternate user and
 * assistant from a user turn; any other row it skips with a log line. Refused here, naming the row instead.
 */
function checkTurns(messages: readonly DatasetMessage[]): void {
  const turns = messages[0]?.role === 'system' ? messages.slice(1) : messages;
  turns.forEach((m, i) => {
    const want = i % 2 === 0 ? 'user' : 'assistant';
    if (m.role !== want) throw new CoreError('BAD_INPUT', `message ${i + 1 + messages.length - turns.length} is ${m.role}, expected ${want}: vision fine-tune formats need user and assistant turns alternating from a user turn, after at most one system message first`);
  });
  if (turns.length % 2 === 0) throw new CoreError('BAD_INPUT', 'the conversation must end with a user turn (the images and the answer follow it)');
}

/**
 * One `<image>` per image at the start of the last user turn; tokens the text already had (in any message)
 * are dropped, since LLaMA-Factory requires the tokens over all messages to equal the images. `images` is
 * always written, [] for a row without images: LLaMA-Factory reads the column from every row.
 */
export function llamaFactoryVisionObject(r: DatasetRecord, paths: readonly string[]): unknown {
  checkTurns(r.messages);
  const at = lastUserIndex(r.messages);
  const tokens = IMAGE_TOKEN.repeat(paths.length);
  const messages = r.messages.map((m, i) => {
    const content = m.content.replace(IMAGE_TOKEN_RE, '');
    return { role: m.role, content: i === at ? tokens + content : content };
  });
  const answer = r.response ?? r.chosen;
  if (answer !== null) messages.push({ role: 'assistant', content: answer.replace(IMAGE_TOKEN_RE, '') });
  return { messages, images: paths };
}

/** OpenAI-style content parts: the images first, then the text, in the last user turn. */
export function visionMessagesObject(r: DatasetRecord, paths: readonly string[]): unknown {
  checkTurns(r.messages);
  const at = lastUserIndex(r.messages);
  const messages: { role: string; content: unknown }[] = r.messages.map((m, i) =>
    i === at ? { role: m.role, content: [...paths.map((p) => ({ type: 'image', image: p })), { type: 'text', text: m.content }] } : { role: m.role, content: m.content },
  );
  const answer = r.response ?? r.chosen;
  if (answer !== null) messages.push({ role: 'assistant', content: answer });
  return { messages };
}

/**
 * Copies each record's images beside `path` (once per hash) and streams the rows out; `llamafactory-vision`
 * also registers the file in dataset_info.json (other entries kept). The data file is written whole or not
 * at all; images copied before a failure stay (content-addressed, so a rerun reuses them).
 */
export async function writeVisionExport(
  path: string,
  format: ExportFormat,
  batches: Iterable<DatasetRecord[]>,
  opts: { name: string; imageFile: ImageFileOf },
): Promise<ExportResult & { images: number }> {
  const imagesDir = join(dirname(path), 'images');
  const copied = new Map<string, string>();
  const copy = async (hash: string): Promise<string> => {
    const done = copied.get(hash);
    if (done) return done;
    const src = opts.imageFile(hash);
    const rel = `images/${hash}${extname(src)}`;
    const dest = join(imagesDir, `${hash}${extname(src)}`);
    try {
      if (copied.size === 0) await mkdir(imagesDir, { recursive: true });
      const same = await stat(dest).then((d) => stat(src).then((s) => s.size === d.size), () => false);
      if (!same) await copyFile(src, dest);
    } catch (e) {
      throw new CoreError('BAD_INPUT', `Cannot copy image ${hash} to ${dest}: ${describeFsError(e)}`);
    }
    copied.set(hash, rel);
    return rel;
  };
  // Images are copied batch by batch, then the batch's rows carry their relative paths as synthetic
  // records; exporters.ts writes the data file (and dataset_info.json) with its atomic writer.
  async function* withPaths(): AsyncGenerator<DatasetRecord[]> {
    for (const batch of batches) {
      const out: DatasetRecord[] = [];
      for (const r of batch) {
        const paths: string[] = [];
        for (const h of r.images ?? []) paths.push(await copy(h));
        out.push({ ...r, images: paths });
      }
      yield out;
    }
  }
  const toObject = format === 'messages-vision' ? visionMessagesObject : llamaFactoryVisionObject;
  const res = await writeDatasetExport(path, format, withPaths(), {
    name: opts.name,
    toObject: (r) => toObject(r, r.images ?? []),
  });
  return { ...res, images: copied.size };
}

/** One row of Qwen's qwen-vl-finetune file: LLaVA-style `image` (one path or a list) and human/gpt turns. */
export interface QwenVlRow {
  image?: string | string[];
  conversations: { from: 'human' | 'gpt'; value: string }[];
}

/**
 * A `messages-vision` row in the layout QwenLM's qwen-vl-finetune reads (qwenvl/data/data_processor.py at
 * QwenLM/Qwen3-VL 96588727): one `<image>` line per image before the user's text. Null when a row has a
 * system message: that script turns every non-human turn into an assistant one, so it has no place for one.
 */
export function qwenVlFinetuneRow(row: { messages: { role: string; content: unknown }[] }): QwenVlRow | null {
  const images: string[] = [];
  const conversations: QwenVlRow['conversations'] = [];
  for (const m of row.messages) {
    if (m.role === 'system') return null;
    if (typeof m.content === 'string') {
      conversations.push({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content.replace(IMAGE_TOKEN_RE, '') });
      continue;
    }
    const parts = m.content as { type: string; image?: string; text?: string }[];
    const paths = parts.flatMap((p) => (p.type === 'image' && p.image !== undefined ? [p.image] : []));
    const text = parts.flatMap((p) => (p.type === 'text' && p.text !== undefined ? [p.text] : [])).join('\n');
    images.push(...paths);
    conversations.push({ from: 'human', value: `${paths.map(() => `${IMAGE_TOKEN}\n`).join('')}${text.replace(IMAGE_TOKEN_RE, '')}` });
  }
  if (images.length === 0) return { conversations };
  return { image: images.length === 1 ? (images[0] as string) : images, conversations };
}
