// Generation inside the inference worker: chat (a system + user pair, or a whole conversation) and raw
// text completion on one context sequence each, with batched deltas and decode timing measured here.
import { performance } from 'node:perf_hooks';
import {
  LlamaChatSession,
  LlamaCompletion,
  SpecialToken,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaJsonSchemaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { StopReason } from '../../shared/runs.schema';
import type { ChatTurn, EffectiveSettings, FromWorker, ToWorker, WorkerRunResult } from './protocol';
import type { SequencePool } from './sequencePool';
import type { AdapterContexts, AdapterLease } from './adapterContexts';
import { ignoreEosBias } from './ignoreEos';

export interface Loaded {
  name: string;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** One sequence per run decoding at once; node-llama-cpp batches the busy ones into one decode. */
  sequences: SequencePool<LlamaContextSequence>;
  wrapper: ChatWrapper;
  effective: EffectiveSettings;
  /** Created on the first embedding request: most chat models are never asked for one. */
  embedding: Promise<LlamaEmbeddingContext> | null;
  /** Contexts with LoRA adapters attached, one per adapter set, made on first use. */
  adapters: AdapterContexts;
}

/** Deltas go out at once for the first token, then at most this often. */
const FLUSH_MS = 30;

export function history(systemPrompt: string, userMessage: string): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = [];
  if (systemPrompt.trim() !== '') items.push({ type: 'system', text: systemPrompt });
  items.push({ type: 'user', text: userMessage });
  items.push({ type: 'model', response: [] });
  return items;
}

/** A whole conversation as chat history, ending with the model's (empty) turn to answer. */
function turnsHistory(turns: readonly ChatTurn[]): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = turns.map((t) =>
    t.role === 'assistant' ? { type: 'model', response: [t.content] } : { type: t.role, text: t.content },
  );
  items.push({ type: 'model', response: [] });
  return items;
}

export function render(l: Loaded, chatHistory: ChatHistoryItem[]): { text: string; tokenCount: number } {
  const { contextText } = l.wrapper.generateContextState({ chatHistory });
  // The template's text, with builtin special tokens shown as the model's own strings (e.g. BOS → "<s>").
  const t = l.model.tokens;
  const builtin: Record<string, string | null> = { BOS: t.bosString, EOS: t.eosString, EOT: t.eotString, SEP: t.sepString, NL: t.nlString };
  const text = contextText.values
    .map((v) => (v instanceof SpecialToken ? (builtin[v.value] ?? v.value) : typeof v === 'string' ? v : v.value))
    .join('');
  return { text, tokenCount: contextText.tokenize(l.model.tokenizer).length };
}

const STOP_REASONS: Record<string, StopReason> = {
  eogToken: 'eos',
  stopGenerationTrigger: 'eos',
  customStopTrigger: 'stopSequence',
  maxTokens: 'maxTokens',
  abort: 'abort',
  functionCalls: 'eos',
};

type RunMessage = Extract<ToWorker, { type: 'run' }>;

/** The prompt as the model sees it: the chat template applied, or the raw text of a completion. */
function renderRun(l: Loaded, msg: RunMessage): { text: string; tokenCount: number } {
  if (typeof msg.completionPrompt === 'string') {
    const bos = l.model.tokens.shouldPrependBosToken && l.model.tokens.bos !== null ? 1 : 0;
    return { text: msg.completionPrompt, tokenCount: l.model.tokenize(msg.completionPrompt).length + bos };
  }
  return render(l, msg.messages ? turnsHistory(msg.messages) : history(msg.systemPrompt, msg.userMessage));
}

async function grammarFor(l: Loaded, msg: RunMessage): Promise<{ grammar?: LlamaGrammar; schema?: LlamaJsonSchemaGrammar<never>; error?: string }> {
  if (msg.jsonSchema) {
    let schema: unknown;
    try {
      schema = JSON.parse(msg.jsonSchema);
    } catch (e) {
      return { error: `JSON schema is not valid JSON: ${(e as Error).message}` };
    }
    try {
      const g = (await l.llama.createGrammarForJsonSchema(schema as never)) as LlamaJsonSchemaGrammar<never>;
      return { grammar: g, schema: g };
    } catch (e) {
      return { error: `JSON schema cannot be used as a grammar: ${(e as Error).message}` };
    }
  }
  if (msg.jsonObject) return { grammar: await l.llama.getGrammarFor('json') };
  return {};
}

/** Generates one run on a free sequence of the loaded model, sending text in batches through `send`. */
export async function run(l: Loaded | null, msg: RunMessage, abort: AbortController, send: (m: FromWorker) => void): Promise<WorkerRunResult> {
  if (!l) {
    return { output: '', stopReason: 'error', error: 'No model is loaded.', promptTokens: null, completionTokens: 0, renderedPrompt: null, decodeTokPerSec: null };
  }
  let output = '';
  let tokens = 0;
  // Text goes out at once for the first token (TTFT), then at most every FLUSH_MS: fewer wake-ups of the
  // core process, which on a 2-core machine competes with llama.cpp's threads.
  let pendingText = '';
  let pendingTokens = 0;
  let sentFirst = false;
  let timer: NodeJS.Timeout | null = null;
  let firstTokenAt: number | null = null;
  let firstTokens = 0;
  let lastTokenAt: number | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pendingText === '' && pendingTokens === 0) return;
    send({ type: 'chunk', runId: msg.runId, text: pendingText, tokens: pendingTokens });
    pendingText = '';
    pendingTokens = 0;
  };
  const decodeRate = () =>
    firstTokenAt !== null && lastTokenAt !== null && lastTokenAt > firstTokenAt && tokens > firstTokens
      ? ((tokens - firstTokens) * 1000) / (lastTokenAt - firstTokenAt)
      : null;
  let rendered: { text: string; tokenCount: number } | null = null;
  // The rendered prompt is stored with the run, but computed after generation: it is not on the TTFT path.
  const renderOnce = () => {
    try {
      rendered ??= renderRun(l, msg);
    } catch {
      // reported through the run's own error
    }
    return rendered;
  };
  function failed(error: string, badInput = false): WorkerRunResult {
    flush();
    const r = renderOnce();
    return {
      output,
      stopReason: 'error',
      error,
      promptTokens: r?.tokenCount ?? null,
      completionTokens: tokens,
      renderedPrompt: r?.text ?? null,
      decodeTokPerSec: decodeRate(),
      ...(badInput ? { badInput } : {}),
    };
  }
  if (msg.messages && msg.messages.at(-1)?.role !== 'user') return failed('The last message must be from the user.', true);
  let sequence: LlamaContextSequence | null = null;
  let lease: AdapterLease | null = null;
  let pool = l.sequences;
  try {
    const g = await grammarFor(l, msg);
    if (g.error) return failed(g.error, true);
    if (msg.adapters && msg.adapters.length > 0) {
      try {
        lease = await l.adapters.acquire(msg.adapters);
      } catch (e) {
        return failed(`Could not attach the adapters: ${(e as Error).message}`, true);
      }
      pool = lease.sequences;
    }
    // Waits here while every sequence is busy; a cancel while waiting ends the run at once.
    sequence = await pool.acquire(abort.signal);
    if (!sequence || abort.signal.aborted) return { ...failed(''), stopReason: 'abort', error: null };
    const p = msg.params;
    const options = {
      maxTokens: p.maxTokens,
      temperature: p.temperature,
      topP: p.topP,
      topK: p.topK,
      minP: p.minP,
      ...(p.seed !== null ? { seed: p.seed } : {}),
      repeatPenalty: p.repeatPenalty === 1 ? (false as const) : { penalty: p.repeatPenalty },
      customStopTriggers: p.stop.length > 0 ? p.stop : undefined,
      ...(g.grammar ? { grammar: g.grammar } : {}),
      ...(msg.ignoreEos ? { tokenBias: ignoreEosBias(l.model) } : {}),
      signal: abort.signal,
      stopOnAbortSignal: true,
      onToken: (t: readonly unknown[]) => {
        const now = performance.now();
        tokens += t.length;
        // Its last token: no more decodes come from this run, so the decode gate stops waiting for it.
        if (tokens >= p.maxTokens && sequence) pool.finish(sequence);
        pendingTokens += t.length;
        if (firstTokenAt === null) {
          firstTokenAt = now;
          firstTokens = tokens;
        }
        lastTokenAt = now;
      },
      onTextChunk: (text: string) => {
        output += text;
        pendingText += text;
        if (!sentFirst) {
          sentFirst = true;
          flush();
        } else timer ??= setTimeout(flush, FLUSH_MS);
      },
    };
    let stopReasonRaw: string;
    if (typeof msg.completionPrompt === 'string') {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      try {
        const res = await completion.generateCompletionWithMeta(msg.completionPrompt, options);
        output = res.response;
        stopReasonRaw = res.metadata.stopReason;
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    } else {
      const session = new LlamaChatSession({ contextSequence: sequence, chatWrapper: l.wrapper, autoDisposeSequence: false });
      try {
        let question = msg.userMessage;
        let before: ChatHistoryItem[];
        if (msg.messages) {
          question = (msg.messages.at(-1) as ChatTurn).content;
          before = turnsHistory(msg.messages.slice(0, -1)).slice(0, -1);
        } else before = history(msg.systemPrompt, msg.userMessage).filter((h) => h.type === 'system');
        session.setChatHistory(before);
        const res = await session.promptWithMeta(question, options);
        output = res.responseText;
        stopReasonRaw = res.stopReason;
      } finally {
        session.dispose({ disposeSequence: false });
      }
    }
    flush();
    const stopReason = STOP_REASONS[stopReasonRaw] ?? 'eos';
    let error: string | null = null;
    if (g.schema && stopReason === 'eos') {
      try {
        g.schema.parse(output);
      } catch (e) {
        error = `Output does not match the JSON schema: ${(e as Error).message}`;
      }
    }
    const r = renderOnce();
    return { output, stopReason, error, promptTokens: r?.tokenCount ?? null, completionTokens: tokens, renderedPrompt: r?.text ?? null, decodeTokPerSec: decodeRate() };
  } catch (e) {
    return failed((e as Error).message);
  } finally {
    if (sequence) pool.release(sequence);
    lease?.release();
  }
}
