// The core's side of the inference worker: starts it, serializes loads, and turns a dead worker into a
// 'crashed' state the UI can show and recover from, instead of a dead app.
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { EngineStatus, LoadSettings } from '../../shared/engine.schema';
import { CoreError } from '../errors';
import type { EmbedReply, FromWorker, LoadReply, RenderReply, SpawnWorker, ToWorker, WorkerChannel, WorkerRunResult } from './protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface RunHandlers {
  onChunk(text: string, tokens: number): void;
  onDone(result: WorkerRunResult): void;
}

export interface EngineEvents {
  status: [EngineStatus];
}

export class EngineService extends EventEmitter<EngineEvents> {
  private worker: WorkerChannel | null = null;
  private workerReady: Promise<void> | null = null;
  private nextReqId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly runs = new Map<string, RunHandlers>();
  /** Loads, unloads and restarts go one at a time. */
  private lock: Promise<unknown> = Promise.resolve();
  private lastLoad: { modelId: string; modelPath: string; settings: LoadSettings } | null = null;
  private st: EngineStatus = {
    state: 'stopped',
    modelId: null,
    modelPath: null,
    settings: null,
    effective: null,
    loadProgress: null,
    pid: null,
    error: null,
    crashCount: 0,
    activeRunIds: [],
  };

  constructor(
    private readonly spawn: SpawnWorker,
    private readonly memoryLimitBytes: () => number | null,
  ) {
    super();
  }

  get status(): EngineStatus {
    return this.st;
  }

  get loadedModelId(): string | null {
    return this.st.state === 'ready' ? this.st.modelId : null;
  }

  private set(patch: Partial<EngineStatus>): void {
    this.st = { ...this.st, ...patch };
    this.emit('status', this.st);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private ensureWorker(): Promise<void> {
    if (this.worker && this.workerReady) return this.workerReady;
    const w = this.spawn();
    this.worker = w;
    this.workerReady = new Promise<void>((resolve, reject) => {
      w.onMessage((m) => {
        if (m.type === 'ready') {
          this.set({ pid: m.pid, state: this.st.state === 'crashed' || this.st.state === 'stopped' ? 'idle' : this.st.state });
          resolve();
        } else this.onMessage(m);
      });
      w.onExit((code, signal) => {
        reject(new CoreError('ENGINE_CRASHED', `The inference worker exited during start-up (${signal ?? `code ${code}`}). ${w.stderrTail()}`.trim()));
        this.onExit(w, code, signal);
      });
    });
    return this.workerReady;
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'reply': {
        const p = this.pending.get(m.reqId);
        if (!p) return;
        this.pending.delete(m.reqId);
        if (m.ok) p.resolve(m.value);
        else p.reject(new CoreError(m.code, m.message));
        return;
      }
      case 'loadProgress':
        this.set({ loadProgress: m.progress });
        return;
      case 'chunk':
        this.runs.get(m.runId)?.onChunk(m.text, m.tokens);
        return;
      case 'runDone': {
        const h = this.runs.get(m.runId);
        this.runs.delete(m.runId);
        this.set({ activeRunIds: [...this.runs.keys()] });
        h?.onDone(m.result);
        return;
      }
      case 'ready':
        return;
    }
  }

  private onExit(w: WorkerChannel, code: number | null, signal: string | null): void {
    if (this.worker !== w) return; // an old worker we already replaced
    this.worker = null;
    this.workerReady = null;
    const expected = this.st.state === 'stopped';
    const detail = w.stderrTail();
    const message = `The inference engine stopped unexpectedly (${signal ?? `exit code ${code}`})${detail ? `: ${detail}` : ''}. Your data is safe; restart the engine to continue.`;
    for (const p of this.pending.values()) p.reject(new CoreError('ENGINE_CRASHED', message));
    this.pending.clear();
    for (const [runId, h] of this.runs) {
      this.runs.delete(runId);
      h.onDone({ output: '', stopReason: 'crash', error: message, promptTokens: null, completionTokens: 0, renderedPrompt: null, decodeTokPerSec: null });
    }
    this.st = { ...this.st, activeRunIds: [] };
    if (expected) return;
    this.set({ state: 'crashed', error: message, pid: null, loadProgress: null, crashCount: this.st.crashCount + 1 });
  }

  private request<T>(msg: DistributiveOmit<Extract<ToWorker, { reqId: number }>, 'reqId'>): Promise<T> {
    return this.ensureWorker().then(
      () =>
        new Promise<T>((resolve, reject) => {
          const reqId = this.nextReqId++;
          this.pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject });
          this.worker?.send({ ...msg, reqId } as ToWorker);
        }),
    );
  }

  load(modelId: string, modelPath: string, settings: LoadSettings): Promise<EngineStatus> {
    return this.serialized(async () => {
      if (this.st.state === 'crashed') await this.respawn();
      const previous = this.st.state === 'ready' ? this.lastLoad : null;
      this.set({ state: 'loading', modelId, modelPath, settings, effective: null, loadProgress: 0, error: null });
      try {
        const reply = await this.request<LoadReply>({ type: 'load', modelPath, settings, memoryLimitBytes: this.memoryLimitBytes() });
        this.lastLoad = { modelId, modelPath, settings };
        this.set({ state: 'ready', effective: reply.effective, loadProgress: 1 });
      } catch (e) {
        const crashed = (this.st.state as string) === 'crashed';
        if (!crashed && previous) {
          await this.restore(previous, (e as Error).message);
          if (this.st.state === 'ready' && e instanceof CoreError) throw new CoreError(e.code, this.st.error ?? e.message);
        } else if (!crashed) this.set({ state: 'idle', modelId: null, modelPath: null, effective: null, loadProgress: null, error: (e as Error).message });
        else if (e instanceof CoreError) {
          // llama.cpp aborted on this file: say which one, as a refused load does.
          const named = new CoreError(e.code, `${basename(modelPath)}: ${e.message}`);
          this.set({ error: named.message });
          throw named;
        }
        throw e;
      }
      return this.st;
    });
  }

  /** A failed load must not cost the user the model that worked: load it again (a no-op in the worker when
   * the failure came before it was unloaded) and keep the reason in the status. */
  private async restore(previous: NonNullable<EngineService['lastLoad']>, reason: string): Promise<void> {
    const { modelId, modelPath, settings } = previous;
    this.set({ state: 'loading', modelId, modelPath, settings, effective: null, loadProgress: 0 });
    try {
      const reply = await this.request<LoadReply>({ type: 'load', modelPath, settings, memoryLimitBytes: this.memoryLimitBytes(), keepIfLoaded: true });
      this.set({ state: 'ready', effective: reply.effective, loadProgress: 1, error: `${reason} (${basename(modelPath)} is still loaded)` });
    } catch (e) {
      this.lastLoad = null;
      if ((this.st.state as string) === 'crashed') return;
      this.set({ state: 'idle', modelId: null, modelPath: null, effective: null, loadProgress: null, error: `${reason}; reloading ${basename(modelPath)} failed too: ${(e as Error).message}` });
    }
  }

  unload(): Promise<EngineStatus> {
    return this.serialized(async () => {
      if (this.worker && this.st.state !== 'crashed') await this.request({ type: 'unload' });
      this.lastLoad = null;
      this.set({ state: this.worker ? 'idle' : 'stopped', modelId: null, modelPath: null, settings: null, effective: null, loadProgress: null, error: null });
      return this.st;
    });
  }

  private async respawn(): Promise<void> {
    this.worker?.kill();
    this.worker = null;
    this.workerReady = null;
    this.set({ state: 'stopped', error: null, pid: null, modelId: null, modelPath: null, effective: null });
    await this.ensureWorker();
  }

  /** Starts a fresh worker and reloads the model that was loaded, with the same settings. */
  restart(): Promise<EngineStatus> {
    return this.serialized(async () => {
      await this.respawn();
      const last = this.lastLoad;
      if (last) {
        this.set({ state: 'loading', modelId: last.modelId, modelPath: last.modelPath, settings: last.settings, loadProgress: 0 });
        try {
          const reply = await this.request<LoadReply>({ type: 'load', modelPath: last.modelPath, settings: last.settings, memoryLimitBytes: this.memoryLimitBytes() });
          this.set({ state: 'ready', effective: reply.effective, loadProgress: 1 });
        } catch (e) {
          this.set({ state: 'idle', modelId: null, modelPath: null, error: `Reloading ${basename(last.modelPath)} failed: ${(e as Error).message}` });
        }
      }
      return this.st;
    });
  }

  render(systemPrompt: string, userMessage: string): Promise<RenderReply> {
    return this.request<RenderReply>({ type: 'render', systemPrompt, userMessage });
  }

  /** Embedding vectors of the loaded model, one per text (its embedding context is made on first use). */
  async embed(texts: string[]): Promise<EmbedReply> {
    if (!this.worker || this.st.state !== 'ready') throw new CoreError('CONFLICT', 'No model is loaded; load one first.');
    return this.request<EmbedReply>({ type: 'embed', texts });
  }

  /** Token counts of plain texts with the loaded model's vocabulary, one per text. */
  async countTokens(texts: string[]): Promise<number[]> {
    if (!this.worker || this.st.state !== 'ready') throw new CoreError('CONFLICT', 'No model is loaded; load one first.');
    return this.request<number[]>({ type: 'countTokens', texts });
  }

  startRun(msg: Omit<Extract<ToWorker, { type: 'run' }>, 'type'>, handlers: RunHandlers): void {
    if (!this.worker || this.st.state !== 'ready') throw new CoreError('CONFLICT', 'No model is loaded; load one first.');
    this.runs.set(msg.runId, handlers);
    this.set({ activeRunIds: [...this.runs.keys()] });
    this.worker.send({ type: 'run', ...msg });
  }

  cancelRun(runId: string): boolean {
    if (!this.runs.has(runId)) return false;
    this.worker?.send({ type: 'cancel', runId });
    return true;
  }

  /** For tests and diagnostics: the OS process id of the worker, if one runs. */
  get workerPid(): number | null {
    return this.worker?.pid ?? null;
  }

  async close(): Promise<void> {
    this.st = { ...this.st, state: 'stopped' };
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      w.onExit(() => {
        clearTimeout(t);
        resolve();
      });
      w.kill();
    });
  }
}
