// Shows a model's chat template and what it renders, from the file alone: the user should see the exact
// format before loading, not only "Template: yes".
import { basename } from 'node:path';
import { readGgufFileInfo, resolveChatWrapper, SpecialToken, type ChatHistoryItem } from 'node-llama-cpp';
import type { ModelTemplate } from '../../shared/models.schema';
import { CoreError } from '../errors';
import { readGgufHeader } from './ggufHeader';

const SAMPLE: ModelTemplate['sample'] = [
  { role: 'system', content: 'You are a concise assistant.' },
  { role: 'user', content: 'What is the capital of France?' },
  { role: 'assistant', content: 'Paris.' },
  { role: 'user', content: 'And of Italy?' },
];

function tokenString(tokens: unknown, id: unknown): string | null {
  return Array.isArray(tokens) && typeof id === 'number' && typeof tokens[id] === 'string' ? (tokens[id] as string) : null;
}

export async function modelTemplate(path: string): Promise<ModelTemplate> {
  // Our bounded reader first: node-llama-cpp's trusts the file's counts (the file may have changed since it was added).
  await readGgufHeader(path, { checkData: false }).catch((e: Error) => {
    throw new CoreError('MODEL_INVALID', `${basename(path)}: ${e.message}`);
  });
  const fileInfo = await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false });
  const tok = fileInfo.metadata.tokenizer?.ggml as Record<string, unknown> | undefined;
  const bos = tokenString(tok?.tokens, tok?.bos_token_id);
  const eos = tokenString(tok?.tokens, tok?.eos_token_id);
  const template = typeof fileInfo.metadata.tokenizer?.chat_template === 'string' ? fileInfo.metadata.tokenizer.chat_template : null;
  const wrapper = resolveChatWrapper({ fileInfo, bosString: bos, filename: basename(path), warningLogs: false });
  if (!wrapper) throw new CoreError('MODEL_INVALID', `${basename(path)}: no chat format could be chosen for this model`);
  const chatHistory: ChatHistoryItem[] = SAMPLE.map((t) => (t.role === 'assistant' ? { type: 'model', response: [t.content] } : { type: t.role, text: t.content }));
  chatHistory.push({ type: 'model', response: [] });
  const { contextText } = wrapper.generateContextState({ chatHistory });
  const builtin: Record<string, string | null> = { BOS: bos, EOS: eos };
  const rendered = contextText.values
    .map((v) => (v instanceof SpecialToken ? (builtin[v.value] ?? `<${v.value}>`) : typeof v === 'string' ? v : v.value))
    .join('');
  return { template, format: wrapper.wrapperName, sample: SAMPLE, rendered };
}
