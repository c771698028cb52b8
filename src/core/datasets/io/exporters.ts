// DatasetRecords out to the files fine-tune tools read: OpenAI messages JSONL, Alpaca (JSONL or a JSON array),
// ShareGPT, LLaMA-Factory (a ShareGPT JSON array plus its dataset_info.json entry) and DPO preference JSONL.
// Written in batches to a temporary file that is renamed at the end, so a failed export leaves no half file.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DatasetMessage, DatasetRecord, ExportFormat } from '../../../shared/datasets.record';
import { CoreError } from '../../errors';
import { describeFsError } from '../../io/fsError';

function hasPair(r: DatasetRecord): r is DatasetRecord & { chosen: string; rejected: string } {
  return r.chosen !== null && r.rejected !== null;
}

function systemAndTurns(r: DatasetRecord): { system: string | null; turns: DatasetMessage[] } {
  const first = r.messages[0];
  return first?.role === 'system' ? { system: first.content, turns: r.messages.slice(1) } : { system: null, turns: r.messages };
}

/** The answer an SFT format learns: the response, or for a preference pair its chosen answer. */
function answerOf(r: DatasetRecord): string | null {
  return r.response ?? r.chosen;
}

function messagesObject(r: DatasetRecord): unknown {
  const answer = answerOf(r);
  return { messages: answer === null ? r.messages : [...r.messages, { role: 'assistant', content: answer }] };
}

function alpacaObject(r: DatasetRecord): unknown {
  const { system, turns } = systemAndTurns(r);
  const last = turns[turns.length - 1];
  if (last === undefined || last.role !== 'user') throw new CoreError('BAD_INPUT', 'the conversation must end with a user turn');
  const history: [string, string][] = [];
  for (let i = 0; i + 1 < turns.length; i += 2) {
    const q = turns[i] as DatasetMessage;
    const a = turns[i + 1] as DatasetMessage;
    if (q.role !== 'user' || a.role !== 'assistant') {
      throw new CoreError('BAD_INPUT', 'Alpaca needs alternating user and assistant turns (the history is question/answer pairs)');
    }
    history.push([q.content, a.content]);
  }
  if (turns.length % 2 === 0) throw new CoreError('BAD_INPUT', 'Alpaca needs alternating user and assistant turns (the history is question/answer pairs)');
  const o: Record<string, unknown> = { instruction: last.content, input: '' };
  // A ranking row (LLaMA-Factory's Alpaca preference) has chosen/rejected and an output only when there is one.
  if (hasPair(r)) {
    if (r.response !== null) o.output = r.response;
    o.chosen = r.chosen;
    o.rejected = r.rejected;
  } else o.output = r.response ?? '';
  if (system !== null) o.system = system;
  if (history.length > 0) o.history = history;
  return o;
}

const SHAREGPT_FROM = { user: 'human', assistant: 'gpt' } as const;

function shareGptObject(r: DatasetRecord, ranking: boolean): unknown {
  const { system, turns } = systemAndTurns(r);
  const conversations: { from: string; value: string }[] = turns.map((m) => ({ from: SHAREGPT_FROM[m.role as 'user' | 'assistant'], value: m.content }));
  const o: Record<string, unknown> = { conversations };
  if (system !== null) o.system = system;
  if (ranking) {
    if (!hasPair(r)) throw new CoreError('BAD_INPUT', 'a preference dataset needs a chosen and a rejected answer in every record');
    o.chosen = { from: 'gpt', value: r.chosen };
    o.rejected = { from: 'gpt', value: r.rejected };
    return o;
  }
  const answer = answerOf(r);
  if (answer !== null) conversations.push({ from: 'gpt', value: answer });
  return o;
}

function preferenceObject(r: DatasetRecord): unknown {
  if (!hasPair(r)) throw new CoreError('BAD_INPUT', 'the preference format needs a chosen and a rejected answer in every record');
  return { messages: r.messages, chosen: r.chosen, rejected: r.rejected };
}

/** The JSON object one record becomes in a format's file. */
export function exportRecord(format: ExportFormat, r: DatasetRecord): unknown {
  switch (format) {
    case 'messages':
      return messagesObject(r);
    case 'alpaca-jsonl':
    case 'alpaca-json':
      return alpacaObject(r);
    case 'sharegpt':
      return shareGptObject(r, hasPair(r));
    case 'llamafactory':
      return shareGptObject(r, hasPair(r));
    case 'preference':
      return preferenceObject(r);
    case 'llamafactory-vision':
    case 'messages-vision':
      throw new CoreError('BAD_INPUT', `${format} is written by writeVisionExport, which copies the images`);
  }
}

const SHAREGPT_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' };
const OPENAI_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' };

/**
 * The LLaMA-Factory dataset_info.json entry that registers a file in this format. `preference`'s string
 * chosen/rejected are TRL's layout; LLaMA-Factory reads pairs from `llamafactory`, `sharegpt` or Alpaca.
 */
export function datasetInfoEntry(format: ExportFormat, fileName: string, opts: { preference: boolean }): Record<string, unknown> {
  const ranking = opts.preference ? { ranking: true } : {};
  const pair = opts.preference ? { chosen: 'chosen', rejected: 'rejected' } : {};
  switch (format) {
    case 'llamafactory':
    case 'sharegpt':
      return { file_name: fileName, formatting: 'sharegpt', ...ranking, columns: { messages: 'conversations', system: 'system', ...pair }, tags: SHAREGPT_TAGS };
    case 'alpaca-jsonl':
    case 'alpaca-json': {
      const answer = opts.preference ? pair : { response: 'output' };
      return { file_name: fileName, formatting: 'alpaca', ...ranking, columns: { prompt: 'instruction', query: 'input', ...answer, system: 'system', history: 'history' } };
    }
    case 'messages':
      return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'messages' }, tags: OPENAI_TAGS };
    case 'preference':
      return { file_name: fileName, formatting: 'sharegpt', ranking: true, columns: { messages: 'messages', chosen: 'chosen', rejected: 'rejected' }, tags: OPENAI_TAGS };
    // LLaMA-Factory's mllm_demo layout: OpenAI-style messages plus an `images` column of paths.
    case 'llamafactory-vision':
    case 'messages-vision':
      return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'messages', images: 'images' }, tags: OPENAI_TAGS };
  }
}

export interface ExportResult {
  path: string;
  rows: number;
  files: string[];
}

function tmpPath(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Record and file-system problems name the path; anything else (the batch source failing) passes as is. */
function writeError(path: string, e: unknown): unknown {
  if (e instanceof CoreError) return new CoreError(e.code, `Cannot write ${path}: ${e.message}`);
  if (typeof (e as NodeJS.ErrnoException)?.syscall === 'string') return new CoreError('BAD_INPUT', `Cannot write ${path}: ${describeFsError(e)}`);
  return e;
}

/** Writes text to `<path>.<random>.tmp`, then renames it over path; removes the temporary file on failure. */
async function atomicWrite(path: string, write: (h: FileHandle) => Promise<void>): Promise<void> {
  const tmp = tmpPath(path);
  let handle: FileHandle | null = null;
  try {
    handle = await open(tmp, 'wx');
    await write(handle);
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(path, e);
  }
}

async function readDatasetInfo(infoPath: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(infoPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CoreError('BAD_INPUT', `Cannot read ${infoPath}: ${describeFsError(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CoreError('BAD_INPUT', `${infoPath} is not valid JSON (${e instanceof Error ? e.message : String(e)}): fix or remove it and export again`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CoreError('BAD_INPUT', `${infoPath} is not a JSON object of dataset entries`);
  return v as Record<string, unknown>;
}

/**
 * Streams the batches into path in the format's layout. `llamafactory` also adds (or replaces) the entry
 * named opts.name in dataset_info.json beside it, keeping the other entries; preference or not is decided
 * by the first record, and every record must then match.
 */
export async function writeDatasetExport(
  path: string,
  format: ExportFormat,
  batches: AsyncIterable<DatasetRecord[]> | Iterable<DatasetRecord[]>,
  opts: { name: string; ranking?: boolean; toObject?: (r: DatasetRecord) => unknown },
): Promise<ExportResult> {
  const registered = format === 'llamafactory' || format === 'llamafactory-vision';
  const array = format === 'alpaca-json' || registered;
  const infoPath = join(dirname(path), 'dataset_info.json');
  // Read first: a broken dataset_info.json should stop the export before the data file is written.
  const info = registered ? await readDatasetInfo(infoPath) : null;
  let rows = 0;
  // Given: SFT (false) or ranking (true) whatever the rows hold; otherwise the first record decides.
  let ranking: boolean | null = opts.ranking ?? null;
  const toObject = (r: DatasetRecord): unknown => {
    if (opts.toObject) return opts.toObject(r);
    if (format !== 'llamafactory') return exportRecord(format, r);
    ranking ??= hasPair(r);
    return shareGptObject(r, ranking);
  };
  await atomicWrite(path, async (h) => {
    if (array) await h.write('[\n');
    for await (const batch of batches) {
      let text = '';
      for (const r of batch) {
        let o: unknown;
        try {
          o = toObject(r);
        } catch (e) {
          if (e instanceof CoreError) throw new CoreError(e.code, `record ${rows + 1}: ${e.message}`);
          throw e;
        }
        const json = JSON.stringify(o);
        text += array ? (rows === 0 ? json : `,\n${json}`) : `${json}\n`;
        rows++;
      }
      if (text !== '') await h.write(text);
    }
    if (array) await h.write(rows === 0 ? ']\n' : '\n]\n');
  });
  if (info === null) return { path, rows, files: [path] };
  info[opts.name] = datasetInfoEntry(format, basename(path), { preference: ranking ?? false });
  await atomicWrite(infoPath, async (h) => {
    await h.write(`${JSON.stringify(info, null, 2)}\n`);
  });
  return { path, rows, files: [path, infoPath] };
}
