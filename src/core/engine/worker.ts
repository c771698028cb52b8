// The inference worker: the only process that loads llama.cpp. It runs apart from the app (a Node child
// process, or an Electron utilityProcess) so a native abort here cannot take the window or the database down.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import {
  getLlama,
  getLlamaGpuTypes,
  GgufInsights,
  LlamaChatSession,
  LlamaCompletion,
  LlamaLogLevel,
  readGgufFileInfo,
  resolveChatWrapper,
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
import type { LoadSettings, StopReason } from '../../shared/schemas';
import type { ChatTurn, EffectiveSettings, EmbedReply, FromWorker, ToWorker, WorkerErrorCode, WorkerRunResult } from './protocol';
import { SequencePool } from './sequencePool';

class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Port {
  send(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

function resolvePort(): Port {
  type ParentPort = { postMessage(m: unknown): void; on(ev: 'message', cb: (e: { data: unknown }) => void): void };
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as ToWorker)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('The engine worker must be started by Lamplight (no IPC channel).');
  return { send: (m) => send(m), onMessage: (cb) => process.on('message', (m) => cb(m as ToWorker)) };
}

const port = resolvePort();

/** llama.cpp explains a failed load only in its log ("unknown model architecture", "not within the file
 * bounds"), not in the thrown error: keep the last lines so the error the user sees can say why. */
const recentLog: string[] = [];
function logger(level: LlamaLogLevel, message: string): void {
  const line = message.trim();
  if (line === '') return;
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal || level === LlamaLogLevel.warn) {
    recentLog.push(line);
    if (recentLog.length > 20) recentLog.shift();
  }
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) process.stderr.write(line + '\n');
}

/** The most telling log line of the current load, for error messages. */
async function logReason(): Promise<string | null> {
  // The log line can arrive just after the promise rejects.
  await new Promise((r) => setTimeout(r, 50));
  const specific = recentLog.filter((l) => /not within|out of bounds|unknown|incorrect|invalid|missing|corrupt|truncat|unsupported/i.test(l));
  const generic = recentLog.filter((l) => /error|fail/i.test(l));
  const line = specific[0] ?? generic[0] ?? recentLog.at(-1) ?? null;
  return line ? line.replace(/^[a-z_]+:\s*/, '') : null;
}

const llamas = new Map<string, Promise<Llama>>();

interface Loaded {
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
}
let loaded: Loaded | null = null;
/** Runs in progress or waiting for a sequence; unloading waits for them to stop. */
const inFlight = new Set<Promise<void>>();
const aborts = new Map<string, AbortController>();
const FLUSH_MS = 30;

function threadsFor(settings: LoadSettings): number {
  return settings.threads > 0 ? settings.threads : availableParallelism();
}

async function llamaFor(settings: LoadSettings): Promise<Llama> {
  const gpu = settings.gpu === 'cpu' ? false : settings.gpu;
  if (gpu !== false && gpu !== 'auto') {
    const supported = await getLlamaGpuTypes('supported');
    if (!supported.includes(gpu)) {
      throw new WorkerError(
        'BAD_INPUT',
        `GPU backend "${gpu}" is not available on this machine (available: ${['cpu', ...supported.filter((g) => g !== false)].join(', ')})`,
      );
    }
  }
  const key = `${String(gpu)}:${threadsFor(settings)}`;
  let p = llamas.get(key);
  if (!p) {
    // build:'never' — a source build needs the network and minutes; a missing binary must be an error.
    p = getLlama({
      gpu,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger,
      maxThreads: threadsFor(settings),
    });
    llamas.set(key, p);
    p.catch(() => llamas.delete(key));
  }
  return p;
}

async function unload(): Promise<void> {
  const l = loaded;
  loaded = null;
  if (!l) return;
  for (const a of aborts.values()) a.abort();
  await Promise.allSettled([...inFlight]);
  if (l.embedding) await l.embedding.then((e) => e.dispose()).catch(() => undefined);
  await l.context.dispose();
  await l.model.dispose();
}

async function load(
  modelPath: string,
  settings: LoadSettings,
  memoryLimitBytes: number | null,
): Promise<{ effective: EffectiveSettings }> {
  await unload();
  const llama = await llamaFor(settings);
  const name = basename(modelPath);
  const info = await readGgufFileInfo(modelPath, { logWarnings: false });
  const insights = await GgufInsights.from(info, llama);
  if (!insights.isSupportedByLlamaCpp) {
    const arch = String(info.metadata.general?.architecture ?? 'unknown');
    throw new WorkerError('MODEL_INVALID', `${name}: architecture "${arch}" is not supported by this llama.cpp build`);
  }
  const gpuLayersOpt = settings.gpu === 'cpu' ? 0 : settings.gpuLayers;
  const contextSize = Math.min(settings.contextSize, insights.trainContextSize ?? settings.contextSize);
  if (memoryLimitBytes !== null) {
    const layers = typeof gpuLayersOpt === 'number' ? gpuLayersOpt : 0;
    const modelReq = insights.estimateModelResourceRequirements({ gpuLayers: layers });
    const ctxReq = insights.estimateContextResourceRequirements({
      contextSize,
      modelGpuLayers: layers,
      batchSize: settings.batchSize,
      sequences: settings.sequences,
    });
    const need = modelReq.cpuRam + ctxReq.cpuRam;
    if (need > memoryLimitBytes) {
      const gib = (b: number) => (b / 2 ** 30).toFixed(2);
      throw new WorkerError(
        'MODEL_INVALID',
        `${name}: too large for memory: it needs about ${gib(need)} GiB (model ${gib(modelReq.cpuRam)} + context ${gib(ctxReq.cpuRam)}) but only ${gib(memoryLimitBytes)} GiB is available`,
      );
    }
  }
  let model: LlamaModel;
  recentLog.length = 0;
  try {
    model = await llama.loadModel({
      modelPath,
      gpuLayers: gpuLayersOpt,
      onLoadProgress: (progress) => port.send({ type: 'loadProgress', progress }),
    });
  } catch (e) {
    const why = await logReason();
    throw new WorkerError('MODEL_INVALID', `${name}: llama.cpp could not load it: ${why ?? (e as Error).message}`);
  }
  try {
    const threads = threadsFor(settings);
    const context = await model.createContext({ contextSize, batchSize: settings.batchSize, threads, sequences: settings.sequences });
    const sequences = new SequencePool(Array.from({ length: settings.sequences }, () => context.getSequence()));
    const wrapper = resolveChatWrapper(model);
    const effective: EffectiveSettings = {
      gpu: llama.gpu === false ? 'cpu' : String(llama.gpu),
      gpuLayers: model.gpuLayers,
      contextSize: context.contextSize,
      threads: context.currentThreads,
      batchSize: context.batchSize,
    };
    loaded = { name, llama, model, context, sequences, wrapper, effective, embedding: null };
    return { effective };
  } catch (e) {
    await model.dispose();
    throw new WorkerError('ENGINE', `${name}: could not create a context (${(e as Error).message})`);
  }
}

function history(systemPrompt: string, userMessage: string): ChatHistoryItem[] {
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

function render(l: Loaded, chatHistory: ChatHistoryItem[]): { text: string; tokenCount: number } {
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

async function run(msg: RunMessage, abort: AbortController): Promise<WorkerRunResult> {
  const l = loaded;
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
    port.send({ type: 'chunk', runId: msg.runId, text: pendingText, tokens: pendingTokens });
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
  try {
    const g = await grammarFor(l, msg);
    if (g.error) return failed(g.error, true);
    // Waits here while every sequence is busy; a cancel while waiting ends the run at once.
    sequence = await l.sequences.acquire(abort.signal);
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
      signal: abort.signal,
      stopOnAbortSignal: true,
      onToken: (t: readonly unknown[]) => {
        const now = performance.now();
        tokens += t.length;
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
    if (sequence) l.sequences.release(sequence);
  }
}

/** One vector per text, from an embedding context made on first use. */
async function embed(texts: readonly string[]): Promise<EmbedReply> {
  const l = loaded;
  if (!l) throw new WorkerError('ENGINE', 'No model is loaded.');
  if (!l.embedding) {
    const p = l.model
      .createEmbeddingContext({ contextSize: l.effective.contextSize, batchSize: l.effective.contextSize, threads: l.effective.threads })
      .catch(async (e: unknown) => {
        if (l.embedding === p) l.embedding = null;
        const why = await logReason();
        throw new WorkerError('ENGINE', `${l.name} cannot produce embeddings: ${why ?? (e as Error).message}`);
      });
    l.embedding = p;
  }
  recentLog.length = 0;
  const ctx = await l.embedding;
  const vectors: number[][] = [];
  let promptTokens = 0;
  for (const text of texts) {
    try {
      promptTokens += ctx.calculateInputLength(text);
      vectors.push([...(await ctx.getEmbeddingFor(text)).vector]);
    } catch (e) {
      throw new WorkerError('BAD_INPUT', `Input ${vectors.length} cannot be embedded: ${(e as Error).message}`);
    }
  }
  return { vectors, promptTokens };
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'load':
    case 'unload':
    case 'render':
    case 'embed': {
      try {
        let value: unknown;
        if (msg.type === 'load') value = await load(msg.modelPath, msg.settings, msg.memoryLimitBytes);
        else if (msg.type === 'unload') value = await unload();
        else if (msg.type === 'embed') value = await embed(msg.texts);
        else {
          if (!loaded) throw new WorkerError('ENGINE', 'No model is loaded.');
          value = render(loaded, history(msg.systemPrompt, msg.userMessage));
        }
        port.send({ type: 'reply', reqId: msg.reqId, ok: true, value: value ?? null });
      } catch (e) {
        const code = e instanceof WorkerError ? e.code : 'ENGINE';
        port.send({ type: 'reply', reqId: msg.reqId, ok: false, code, message: (e as Error).message });
      }
      return;
    }
    case 'run': {
      const abort = new AbortController();
      aborts.set(msg.runId, abort);
      const p = run(msg, abort).then((result) => {
        aborts.delete(msg.runId);
        port.send({ type: 'runDone', runId: msg.runId, result });
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return;
    }
    case 'cancel':
      aborts.get(msg.runId)?.abort();
      return;
  }
}

port.onMessage((msg) => void handle(msg));
port.send({ type: 'ready', pid: process.pid });
