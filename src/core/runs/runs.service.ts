// A run: a prompt sent to the loaded model, streamed back in batched deltas, stored with its metrics.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { RunChunk } from '../../shared/contract';
import { ulid } from '../../shared/ids';
import type { RenderedPrompt, RunRecord, RunRequest } from '../../shared/schemas';
import { substituteVariables } from '../../shared/template';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { RunsRepo } from './runs.repo';

export interface RunsEvents {
  chunk: [RunChunk];
  finished: [RunRecord];
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
  done: Promise<RunRecord>;
}

export class RunsService extends EventEmitter<RunsEvents> {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly repo: RunsRepo,
    private readonly models: ModelsService,
    private readonly engine: EngineService,
  ) {
    super();
    repo.markInterrupted(Date.now());
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

  start(req: RunRequest): { runId: string } {
    const model = this.models.get(req.modelId);
    if (this.engine.loadedModelId !== model.id) {
      throw new CoreError('CONFLICT', `${model.fileName} is not loaded; load it before running.`);
    }
    const system = substituteVariables(req.systemPrompt, req.variables);
    const user = substituteVariables(req.userMessage, req.variables);
    if (user.text.trim() === '') throw new CoreError('BAD_INPUT', 'userMessage: the user message is empty');
    const runId = ulid();
    const startedAt = Date.now();
    this.repo.insert({
      id: runId,
      modelId: model.id,
      modelName: model.metadata.name ?? model.fileName,
      systemPrompt: req.systemPrompt,
      userMessage: req.userMessage,
      variables: req.variables,
      params: req.params,
      loadSettings: this.engine.status.settings,
      jsonSchema: req.jsonSchema,
      startedAt,
    });
    let finish!: (r: RunRecord) => void;
    const a: Active = {
      output: '',
      pendingText: '',
      pendingTokens: 0,
      timer: null,
      startedAt: performance.now(),
      firstChunkAt: null,
      lastChunkAt: null,
      firstChunkTokens: 0,
      tokens: 0,
      done: new Promise<RunRecord>((r) => (finish = r)),
    };
    this.active.set(runId, a);
    try {
      this.startInEngine(runId, a, system.text, user.text, req, finish);
    } catch (e) {
      // Never leave a stored run 'running' that nothing will finish.
      this.active.delete(runId);
      this.repo.finish(runId, { output: '', renderedPrompt: null, stopReason: 'error', error: (e as Error).message, promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null, finishedAt: Date.now() });
      throw e;
    }
    return { runId };
  }

  private startInEngine(runId: string, a: Active, systemText: string, userText: string, req: RunRequest, finish: (r: RunRecord) => void): void {
    this.engine.startRun(
      { runId, systemPrompt: systemText, userMessage: userText, params: req.params, jsonSchema: req.jsonSchema },
      {
        onChunk: (text, tokens) => {
          const now = performance.now();
          a.output += text;
          a.tokens += tokens;
          a.lastChunkAt = now;
          if (a.firstChunkAt === null) {
            a.firstChunkAt = now;
            a.firstChunkTokens = tokens;
            this.emit('chunk', { runId, text, tokens });
            return;
          }
          a.pendingText += text;
          a.pendingTokens += tokens;
          a.timer ??= setTimeout(() => this.flush(runId, a), FLUSH_MS);
        },
        onDone: (result) => {
          this.flush(runId, a);
          this.active.delete(runId);
          const decodeTokens = result.completionTokens - a.firstChunkTokens;
          const decodeMs = a.firstChunkAt !== null && a.lastChunkAt !== null ? a.lastChunkAt - a.firstChunkAt : 0;
          const record = this.repo.finish(runId, {
            // A crashed worker cannot send its text; what already streamed here is kept.
            output: result.stopReason === 'crash' ? a.output : result.output,
            renderedPrompt: result.renderedPrompt,
            stopReason: result.stopReason,
            error: result.error,
            promptTokens: result.promptTokens,
            completionTokens: result.stopReason === 'crash' ? a.tokens : result.completionTokens,
            ttftMs: a.firstChunkAt !== null ? a.firstChunkAt - a.startedAt : null,
            decodeTokPerSec: result.decodeTokPerSec ?? (decodeTokens > 0 && decodeMs > 0 ? (decodeTokens * 1000) / decodeMs : null),
            finishedAt: Date.now(),
          });
          this.emit('finished', record);
          finish(record);
        },
      },
    );
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
    if (!this.active.has(runId)) return false;
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
}
