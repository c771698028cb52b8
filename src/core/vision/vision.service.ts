// The vision engine: llama.cpp's llama-server run as a managed child process with a model and its projector,
// because node-llama-cpp 3.22 cannot pass an image to a model. Its states mirror the text engine's
// (stopped → starting → ready, crashed with the stderr tail and a Restart), and the run path asks endpoint().
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { LoadSettings } from '../../shared/engine.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { ProjectorInfo, ServerBuildStatus, VisionStatus } from '../../shared/vision.schema';
import { CoreError } from '../errors';
import type { ServerBackend } from '../llamaServer/buildServer';
import { checkProjectorPair, estimateImageTokens, findProjectorBeside, readProjectorInfo } from './projector';
import { resolveServerBinary, ServerBinarySetting } from './serverBinary';
import { ServerBuilds } from './serverBuilds';
import type { EncodeWatch } from './encodeTimes';
import { launchVision, type RunningVision } from './visionEngine';

export interface VisionEvents {
  status: [VisionStatus];
  buildProgress: [ServerBuildStatus];
}

export interface VisionDeps {
  models: { get(id: string): ModelInfo; on?(event: 'removed', listener: (modelId: string) => void): unknown };
  dataDir: string;
  /** --server-bin from the CLI. */
  serverBin?: string | null;
  /** Where built servers are cached (tests use a temp folder for builds). */
  cacheDir?: string;
  /** Port picking (tests hand out a port another process holds first). */
  pickPort?: () => Promise<number>;
  env?: NodeJS.ProcessEnv;
}

export interface VisionEndpoint {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Call before sending a request; its done() gives the image encode time (null when it cannot be told). */
  watchEncode: () => EncodeWatch;
  /** Visual tokens the loaded projector spends on a width×height image (null: a type the estimate does not model). */
  imageTokens?: (width: number, height: number) => number | null;
}

interface Loaded {
  model: ModelInfo;
  projector: ProjectorInfo | null;
  settings: LoadSettings;
}

const TAIL_LINES = 20;

export class VisionService extends EventEmitter<VisionEvents> {
  private readonly setting: ServerBinarySetting;
  readonly builds: ServerBuilds;
  private running: RunningVision | null = null;
  private last: Loaded | null = null;
  private stopping = false;
  /** The first look for a binary, so the first vision.status already says which one. */
  private readonly firstLook: Promise<void>;
  private lock: Promise<unknown> = Promise.resolve();
  private st: VisionStatus = {
    state: 'stopped', modelId: null, projector: null, settings: null, binary: null, binarySource: null, binaryError: null,
    baseUrl: null, pid: null, error: null, stderrTail: null, crashCount: 0, startedAt: null,
  };

  constructor(private readonly deps: VisionDeps) {
    super();
    this.setting = new ServerBinarySetting(deps.dataDir);
    this.builds = new ServerBuilds({ cacheDir: deps.cacheDir });
    this.builds.on('progress', (p) => {
      this.emit('buildProgress', p);
      if (p.phase === 'done') void this.refreshBinary();
    });
    this.firstLook = this.refreshBinary();
    // A model removed from the library must not keep a server running (and its file open).
    deps.models.on?.('removed', (modelId) => void this.onModelRemoved(modelId));
  }

  private async onModelRemoved(modelId: string): Promise<void> {
    if (this.last?.model.id === modelId) this.last = null; // nothing to restart any more
    if (this.st.modelId === modelId) await this.unload().catch(() => undefined);
  }

  status(): VisionStatus {
    return this.st;
  }

  /** status() once the binary has been looked for. */
  async currentStatus(): Promise<VisionStatus> {
    await this.firstLook;
    return this.st;
  }

  private set(patch: Partial<VisionStatus>): void {
    this.st = { ...this.st, ...patch };
    this.emit('status', this.st);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** Which binary a load would use now (shown in Settings); a missing one is not an error until a load. */
  private async refreshBinary(): Promise<void> {
    if (this.st.state === 'starting' || this.st.state === 'ready') return;
    try {
      const r = await resolveServerBinary(this.binaryOptions('auto'));
      this.set({ binary: r.binary, binarySource: r.source, binaryError: null });
    } catch (e) {
      this.set({ binary: null, binarySource: null, binaryError: e instanceof Error ? e.message : String(e) });
    }
  }

  private binaryOptions(gpu: string) {
    return { setting: this.setting.get(), flag: this.deps.serverBin ?? null, gpu, env: this.deps.env, cacheDir: this.deps.cacheDir };
  }

  async findProjector(modelId: string): Promise<ProjectorInfo | null> {
    const path = await findProjectorBeside(this.deps.models.get(modelId).path);
    return path ? readProjectorInfo(path) : null;
  }

  projectorInfo(path: string): Promise<ProjectorInfo> {
    return readProjectorInfo(path);
  }

  /**
   * Starts llama-server with the model and projector; a projector that does not fit the model is refused
   * before anything starts. projectorPath null starts a text-only server (lifecycle tests without a projector).
   */
  async load(modelId: string, projectorPath: string | null, settings: LoadSettings): Promise<VisionStatus> {
    const model = this.deps.models.get(modelId);
    let projector: ProjectorInfo | null = null;
    if (projectorPath !== null) {
      projector = await readProjectorInfo(projectorPath);
      checkProjectorPair({ path: model.path, embeddingLength: model.metadata.embeddingLength }, projector);
    }
    return this.serialized(async () => {
      await this.stopChild();
      return this.start({ model, projector, settings });
    });
  }

  unload(): Promise<VisionStatus> {
    return this.serialized(async () => {
      await this.stopChild();
      this.set({ state: 'stopped', modelId: null, projector: null, settings: null, baseUrl: null, pid: null, error: null, stderrTail: null, startedAt: null });
      void this.refreshBinary();
      return this.st;
    });
  }

  /** The same model, projector and settings again (after a crash, or to pick up a new binary). */
  restart(): Promise<VisionStatus> {
    return this.serialized(async () => {
      const last = this.last;
      if (!last) throw new CoreError('CONFLICT', 'Nothing to restart: no vision model has been loaded in this session.');
      await this.stopChild();
      return this.start(last);
    });
  }

  /** Where the run path sends a request for this model: only while it is the ready one. */
  endpoint(modelId: string): VisionEndpoint | null {
    const r = this.running;
    if (!r || this.st.state !== 'ready' || this.st.modelId !== modelId || !this.last) return null;
    const projector = this.st.projector;
    const imageTokens = projector ? (w: number, h: number) => estimateImageTokens(projector, w, h) : undefined;
    return { baseUrl: r.server.baseUrl, apiKey: r.apiKey, model: aliasFor(this.last.model), watchEncode: () => r.encodes.watch(), imageTokens };
  }

  setServerBinary(path: string | null): Promise<VisionStatus> {
    this.setting.set(path);
    return this.refreshBinary().then(() => this.st);
  }

  buildServer(backend: ServerBackend | 'auto'): Promise<ServerBuildStatus> {
    return this.builds.start(backend);
  }

  cancelBuild(jobId: string): { cancelled: boolean } {
    return this.builds.cancel(jobId);
  }

  private async start(l: Loaded): Promise<VisionStatus> {
    this.last = l;
    this.set({ state: 'starting', modelId: l.model.id, projector: l.projector, settings: l.settings, error: null, stderrTail: null, pid: null, baseUrl: null, startedAt: null });
    let running: RunningVision;
    try {
      const bin = await resolveServerBinary(this.binaryOptions(l.settings.gpu));
      this.set({ binary: bin.binary, binarySource: bin.source, binaryError: null });
      running = await launchVision({
        binary: bin.binary,
        binaryBackend: bin.backend === 'cpu' ? 'cpu' : 'gpu',
        modelPath: l.model.path,
        projectorPath: l.projector?.path ?? null,
        alias: aliasFor(l.model),
        settings: l.settings,
        blockCount: l.model.metadata.blockCount,
        pickPort: this.deps.pickPort,
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const [first, ...rest] = message.split('\n');
      this.set({ state: 'stopped', error: `Could not start the vision engine for ${l.model.fileName}: ${first}`, stderrTail: rest.join('\n') || null });
      throw e;
    }
    this.running = running;
    const child = running.server.child;
    child.once('exit', (code, signal) => this.onExit(running, code, signal));
    this.set({ state: 'ready', pid: child.pid ?? null, baseUrl: running.server.baseUrl, startedAt: Date.now() });
    return this.st;
  }

  private onExit(r: RunningVision, code: number | null, signal: string | null): void {
    if (this.running !== r) return; // one we stopped or replaced
    this.running = null;
    if (this.stopping) return;
    const tail = r.server.log().split('\n').slice(-TAIL_LINES).join('\n');
    this.set({
      state: 'crashed',
      error: `The vision engine (llama-server, ${basename(this.last?.model.path ?? '')}) stopped unexpectedly (${signal ?? `exit code ${code}`}). Restart it to continue.`,
      stderrTail: tail || null,
      crashCount: this.st.crashCount + 1,
      pid: null,
      baseUrl: null,
    });
  }

  private async stopChild(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.stopping = true;
    try {
      await r.server.stop();
    } finally {
      this.running = null;
      this.stopping = false;
    }
  }

  async close(): Promise<void> {
    await this.builds.close();
    await this.serialized(() => this.stopChild());
  }
}

/** The name llama-server answers to: the model's file name without .gguf. */
function aliasFor(model: ModelInfo): string {
  return model.fileName.replace(/\.gguf$/i, '');
}
