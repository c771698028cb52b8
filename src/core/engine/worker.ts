// The inference worker: the only process that loads llama.cpp. It runs apart from the app (a Node child
// process, or an Electron utilityProcess) so a native abort here cannot take the window or the database down.
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import {
  getLlama,
  getLlamaGpuTypes,
  GgufInsights,
  LlamaLogLevel,
  readGgufFileInfo,
  resolveChatWrapper,
  type Llama,
  type LlamaModel,
} from 'node-llama-cpp';
import type { LoadSettings } from '../../shared/engine.schema';
import { history, render, run, type Loaded } from './generate';
import type { EffectiveSettings, EmbedReply, FromWorker, ToWorker, WorkerErrorCode } from './protocol';
import { SequencePool } from './sequencePool';
import { AdapterContexts } from './adapterContexts';
import { readGgufHeader } from '../models/ggufHeader';
import { STDERR_MARK } from './stderrTail';
import { DecodeGate } from './decodeGate';
import { StepTrace } from './stepTrace';

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

// On GGML_ASSERT, ggml attaches gdb to print a backtrace when gdb is installed: seconds before the abort is
// seen, and a page of stack in place of the assertion. The assertion line is the reason users need.
process.env.GGML_NO_BACKTRACE ??= '1';

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

let loaded: Loaded | null = null;
/** Runs in progress or waiting for a sequence; unloading waits for them to stop. */
const inFlight = new Set<Promise<void>>();
const aborts = new Map<string, AbortController>();

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
  await l.adapters.disposeAll();
  await l.context.dispose();
  await l.model.dispose();
}

/** What is loaded now, so a restore after a failed load of another file costs nothing when nothing was unloaded. */
let current: { modelPath: string; settingsKey: string } | null = null;

async function load(
  modelPath: string,
  settings: LoadSettings,
  memoryLimitBytes: number | null,
  keepIfLoaded = false,
): Promise<{ effective: EffectiveSettings }> {
  const settingsKey = JSON.stringify(settings);
  if (keepIfLoaded && loaded && current?.modelPath === modelPath && current.settingsKey === settingsKey) return { effective: loaded.effective };
  process.stderr.write(`${STDERR_MARK}\n`);
  const llama = await llamaFor(settings);
  const name = basename(modelPath);
  // The file may have changed since it was added: node-llama-cpp's reader trusts its counts and lengths.
  // Tensor data is left to llama.cpp, whose log says how it is cut short.
  await readGgufHeader(modelPath, { checkData: false }).catch((e: Error) => {
    throw new WorkerError('MODEL_INVALID', `${name}: ${e.message}`);
  });
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
  // Checks that can refuse the file run above, with the current model still loaded; from here on it is
  // unloaded first, so two models never share memory (the core reloads the old one if this load fails).
  await unload();
  current = null;
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
    // Runs in progress decode their next tokens together, one batch per step (see decodeGate.ts).
    // LAMPLIGHT_DECODE_GATE=0 turns it off, for before/after measurements (bench:server).
    if (process.env.LAMPLIGHT_DECODE_GATE !== '0') new DecodeGate(() => sequences.generating, 10, StepTrace.fromEnv()).attach(context);
    const wrapper = resolveChatWrapper(model);
    const effective: EffectiveSettings = {
      gpu: llama.gpu === false ? 'cpu' : String(llama.gpu),
      gpuLayers: model.gpuLayers,
      contextSize: context.contextSize,
      threads: context.currentThreads,
      batchSize: context.batchSize,
    };
    loaded = { name, llama, model, context, sequences, wrapper, effective, embedding: null, adapters: new AdapterContexts(model, effective) };
    current = { modelPath, settingsKey };
    return { effective };
  } catch (e) {
    await model.dispose();
    throw new WorkerError('ENGINE', `${name}: could not create a context (${(e as Error).message})`);
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
    case 'embed':
    case 'countTokens': {
      try {
        let value: unknown;
        if (msg.type === 'load') value = await load(msg.modelPath, msg.settings, msg.memoryLimitBytes, msg.keepIfLoaded);
        else if (msg.type === 'unload') value = await unload().then(() => (current = null));
        else if (msg.type === 'embed') value = await embed(msg.texts);
        else if (msg.type === 'countTokens') {
          if (!loaded) throw new WorkerError('ENGINE', 'No model is loaded.');
          const model = loaded.model;
          value = msg.texts.map((t) => model.tokenize(t, false).length);
        }        else {
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
      const p = run(loaded, msg, abort, (m) => port.send(m)).then((result) => {
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
