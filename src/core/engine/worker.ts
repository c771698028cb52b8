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
  LlamaLogLevel,
  readGgufFileInfo,
  resolveChatWrapper,
  SpecialToken,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaJsonSchemaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { LoadSettings, StopReason } from '../../shared/schemas';
import type { EffectiveSettings, FromWorker, ToWorker, WorkerErrorCode, WorkerRunResult } from './protocol';

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
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  wrapper: ChatWrapper;
  effective: EffectiveSettings;
}
let loaded: Loaded | null = null;
/** Runs share one context sequence, so they go one after another. */
let runQueue: Promise<void> = Promise.resolve();
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
  await runQueue.catch(() => undefined);
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
    const context = await model.createContext({ contextSize, batchSize: settings.batchSize, threads, sequences: 1 });
    const sequence = context.getSequence();
    const wrapper = resolveChatWrapper(model);
    const effective: EffectiveSettings = {
      gpu: llama.gpu === false ? 'cpu' : String(llama.gpu),
      gpuLayers: model.gpuLayers,
      contextSize: context.contextSize,
      threads: context.currentThreads,
      batchSize: context.batchSize,
    };
    loaded = { llama, model, context, sequence, wrapper, effective };
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

function render(l: Loaded, systemPrompt: string, userMessage: string): { text: string; tokenCount: number } {
  const { contextText } = l.wrapper.generateContextState({ chatHistory: history(systemPrompt, userMessage) });
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

async function run(msg: Extract<ToWorker, { type: 'run' }>, abort: AbortController): Promise<WorkerRunResult> {
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
  let grammar: LlamaGrammar | undefined;
  let schemaGrammar: LlamaJsonSchemaGrammar<never> | undefined;
  // The rendered prompt is stored with the run, but computed after generation: it is not on the TTFT path.
  const renderOnce = () => {
    try {
      rendered ??= render(l, msg.systemPrompt, msg.userMessage);
    } catch {
      // reported through the run's own error
    }
    return rendered;
  };
  function failed(error: string): WorkerRunResult {
    flush();
    const r = renderOnce();
    return { output, stopReason: 'error', error, promptTokens: r?.tokenCount ?? null, completionTokens: tokens, renderedPrompt: r?.text ?? null, decodeTokPerSec: decodeRate() };
  }
  try {
    if (msg.jsonSchema) {
      let schema: unknown;
      try {
        schema = JSON.parse(msg.jsonSchema);
      } catch (e) {
        return failed(`JSON schema is not valid JSON: ${(e as Error).message}`);
      }
      try {
        schemaGrammar = (await l.llama.createGrammarForJsonSchema(schema as never)) as LlamaJsonSchemaGrammar<never>;
        grammar = schemaGrammar;
      } catch (e) {
        return failed(`JSON schema cannot be used as a grammar: ${(e as Error).message}`);
      }
    }
    if (abort.signal.aborted) return { ...failed(''), stopReason: 'abort', error: null };
    const session = new LlamaChatSession({ contextSequence: l.sequence, chatWrapper: l.wrapper, autoDisposeSequence: false });
    try {
      const hist = history(msg.systemPrompt, msg.userMessage).filter((h) => h.type === 'system');
      session.setChatHistory(hist);
      const p = msg.params;
      const res = await session.promptWithMeta(msg.userMessage, {
        maxTokens: p.maxTokens,
        temperature: p.temperature,
        topP: p.topP,
        topK: p.topK,
        minP: p.minP,
        ...(p.seed !== null ? { seed: p.seed } : {}),
        repeatPenalty: p.repeatPenalty === 1 ? false : { penalty: p.repeatPenalty },
        customStopTriggers: p.stop.length > 0 ? p.stop : undefined,
        ...(grammar ? { grammar } : {}),
        signal: abort.signal,
        stopOnAbortSignal: true,
        onToken: (t) => {
          const now = performance.now();
          tokens += t.length;
          pendingTokens += t.length;
          if (firstTokenAt === null) {
            firstTokenAt = now;
            firstTokens = tokens;
          }
          lastTokenAt = now;
        },
        onTextChunk: (text) => {
          output += text;
          pendingText += text;
          if (!sentFirst) {
            sentFirst = true;
            flush();
          } else timer ??= setTimeout(flush, FLUSH_MS);
        },
      });
      flush();
      output = res.responseText;
      const stopReason = STOP_REASONS[res.stopReason] ?? 'eos';
      let error: string | null = null;
      if (schemaGrammar && stopReason === 'eos') {
        try {
          schemaGrammar.parse(output);
        } catch (e) {
          error = `Output does not match the JSON schema: ${(e as Error).message}`;
        }
      }
      const r = renderOnce();
      return { output, stopReason, error, promptTokens: r?.tokenCount ?? null, completionTokens: tokens, renderedPrompt: r?.text ?? null, decodeTokPerSec: decodeRate() };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  } catch (e) {
    return failed((e as Error).message);
  }
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'load':
    case 'unload':
    case 'render': {
      try {
        let value: unknown;
        if (msg.type === 'load') value = await load(msg.modelPath, msg.settings, msg.memoryLimitBytes);
        else if (msg.type === 'unload') value = await unload();
        else {
          if (!loaded) throw new WorkerError('ENGINE', 'No model is loaded.');
          value = render(loaded, msg.systemPrompt, msg.userMessage);
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
      runQueue = runQueue.then(async () => {
        const result = await run(msg, abort);
        aborts.delete(msg.runId);
        port.send({ type: 'runDone', runId: msg.runId, result });
      });
      return;
    }
    case 'cancel':
      aborts.get(msg.runId)?.abort();
      return;
  }
}

port.onMessage((msg) => void handle(msg));
port.send({ type: 'ready', pid: process.pid });
