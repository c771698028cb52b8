// A run: a prompt sent to the loaded local model or to a remote target, streamed back in batched deltas,
// stored with its metrics. Local and remote runs share the streaming, batching and storing here.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { RunChunk } from '../../shared/runs.schema';
import { ulid } from '../../shared/ids';
import { latencyMetrics } from '../../shared/latency';
import type { AdapterUse } from '../../shared/adapters.schema';
import type { RenderedPrompt, RunRecord, RunRequest, RunSource, RunTarget, SamplingParams, StopReason } from '../../shared/runs.schema';
import { substituteVariables } from '../../shared/template';
import type { EngineService } from '../engine/engine.service';
import type { AdapterSpec, ChatTurn, WorkerRunResult } from '../engine/protocol';
import { CoreError } from '../errors';
import type { GuardService, PreparedRun } from '../guard/guard.service';
import type { ModelsService } from '../models/models.service';
import type { RunOutcome, RunsRepo } from './runs.repo';

export interface RunsEvents {
  chunk: [RunChunk];
  finished: [RunRecord];
}

/** What the runs service needs from remote targets (implemented by TargetsService). */
export interface RemoteRunner {
  displayName(targetId: string, model: string): string;
  run(
    targetId: string,
    model: string,
    req: { systemPrompt: string; userMessage: string; params: RunRequest['params']; jsonSchema: string | null },
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<RemoteRunResult>;
}

/** What runs need from the adapter library (implemented by AdaptersService). */
export interface RunAdapters {
  /** Files, scales and "name@scale" labels; throws NOT_FOUND for an unknown adapter. */
  resolveUses(uses: readonly AdapterUse[]): (AdapterSpec & { label: string })[];
  /** The reason to refuse, from checks already made; null when none failed (or none was made yet). */
  knownRefusal(uses: readonly AdapterUse[], modelId: string): Error | null;
  /** Reads the files when needed; throws the first mismatch's reason. */
  assertCompatible(uses: readonly AdapterUse[], modelId: string): Promise<void>;
}

export interface RemoteRunResult {
  text: string;
  stopReason: StopReason;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  startMs: number;
  endMs: number;
  /** Arrival of every chunk with choices (vLLM's convention for TTFT and ITL). */
  chunkTimesMs: number[];
  /** Arrival of the chunks that carried text (for the decode rate). */
  contentTimesMs: number[];
  attempts: number;
}

/** Deltas are sent at most this often; the first one goes out at once so TTFT is not delayed. */
const FLUSH_MS = 33;

interface Active {
  output: string;
  pendingText: string;
  pendingTokens: number;
  timer: NodeJS.Timeout | null;
  startedAt: number;
  firstChunkAt: number | null;
  lastChunkAt: number | null;
  firstChunkTokens: number;
  tokens: number;
  abort: AbortController | null;
  /** The guard's decisions for this run (masking, who asked); null only in tests without a guard. */
  prep: PreparedRun | null;
  /** Text not shown yet because an output rule may still block it (gate 'hold'). */
  held: string;
  /** A block rule matched mid-stream: nothing more is shown and the run is being stopped. */
  suppressed: boolean;
  /** Where held text goes besides the chunk events when it is released (the API server's stream). */
  release?: (text: string) => void;
  done: Promise<RunRecord>;
  finish: (r: RunRecord) => void;
}

export type StartRun = Omit<RunRequest, 'promptVersionId'> & { source?: RunSource; promptVersionId?: string | null };

function meanOrNull(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((x, y) => x + y, 0) / values.length : null;
}

/** The streaming state of a run that has just been stored as 'running'. */
function newActive(prep: PreparedRun | null): Active {
  let finish!: (r: RunRecord) => void;
  const done = new Promise<RunRecord>((r) => (finish = r));
  return {
    output: '',
    pendingText: '',
    pendingTokens: 0,
    timer: null,
    startedAt: performance.now(),
    firstChunkAt: null,
    lastChunkAt: null,
    firstChunkTokens: 0,
    tokens: 0,
    abort: null,
    prep,
    held: '',
    suppressed: false,
    done,
    finish: (r) => finish(r),
  };
}

/** A request to Lamplight's own OpenAI-compatible server, run on the loaded local model. */
export interface ApiRunRequest {
  /** What history shows as the prompt: the system text and the user's side of the conversation. */
  systemPrompt: string;
  userMessage: string;
  /** A chat (the last turn is the user's), or else a raw completion of completionPrompt. */
  messages: ChatTurn[] | null;
  completionPrompt: string | null;
  params: SamplingParams;
  jsonSchema: string | null;
  jsonObject: boolean;
  /** Decode until maxTokens even past an end-of-generation token (llama-server's ignore_eos). */
  ignoreEos?: boolean;
}

export interface ApiRunOutcome {
  record: RunRecord;
  /** The engine refused the request itself (e.g. a schema no grammar can express): a client error. */
  badInput: boolean;
}

export class RunsService extends EventEmitter<RunsEvents> {
  private readonly active = new Map<string, Active>();
  /** Who started each active run, until its 'finished' event is out: events about a run reach its owner. */
  private readonly owners = new Map<string, string>();
  private remote: RemoteRunner | null = null;
  private adapters: RunAdapters | null = null;
  private guard: GuardService | null = null;

  constructor(
    private readonly repo: RunsRepo,
    private readonly models: ModelsService,
    private readonly engine: EngineService,
  ) {
    super();
  }

  /** Every run passes the guard: PII policy before sending, output rules and the audit record after. */
  setGuard(guard: GuardService): void {
    this.guard = guard;
    // Runs a previous process left running are over; each gets its audit record, in the same transaction.
    const now = Date.now();
    for (const id of this.repo.runningIds()) {
      guard.together(() => {
        const r = this.repo.interrupt(id, now);
        if (r) guard.recordInterrupted(r);
      });
    }
  }

  setRemoteRunner(runner: RemoteRunner): void {
    this.remote = runner;
  }

  setAdapters(adapters: RunAdapters): void {
    this.adapters = adapters;
  }

  async render(input: { modelId: string | null; systemPrompt: string; userMessage: string; variables: Record<string, string> }): Promise<RenderedPrompt> {
    const system = substituteVariables(input.systemPrompt, input.variables);
    const user = substituteVariables(input.userMessage, input.variables);
    const missing = [...new Set([...system.missing, ...user.missing])];
    const loaded = this.engine.loadedModelId;
    if (!loaded || (input.modelId !== null && input.modelId !== loaded)) {
      const text = (system.text ? `[system]\n${system.text}\n\n` : '') + `[user]\n${user.text}`;
      return { text, tokenCount: null, missingVariables: missing, note: 'Load the model to see its chat template and token count.' };
    }
    const r = await this.engine.render(system.text, user.text);
    return { text: r.text, tokenCount: r.tokenCount, missingVariables: missing, note: null };
  }

  /** The profile that started an active run (null once it finished, or without a guard). */
  ownerOf(runId: string): string | null {
    return this.owners.get(runId) ?? null;
  }

  start(req: StartRun): { runId: string } {
    const target: RunTarget = req.target ?? { kind: 'local', modelId: req.modelId as string };
    const system = substituteVariables(req.systemPrompt, req.variables);
    const user = substituteVariables(req.userMessage, req.variables);
    if (user.text.trim() === '') throw new CoreError('BAD_INPUT', 'userMessage: the user message is empty');

    let modelName: string;
    let modelId: string | null = null;
    let adapters: AdapterSpec[] = [];
    if (target.kind === 'local') {
      const model = this.models.get(target.modelId);
      if (this.engine.loadedModelId !== model.id) {
        throw new CoreError('CONFLICT', `${model.fileName} is not loaded; load it before running.`);
      }
      modelName = model.metadata.name ?? model.fileName;
      modelId = model.id;
      const uses = target.adapters ?? [];
      if (uses.length > 0) {
        if (!this.adapters) throw new CoreError('INTERNAL', 'Adapters are not available');
        const resolved = this.adapters.resolveUses(uses);
        const refusal = this.adapters.knownRefusal(uses, model.id);
        if (refusal) throw refusal;
        adapters = resolved.map(({ path, scale }) => ({ path, scale }));
        modelName = [modelName, ...resolved.map((r) => r.label)].join(' + ');
      }
    } else {
      if (!this.remote) throw new CoreError('INTERNAL', 'Remote targets are not available');
      modelName = this.remote.displayName(target.targetId, target.model);
    }

    const promptVersionId = req.promptVersionId ?? null;
    // Throws BLOCKED (audited) before anything is stored when the target's PII policy refuses the prompt.
    const prep = this.guard?.prepareRun({ path: req.source ?? 'playground', target, systemText: system.text, userText: user.text, params: req.params, promptVersionId }) ?? null;
    const sentSystem = prep ? prep.sentSystem : system.text;
    const sentUser = prep ? prep.sentUser : user.text;

    const runId = req.runId ?? ulid();
    if (req.runId !== undefined && (this.active.has(runId) || this.repo.get(runId))) throw new CoreError('CONFLICT', `runId: a run with id ${runId} already exists`);
    this.repo.insert({
      id: runId,
      source: req.source ?? 'playground',
      target,
      modelId,
      modelName,
      systemPrompt: req.systemPrompt,
      userMessage: req.userMessage,
      variables: req.variables,
      params: req.params,
      loadSettings: target.kind === 'local' ? this.engine.status.settings : null,
      jsonSchema: req.jsonSchema,
      startedAt: Date.now(),
      guard: prep?.guard ?? null,
      promptVersionId,
    });
    const a = newActive(prep);
    this.active.set(runId, a);
    if (prep) this.owners.set(runId, prep.actor.id);
    try {
      if (target.kind === 'local') {
        const uses = target.adapters ?? [];
        const send = () => this.startLocal(runId, a, sentSystem, sentUser, req, adapters);
        if (uses.length === 0) send();
        else {
          // The files are checked against the model before llama.cpp sees them (once per pair; later runs
          // find the verdict cached and were refused above).
          // A cancel while the files are read ends the run before the engine sees it.
          const checking = new AbortController();
          a.abort = checking;
          void (this.adapters as RunAdapters)
            .assertCompatible(uses, target.modelId)
            .then(() => {
              a.abort = null;
              if (checking.signal.aborted) throw new CoreError('CONFLICT', 'cancelled');
              send();
            })
            .catch((e: unknown) => {
              if (this.active.get(runId) !== a) return;
              const cancelled = checking.signal.aborted;
              this.complete(runId, a, { output: '', renderedPrompt: null, stopReason: cancelled ? 'abort' : 'error', error: cancelled ? null : (e as Error).message, promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null, finishedAt: Date.now() });
            });
        }
      }
      else this.startRemote(runId, a, target, sentSystem, sentUser, req);
    } catch (e) {
      // Never leave a stored run 'running' that nothing will finish.
      this.complete(runId, a, { output: '', renderedPrompt: null, stopReason: 'error', error: (e as Error).message, promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null, finishedAt: Date.now() });
      throw e;
    }
    return { runId };
  }

  /**
   * Starts an API-originated run (source 'api') on the loaded local model. It is stored and announced like
   * any run; onDelta gets the worker's batched text as it arrives, for the server's own stream.
   */
  startApi(req: ApiRunRequest, onDelta?: (text: string, tokens: number) => void): { runId: string; done: Promise<ApiRunOutcome> } {
    const modelId = this.engine.loadedModelId;
    if (!modelId) throw new CoreError('CONFLICT', 'No model is loaded; load one first.');
    const model = this.models.get(modelId);
    const target: RunTarget = { kind: 'local', modelId };
    const prep = this.guard?.prepareRun({ path: 'api', target, systemText: req.systemPrompt, userText: req.userMessage, params: req.params, promptVersionId: null }) ?? null;
    const mask = (t: string) => (prep?.masker ? prep.masker.mask(t).text : t);
    const runId = ulid();
    this.repo.insert({
      id: runId,
      source: 'api',
      target: { kind: 'local', modelId },
      modelId,
      modelName: model.metadata.name ?? model.fileName,
      systemPrompt: req.systemPrompt,
      userMessage: req.userMessage,
      variables: {},
      params: req.params,
      loadSettings: this.engine.status.settings,
      jsonSchema: req.jsonSchema,
      startedAt: Date.now(),
      guard: prep?.guard ?? null,
    });
    const a = newActive(prep);
    if (onDelta) a.release = (text) => onDelta(text, 0);
    this.active.set(runId, a);
    if (prep) this.owners.set(runId, prep.actor.id);
    const chunkTimes: number[] = [];
    let badInput = false;
    try {
      this.engine.startRun(
        {
          runId,
          systemPrompt: prep ? prep.sentSystem : req.systemPrompt,
          userMessage: prep ? prep.sentUser : req.userMessage,
          params: req.params,
          jsonSchema: req.jsonSchema,
          messages: req.messages && prep?.masker ? req.messages.map((m) => ({ ...m, content: mask(m.content) })) : req.messages,
          completionPrompt: req.completionPrompt !== null ? mask(req.completionPrompt) : null,
          jsonObject: req.jsonObject,
          ...(req.ignoreEos ? { ignoreEos: true } : {}),
        },
        {
          onChunk: (text, tokens) => {
            chunkTimes.push(performance.now());
            const shown = this.onChunk(runId, a, text, tokens);
            if (shown) onDelta?.(shown, tokens);
          },
          onDone: (result: WorkerRunResult) => {
            badInput = result.badInput === true;
            const end = performance.now();
            const crashed = result.stopReason === 'crash';
            const completionTokens = crashed ? a.tokens : result.completionTokens;
            const m = latencyMetrics({ startMs: a.startedAt, chunkTimesMs: chunkTimes, outputTokens: completionTokens, endMs: end });
            const decodeTokens = result.completionTokens - a.firstChunkTokens;
            const decodeMs = a.firstChunkAt !== null && a.lastChunkAt !== null ? a.lastChunkAt - a.firstChunkAt : 0;
            this.complete(runId, a, {
              output: crashed ? a.output : result.output,
              renderedPrompt: result.renderedPrompt,
              stopReason: result.stopReason,
              error: result.error,
              promptTokens: result.promptTokens,
              completionTokens,
              ttftMs: m.ttftMs,
              decodeTokPerSec: result.decodeTokPerSec ?? (decodeTokens > 0 && decodeMs > 0 ? (decodeTokens * 1000) / decodeMs : null),
              tpotMs: m.tpotMs,
              itlMeanMs: meanOrNull(m.itlMs),
              e2eMs: m.e2eMs,
              chunkTimesMs: chunkTimes.map((t) => t - a.startedAt),
              finishedAt: Date.now(),
            });
          },
        },
      );
    } catch (e) {
      this.complete(runId, a, { output: '', renderedPrompt: null, stopReason: 'error', error: (e as Error).message, promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null, finishedAt: Date.now() });
      throw e;
    }
    return { runId, done: a.done.then((record) => ({ record, badInput })) };
  }

  /** Returns the text as shown (unmasked). */
  private onChunk(runId: string, a: Active, delta: string, tokens: number): string {
    const now = performance.now();
    // Placeholders in a masked run's reply are put back here, on this machine, before anyone sees the text.
    const text = a.prep?.unmasker ? a.prep.unmasker.push(delta) : delta;
    a.output += text;
    a.tokens += tokens;
    a.lastChunkAt = now;
    if (this.withheld(runId, a, text)) {
      a.firstChunkAt ??= now;
      if (a.firstChunkTokens === 0) a.firstChunkTokens = tokens;
      return '';
    }
    if (a.firstChunkAt === null) {
      a.firstChunkAt = now;
      a.firstChunkTokens = tokens;
      this.emit('chunk', { runId, text, tokens });
      return text;
    }
    a.pendingText += text;
    a.pendingTokens += tokens;
    a.timer ??= setTimeout(() => this.flush(runId, a), FLUSH_MS);
    return text;
  }

  /** True when this text must not be shown (yet): output rules that block are checked before anyone sees it. */
  private withheld(runId: string, a: Active, text: string): boolean {
    const gate = a.prep?.gate ?? 'open';
    if (gate === 'open') return false;
    if (a.suppressed) return true;
    if (gate === 'hold') {
      a.held += text;
      return true;
    }
    if (this.guard?.blocksSoFar(a.output)) {
      a.suppressed = true;
      a.pendingText = '';
      this.cancel(runId);
      return true;
    }
    return false;
  }

  private complete(runId: string, a: Active, ended: RunOutcome): RunRecord {
    let outcome = ended;
    const received = ended.output;
    const p = a.prep;
    if (p && this.guard) {
      const rest = p.unmasker?.end() ?? '';
      if (rest) {
        a.output += rest;
        if (p.gate === 'hold') a.held += rest;
        else if (!a.suppressed) a.pendingText += rest;
      }
      const { output, check } = this.guard.finishOutput(p, received);
      outcome = { ...outcome, output, guard: { ...p.guard, output: check } };
      if (check.decision === 'block') {
        outcome = { ...outcome, output: '', stopReason: 'blocked', error: `Blocked by output policy: ${check.reasons.join('; ')}` };
        a.pendingText = '';
      } else if (p.gate === 'hold') {
        // Passed: shown now, whole (and sent to an API stream that waited for it).
        a.pendingText += a.held;
        a.release?.(a.held);
      }
    }
    this.flush(runId, a);
    this.active.delete(runId);
    const store = (): RunRecord => {
      const record = this.repo.finish(runId, outcome);
      if (p && this.guard) {
        try {
          this.guard.recordRun(p, record, received);
        } catch (e) {
          // The run itself is stored; a failed audit write is reported, never silently dropped.
          console.error(`audit: could not record run ${runId}: ${(e as Error).message}`);
        }
      }
      return record;
    };
    // One transaction: a crash between storing the run and its audit record left a run no record showed.
    const record = this.guard ? this.guard.together(store) : store();
    this.emit('finished', record);
    this.owners.delete(runId);
    a.finish(record);
    return record;
  }

  private startLocal(runId: string, a: Active, systemText: string, userText: string, req: StartRun, adapters: AdapterSpec[]): void {
    // Raw arrival times, so benchmarks derive TPOT/ITL/E2E for local runs as they do for remote ones.
    const chunkTimes: number[] = [];
    this.engine.startRun(
      { runId, systemPrompt: systemText, userMessage: userText, params: req.params, jsonSchema: req.jsonSchema, ...(adapters.length > 0 ? { adapters } : {}) },
      {
        onChunk: (text, tokens) => {
          chunkTimes.push(performance.now());
          this.onChunk(runId, a, text, tokens);
        },
        onDone: (result: WorkerRunResult) => {
          const end = performance.now();
          const decodeTokens = result.completionTokens - a.firstChunkTokens;
          const decodeMs = a.firstChunkAt !== null && a.lastChunkAt !== null ? a.lastChunkAt - a.firstChunkAt : 0;
          const crashed = result.stopReason === 'crash';
          const m = latencyMetrics({ startMs: a.startedAt, chunkTimesMs: chunkTimes, outputTokens: crashed ? a.tokens : result.completionTokens, endMs: end });
          this.complete(runId, a, {
            tpotMs: m.tpotMs,
            itlMeanMs: meanOrNull(m.itlMs),
            e2eMs: m.e2eMs,
            chunkTimesMs: chunkTimes.map((t) => t - a.startedAt),
            // A crashed worker cannot send its text; what already streamed here is kept.
            output: crashed ? a.output : result.output,
            renderedPrompt: result.renderedPrompt,
            stopReason: result.stopReason,
            error: result.error,
            promptTokens: result.promptTokens,
            completionTokens: crashed ? a.tokens : result.completionTokens,
            ttftMs: a.firstChunkAt !== null ? a.firstChunkAt - a.startedAt : null,
            decodeTokPerSec: result.decodeTokPerSec ?? (decodeTokens > 0 && decodeMs > 0 ? (decodeTokens * 1000) / decodeMs : null),
            finishedAt: Date.now(),
          });
        },
      },
    );
  }

  private startRemote(
    runId: string,
    a: Active,
    target: Extract<RunTarget, { kind: 'remote' }>,
    systemText: string,
    userText: string,
    req: StartRun,
  ): void {
    const runner = this.remote as RemoteRunner;
    a.abort = new AbortController();
    void runner
      .run(target.targetId, target.model, { systemPrompt: systemText, userMessage: userText, params: req.params, jsonSchema: req.jsonSchema }, a.abort.signal, (text) =>
        this.onChunk(runId, a, text, 1),
      )
      .then((r) => {
        const outputTokens = r.completionTokens ?? r.contentTimesMs.length;
        const m = latencyMetrics({ startMs: r.startMs, chunkTimesMs: r.chunkTimesMs, outputTokens, endMs: r.endMs });
        const itlMean = meanOrNull(m.itlMs);
        const decodeMs = r.contentTimesMs.length > 1 ? (r.contentTimesMs.at(-1) as number) - (r.contentTimesMs[0] as number) : 0;
        this.complete(runId, a, {
          output: r.text || a.output,
          renderedPrompt: null,
          stopReason: r.stopReason,
          error: r.error,
          promptTokens: r.promptTokens,
          completionTokens: outputTokens,
          ttftMs: m.ttftMs,
          decodeTokPerSec: decodeMs > 0 && outputTokens > 1 ? ((outputTokens - 1) * 1000) / decodeMs : null,
          tpotMs: m.tpotMs,
          itlMeanMs: itlMean,
          e2eMs: m.e2eMs,
          chunkTimesMs: r.chunkTimesMs.map((t) => t - r.startMs),
          attempts: r.attempts,
          finishedAt: Date.now(),
        });
      })
      .catch((e: unknown) => {
        this.complete(runId, a, {
          output: a.output,
          renderedPrompt: null,
          stopReason: a.abort?.signal.aborted ? 'abort' : 'error',
          error: a.abort?.signal.aborted ? null : (e as Error).message,
          promptTokens: null,
          completionTokens: a.tokens,
          ttftMs: a.firstChunkAt !== null ? a.firstChunkAt - a.startedAt : null,
          decodeTokPerSec: null,
          finishedAt: Date.now(),
        });
      });
  }

  private flush(runId: string, a: Active): void {
    if (a.timer) clearTimeout(a.timer);
    a.timer = null;
    if (a.pendingText === '' && a.pendingTokens === 0) return;
    this.emit('chunk', { runId, text: a.pendingText, tokens: a.pendingTokens });
    a.pendingText = '';
    a.pendingTokens = 0;
  }

  cancel(runId: string): boolean {
    const a = this.active.get(runId);
    if (!a) return false;
    if (a.abort) {
      a.abort.abort();
      return true;
    }
    return this.engine.cancelRun(runId);
  }

  /** Resolves with the stored record when the run ends (CLI, tests, benchmarks). */
  wait(runId: string): Promise<RunRecord> {
    const a = this.active.get(runId);
    if (a) return a.done;
    const r = this.repo.get(runId);
    if (!r) return Promise.reject(new CoreError('NOT_FOUND', `No run with id ${runId}`));
    return Promise.resolve(r);
  }

  get(runId: string): RunRecord {
    const r = this.repo.get(runId);
    if (!r) throw new CoreError('NOT_FOUND', `No run with id ${runId}`);
    return r;
  }

  list(limit: number, before?: number) {
    return this.repo.list(limit, before);
  }

  /** Aborts remote runs in flight (local ones end with the worker). */
  close(): void {
    for (const a of this.active.values()) a.abort?.abort();
  }
}
