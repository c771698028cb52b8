// A run: a prompt sent to the loaded local model or to a remote target, streamed back in batched deltas,
// stored with its metrics. Start → the guard's gate (what is sent) → stored as running → each chunk through
// the run's ActiveRun → the end through the gate → stored with its audit record, in one transaction.
import { EventEmitter } from 'node:events';
import type { RunChunk } from '../../shared/runs.schema';
import { ulid } from '../../shared/ids';
import type { RenderedPrompt, RunRecord, RunTarget } from '../../shared/runs.schema';
import { substituteVariables } from '../../shared/template';
import type { EngineService } from '../engine/engine.service';
import type { AdapterSpec, WorkerRunResult } from '../engine/protocol';
import { CoreError } from '../errors';
import type { GuardService } from '../guard/guard.service';
import type { RunGate } from '../guard/runGate';
import type { ModelsService } from '../models/models.service';
import { ActiveRun } from './activeRun';
import { assertImagesFilled, assertImagesStored, imageLayout, prepareParts, renderImageParts, type ImagePart, type PreparedParts } from './imageRun';
import { failedOutcome, remoteOutcome } from './runOutcome';
import type { ApiRunOutcome, ApiRunRequest, RemoteRunner, RunAdapters, RunImageStore, StartRun, VisionEndpoints } from './runPorts';
import type { NewRun, RunOutcome, RunsRepo } from './runs.repo';
import type { ImageGuardService } from '../imageGuard/imageGuard.service';
import { runOnVisionEngine, visionImageTokens, type VisionEndpoint } from './visionRun';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';

export type { ApiRunOutcome, ApiRunRequest, ImageSupport, RemoteRunner, RemoteRunResult, RunAdapters, RunImageStore, StartRun, VisionEndpoints } from './runPorts';

/** Where a run with images goes: a remote target's model, or the vision engine's endpoint for a local model. */
type ImageRoute = { kind: 'remote'; targetId: string; model: string } | { kind: 'vision'; endpoint: VisionEndpoint };

export interface RunsEvents {
  chunk: [RunChunk];
  finished: [RunRecord];
}

export interface RunsDeps {
  repo: RunsRepo;
  models: ModelsService;
  engine: EngineService;
  /** Every run passes the guard: PII policy before sending, output rules and the audit record after. */
  guard: GuardService;
  remote: RemoteRunner;
  adapters: RunAdapters;
  /** The image store (prepares what is sent); without it a run with images is refused. */
  images?: RunImageStore | null;
  /** The vision engine, for local runs with images. */
  vision?: VisionEndpoints | null;
  /** The image guard: images are prepared through it (allow, block or redact per target). */
  imageGuard?: Pick<ImageGuardService, 'storeFor'> | null;
}

export class RunsService extends EventEmitter<RunsEvents> {
  private readonly active = new Map<string, ActiveRun>();
  /** Who started each active run, until its 'finished' event is out: events about a run reach its owner. */
  private readonly owners = new Map<string, string>();
  private readonly repo: RunsRepo;
  private readonly engine: EngineService;

  constructor(private readonly deps: RunsDeps) {
    super();
    this.repo = deps.repo;
    this.engine = deps.engine;
    // Runs a previous process left running are over; each gets its audit record, in the same transaction.
    const now = Date.now();
    for (const id of this.repo.runningIds()) {
      deps.guard.together(() => {
        const r = this.repo.interrupt(id, now);
        if (r) deps.guard.recordInterrupted(r);
      });
    }
  }

  async render(input: { modelId: string | null; systemPrompt: string; userMessage: string; variables: Record<string, string> } & Pick<StartRun, 'images' | 'imageVariables'> & {
    target?: StartRun['target'];
  }): Promise<RenderedPrompt> {
    const system = substituteVariables(input.systemPrompt, input.variables);
    const user = substituteVariables(input.userMessage, input.variables);
    const missing = [...new Set([...system.missing, ...user.missing])];
    const layout = imageLayout(input, user.text);
    const t = input.target;
    const maxPixels = t?.kind === 'remote' ? this.deps.remote.imageSupport(t.targetId, t.model).maxPixels : DEFAULT_MAX_IMAGE_PIXELS;
    const localId = t ? (t.kind === 'local' ? t.modelId : null) : input.modelId;
    const projector = localId ? this.deps.vision?.endpoint(localId)?.imageTokens : undefined;
    const images = await renderImageParts(layout.parts, layout.missing, this.deps.images ?? null, maxPixels, projector);
    const loaded = this.engine.loadedModelId;
    if (!loaded || (input.modelId !== null && input.modelId !== loaded)) {
      const text = (system.text ? `[system]\n${system.text}\n\n` : '') + `[user]\n${user.text}`;
      return { text, tokenCount: null, missingVariables: missing, note: 'Load the model to see its chat template and token count.', ...images };
    }
    const r = await this.engine.render(system.text, user.text);
    const tokenCount = images.imageTokens === undefined ? r.tokenCount : images.imageTokens === null ? null : r.tokenCount + images.imageTokens;
    return { text: r.text, tokenCount, missingVariables: missing, note: null, ...images };
  }

  /**
   * Before a run with images on a remote target whose setting is 'auto': asks its server now when nothing is
   * recorded for the model, so start() can decide (it never sends an image the target may drop).
   */
  async detectImages(req: Pick<StartRun, 'target' | 'images' | 'imageVariables'>): Promise<void> {
    const t = req.target;
    const some = (req.images?.length ?? 0) > 0 || Object.keys(req.imageVariables ?? {}).length > 0;
    if (t?.kind === 'remote' && some) await this.deps.remote.detectImages(t.targetId, t.model);
  }

  /** The profile that started an active run (null once it finished). */
  ownerOf(runId: string): string | null {
    return this.owners.get(runId) ?? null;
  }

  start(req: StartRun): { runId: string } {
    const target: RunTarget = req.target ?? { kind: 'local', modelId: req.modelId as string };
    const system = substituteVariables(req.systemPrompt, req.variables);
    const user = substituteVariables(req.userMessage, req.variables);
    const layout = imageLayout(req, user.text);
    if (user.text.trim() === '' && layout.count === 0) throw new CoreError('BAD_INPUT', 'userMessage: the user message is empty');
    assertImagesFilled(layout.missing);
    assertImagesStored(layout.parts, this.deps.images ?? null);
    const withImages = layout.count > 0;
    const { modelName, modelId, adapters } = withImages ? this.resolveImageTarget(target) : this.resolveTarget(target);
    // Known before anything is stored or sent; compare records it as its column's failed run instead.
    const route = withImages ? this.imageRoute(target, modelName) : null;
    if (route && 'refusal' in route && !req.refusalAsRun) throw new CoreError('CONFLICT', route.refusal);

    const promptVersionId = req.promptVersionId ?? null;
    // Throws BLOCKED (audited) before anything is stored when the target's PII policy refuses the prompt.
    const gate = this.deps.guard.openRun({ path: req.source ?? 'playground', target, systemText: system.text, userText: user.text, params: req.params, promptVersionId });
    const runId = req.runId ?? ulid();
    if (req.runId !== undefined && (this.active.has(runId) || this.repo.get(runId))) throw new CoreError('CONFLICT', `runId: a run with id ${runId} already exists`);
    const a = this.open(runId, gate, {
      source: req.source ?? 'playground',
      target,
      modelId,
      modelName,
      systemPrompt: req.systemPrompt,
      userMessage: req.userMessage,
      variables: req.variables,
      params: req.params,
      // An image run on the vision engine does not use node-llama-cpp's settings.
      loadSettings: target.kind === 'local' && !withImages ? this.engine.status.settings : null,
      jsonSchema: req.jsonSchema,
      promptVersionId,
    });
    if (route && 'refusal' in route) {
      this.complete(a, failedOutcome('error', route.refusal));
      return { runId };
    }
    try {
      if (route) this.startWithImages(a, route.route, route.maxPixels, req);
      else if (target.kind === 'remote') this.startRemote(a, target, req);
      else if ((target.adapters ?? []).length === 0) this.startLocal(a, req, adapters);
      else this.startLocalAfterCheck(a, target, req, adapters);
    } catch (e) {
      // Never leave a stored run 'running' that nothing will finish.
      this.complete(a, failedOutcome('error', (e as Error).message));
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
    const model = this.deps.models.get(modelId);
    const target: RunTarget = { kind: 'local', modelId };
    const gate = this.deps.guard.openRun({ path: 'api', target, systemText: req.systemPrompt, userText: req.userMessage, params: req.params, promptVersionId: null });
    const runId = ulid();
    const a = this.open(runId, gate, {
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
    });
    if (onDelta) a.release = (text) => onDelta(text, 0);
    let badInput = false;
    try {
      this.engine.startRun(
        {
          runId,
          systemPrompt: gate.sentSystem,
          userMessage: gate.sentUser,
          params: req.params,
          jsonSchema: req.jsonSchema,
          messages: req.messages && gate.masks ? req.messages.map((m) => ({ ...m, content: gate.mask(m.content) })) : req.messages,
          completionPrompt: req.completionPrompt !== null ? gate.mask(req.completionPrompt) : null,
          jsonObject: req.jsonObject,
          ...(req.ignoreEos ? { ignoreEos: true } : {}),
        },
        {
          onChunk: (text, tokens) => {
            const shown = a.push(text, tokens);
            if (shown) onDelta?.(shown, tokens);
          },
          onDone: (result: WorkerRunResult) => {
            badInput = result.badInput === true;
            this.complete(a, a.localOutcome(result));
          },
        },
      );
    } catch (e) {
      this.complete(a, failedOutcome('error', (e as Error).message));
      throw e;
    }
    return { runId, done: a.done.then((record) => ({ record, badInput })) };
  }

  /** The name history shows, and for a local target the model and its adapters' files (refusals known so far throw). */
  private resolveTarget(target: RunTarget): { modelName: string; modelId: string | null; adapters: AdapterSpec[] } {
    if (target.kind === 'remote') return { modelName: this.deps.remote.displayName(target.targetId, target.model), modelId: null, adapters: [] };
    const model = this.deps.models.get(target.modelId);
    if (this.engine.loadedModelId !== model.id) {
      throw new CoreError('CONFLICT', `${model.fileName} is not loaded; load it before running.`);
    }
    const name = model.metadata.name ?? model.fileName;
    const uses = target.adapters ?? [];
    if (uses.length === 0) return { modelName: name, modelId: model.id, adapters: [] };
    const resolved = this.deps.adapters.resolveUses(uses);
    const refusal = this.deps.adapters.knownRefusal(uses, model.id);
    if (refusal) throw refusal;
    return { modelName: [name, ...resolved.map((r) => r.label)].join(' + '), modelId: model.id, adapters: resolved.map(({ path, scale }) => ({ path, scale })) };
  }

  /** Stores the run as running and makes its streaming state. */
  private open(runId: string, gate: RunGate, row: Omit<NewRun, 'id' | 'startedAt' | 'guard'>): ActiveRun {
    this.repo.insert({ id: runId, ...row, startedAt: Date.now(), guard: gate.stored, profileId: gate.actor.id });
    const a = new ActiveRun(runId, gate, { chunk: (c) => this.emit('chunk', c), stop: () => this.cancel(runId) });
    this.active.set(runId, a);
    this.owners.set(runId, gate.actor.id);
    return a;
  }

  private complete(a: ActiveRun, ended: RunOutcome): RunRecord {
    const { outcome, received } = a.settle(ended);
    this.active.delete(a.runId);
    const record = a.gate.commit(() => this.repo.finish(a.runId, outcome), received);
    this.emit('finished', record);
    this.owners.delete(a.runId);
    a.resolve(record);
    return record;
  }

  private startLocal(a: ActiveRun, req: StartRun, adapters: AdapterSpec[]): void {
    this.engine.startRun(
      { runId: a.runId, systemPrompt: a.gate.sentSystem, userMessage: a.gate.sentUser, params: req.params, jsonSchema: req.jsonSchema, ...(adapters.length > 0 ? { adapters } : {}) },
      {
        onChunk: (text, tokens) => void a.push(text, tokens),
        onDone: (result: WorkerRunResult) => void this.complete(a, a.localOutcome(result)),
      },
    );
  }

  /**
   * The adapter files are checked against the model before llama.cpp sees them (once per pair; later runs
   * find the verdict cached and were refused at start). A cancel while the files are read ends the run
   * before the engine sees it.
   */
  private startLocalAfterCheck(a: ActiveRun, target: Extract<RunTarget, { kind: 'local' }>, req: StartRun, adapters: AdapterSpec[]): void {
    const checking = new AbortController();
    a.abort = checking;
    void this.deps.adapters
      .assertCompatible(target.adapters ?? [], target.modelId)
      .then(() => {
        a.abort = null;
        if (checking.signal.aborted) throw new CoreError('CONFLICT', 'cancelled');
        this.startLocal(a, req, adapters);
      })
      .catch((e: unknown) => {
        if (this.active.get(a.runId) !== a) return;
        const cancelled = checking.signal.aborted;
        this.complete(a, failedOutcome(cancelled ? 'abort' : 'error', cancelled ? null : (e as Error).message));
      });
  }

  private startRemote(a: ActiveRun, target: Extract<RunTarget, { kind: 'remote' }>, req: StartRun): void {
    const abort = new AbortController();
    a.abort = abort;
    const sent = { systemPrompt: a.gate.sentSystem, userMessage: a.gate.sentUser, params: req.params, jsonSchema: req.jsonSchema };
    void this.deps.remote
      .run(target.targetId, target.model, sent, abort.signal, (text) => void a.push(text, 1))
      .then((r) => this.complete(a, remoteOutcome(r, a.output)))
      .catch((e: unknown) => {
        const aborted = abort.signal.aborted;
        this.complete(a, { ...failedOutcome(aborted ? 'abort' : 'error', aborted ? null : (e as Error).message), output: a.output, completionTokens: a.tokens, ttftMs: a.ttftMs });
      });
  }

  /** Like resolveTarget, for a run with images: a local model runs on the vision engine, not node-llama-cpp. */
  private resolveImageTarget(target: RunTarget): { modelName: string; modelId: string | null; adapters: AdapterSpec[] } {
    if (target.kind === 'remote') return this.resolveTarget(target);
    if ((target.adapters ?? []).length > 0) throw new CoreError('CONFLICT', 'adapters: LoRA adapters are not available on the vision engine; run images without adapters');
    const model = this.deps.models.get(target.modelId);
    return { modelName: model.metadata.name ?? model.fileName, modelId: model.id, adapters: [] };
  }

  /** Where a run with images goes and under which pixel budget, or why it cannot go anywhere. */
  private imageRoute(target: RunTarget, modelName: string): { route: ImageRoute; maxPixels: number } | { refusal: string } {
    if (target.kind === 'remote') {
      const s = this.deps.remote.imageSupport(target.targetId, target.model);
      if (!s.accepts) return { refusal: s.refusal ?? 'this target does not accept images' };
      return { route: { kind: 'remote', targetId: target.targetId, model: target.model }, maxPixels: s.maxPixels };
    }
    const endpoint = this.deps.vision?.endpoint(target.modelId) ?? null;
    if (!endpoint) return { refusal: `load ${modelName} with its projector for images (Models → Vision)` };
    return { route: { kind: 'vision', endpoint }, maxPixels: DEFAULT_MAX_IMAGE_PIXELS };
  }

  /**
   * Prepares the images (the masked text split at its image variables), then sends text and image parts.
   * The clock of TTFT starts when the request is sent, after preparation (stored apart as imagePrepareMs).
   */
  private startWithImages(a: ActiveRun, route: ImageRoute, maxPixels: number, req: StartRun): void {
    const abort = new AbortController();
    a.abort = abort;
    const store = this.deps.images as RunImageStore;
    let prepared: PreparedParts | null = null;
    const imageFields = (imageTokens: number | null = null, imageEncodeMs: number | null = null) =>
      prepared ? { images: prepared.images, imagePrepareMs: prepared.prepareMs, imageTokens, imageEncodeMs } : {};
    const run = async () => {
      const parts: ImagePart[] = imageLayout(req, a.gate.sentUser).parts;
      const guarded = this.deps.imageGuard?.storeFor(route.kind === 'remote' ? { kind: 'remote', targetId: route.targetId } : { kind: 'local' }) ?? null;
      prepared = await prepareParts(parts, guarded ?? store, maxPixels);
      a.gate.sentImages(guarded ? guarded.audit() : prepared.images);
      if (abort.signal.aborted) throw new CoreError('CONFLICT', 'cancelled');
      const sent = { systemPrompt: a.gate.sentSystem, userMessage: a.gate.sentUser, userParts: prepared.parts, params: req.params, jsonSchema: req.jsonSchema };
      const onDelta = (text: string) => void a.push(text, 1);
      if (route.kind === 'remote') {
        const r = await this.deps.remote.run(route.targetId, route.model, sent, abort.signal, onDelta);
        return this.complete(a, { ...remoteOutcome(r, a.output), ...imageFields(null) });
      }
      const r = await runOnVisionEngine(route.endpoint, sent, abort.signal, onDelta);
      const imageTokens = await visionImageTokens(route.endpoint, sent, r.promptTokens);
      return this.complete(a, { ...remoteOutcome(r, a.output), ...imageFields(imageTokens, r.imageEncodeMs) });
    };
    void run().catch((e: unknown) => {
      if (this.active.get(a.runId) !== a) return;
      const aborted = abort.signal.aborted;
      const failed = failedOutcome(aborted ? 'abort' : 'error', aborted ? null : (e as Error).message);
      this.complete(a, { ...failed, output: a.output, completionTokens: a.tokens, ttftMs: a.ttftMs, ...imageFields(null) });
    });
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
