// Training: a package written from a dataset (dataset out), and an optional run of a person's own command
// that trains it, here or over ssh, whose GGUF adapter comes back registered with its provenance (adapter in).
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { AdapterProvenance } from '../../shared/adapters.schema';
import type { TrainingInfo, TrainingPackageRequest, TrainingProgress } from '../../shared/training.schema';
import { ulid } from '../../shared/ids';
import { CoreError } from '../errors';
import type { StoredTraining, TrainingPatch, TrainingRepo } from './training.repo';
import { adapterFileAt, writeTrainingPackage, type PackageSources } from './trainingPackage';
import { TrainingRunner, type RunnerExit } from './trainingRunner';
import { PACKAGE_PATHS } from './packageFiles';

/** Where a finished run's adapter goes: the adapters service (register reads the GGUF and stores it). */
export interface AdapterRegistry {
  register(path: string, provenance: AdapterProvenance): Promise<{ id: string }> | { id: string };
}

export interface TrainingDeps extends PackageSources {
  repo: TrainingRepo;
  adapters: AdapterRegistry | null;
  now?: () => number;
  /** How long a cancelled command gets between SIGTERM and SIGKILL. */
  killAfterMs?: number;
}

export const INTERRUPTED = 'interrupted: Lamplight stopped while training ran';
const ERROR_LINES = 20;

interface ActiveRun {
  runner: TrainingRunner;
  settled: Promise<void>;
}

export class TrainingService extends EventEmitter<{ progress: [TrainingProgress] }> {
  private readonly repo: TrainingRepo;
  private readonly now: () => number;
  private adapters: AdapterRegistry | null;
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;

  constructor(private readonly deps: TrainingDeps) {
    super();
    this.repo = deps.repo;
    this.now = deps.now ?? Date.now;
    this.adapters = deps.adapters;
    // A run this process did not start cannot be followed: its output and exit code went with the old process.
    this.repo.failInterrupted(INTERRUPTED, this.now());
  }

  /** For a core whose adapters service comes later, and for tests. */
  setAdapterRegistry(registry: AdapterRegistry | null): void {
    this.adapters = registry;
  }

  list(): TrainingInfo[] {
    return this.repo.list().map(publicInfo);
  }

  get(id: string): TrainingInfo {
    return publicInfo(this.stored(id));
  }

  private stored(id: string): StoredTraining {
    const t = this.repo.get(id);
    if (!t) throw new CoreError('NOT_FOUND', `trainingId: no training ${id}`);
    return t;
  }

  async package(req: TrainingPackageRequest): Promise<TrainingInfo> {
    const id = ulid(this.now());
    const written = await writeTrainingPackage(this.deps, id, req);
    this.repo.insert({
      id,
      dir: written.dir,
      files: written.files,
      datasetId: req.datasetId,
      baseModelId: req.baseModelId,
      hyperparameters: req.hyperparameters,
      provenance: written.provenance,
      createdAt: this.now(),
    });
    return this.get(id);
  }

  async start(id: string, command: string, adapterPath: string = PACKAGE_PATHS.adapterGguf): Promise<TrainingInfo> {
    if (this.closing) throw new CoreError('CONFLICT', 'Lamplight is shutting down');
    const t = this.stored(id);
    if (this.active.has(id) || t.state === 'running' || t.state === 'converting') {
      throw new CoreError('CONFLICT', `trainingId: training ${id} is already running; cancel it first`);
    }
    const isDir = await stat(t.dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new CoreError('NOT_FOUND', `trainingId: the package folder ${t.dir} is gone; package the training again`);
    // Checked again after the await: two starts of one training may both have passed the first check.
    if (this.active.has(id)) throw new CoreError('CONFLICT', `trainingId: training ${id} is already running; cancel it first`);

    this.repo.markStarted(id, command, adapterPath, this.now());
    const runner = new TrainingRunner({
      command,
      cwd: t.dir,
      killAfterMs: this.deps.killAfterMs,
      onUpdate: (u) => {
        const patch: TrainingPatch = { logTail: u.tail, step: u.step, totalSteps: u.totalSteps, epoch: u.epoch, loss: u.loss };
        if (u.converting) patch.state = 'converting';
        this.repo.update(id, patch);
        this.emitProgress(id, u.lines);
      },
    });
    const settled = runner.exited
      .then((exit) => this.finish(id, runner, exit, adapterPath))
      .catch((e: unknown) => this.finishWith(id, { state: 'failed', error: `Lamplight lost track of the run: ${(e as Error).message}` }))
      .finally(() => this.active.delete(id));
    this.active.set(id, { runner, settled });
    this.emitProgress(id, []);
    return this.get(id);
  }

  cancel(id: string): boolean {
    this.stored(id);
    const run = this.active.get(id);
    if (!run) return false;
    run.runner.cancel();
    return true;
  }

  /** Resolves when the run (if any) has ended and its row says how: for tests and shutdown. */
  async settled(id: string): Promise<void> {
    await this.active.get(id)?.settled;
  }

  private async finish(id: string, runner: TrainingRunner, exit: RunnerExit, adapterPath: string): Promise<void> {
    if (this.closing) return this.finishWith(id, { state: 'failed', error: INTERRUPTED });
    if (exit.cancelled) return this.finishWith(id, { state: 'cancelled', error: null });
    if (exit.spawnError !== null) return this.finishWith(id, { state: 'failed', error: `the command could not start: ${exit.spawnError}` });
    if (exit.code !== 0) {
      const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}`;
      const last = runner.lastLines(ERROR_LINES);
      return this.finishWith(id, { state: 'failed', error: `the command ${how}${last.length ? `; its last lines:\n${last.join('\n')}` : ' and printed nothing'}` });
    }
    const t = this.stored(id);
    const file = await adapterFileAt(t.dir, adapterPath);
    if (!file.exists) {
      return this.finishWith(id, {
        state: 'failed',
        error: `the command finished but left no adapter at ${file.path}; convert the trained adapter to GGUF (bash ${PACKAGE_PATHS.convert}) or start again with the adapter's path`,
      });
    }
    if (!this.adapters) {
      return this.finishWith(id, { state: 'failed', error: `the adapter at ${file.path} is ready, but this Lamplight cannot register adapters; add it by hand` });
    }
    try {
      const adapter = await this.adapters.register(file.path, { ...t.provenance, trainedAt: this.now() });
      return this.finishWith(id, { state: 'done', error: null, adapterId: adapter.id });
    } catch (e) {
      return this.finishWith(id, { state: 'failed', error: `the adapter at ${file.path} could not be registered: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private finishWith(id: string, patch: TrainingPatch): void {
    this.repo.update(id, { ...patch, finishedAt: this.now() });
    this.emitProgress(id, []);
  }

  private emitProgress(id: string, lines: string[]): void {
    const t = this.repo.get(id);
    if (!t) return;
    this.emit('progress', {
      trainingId: id,
      state: t.state,
      lines,
      step: t.step,
      totalSteps: t.totalSteps,
      epoch: t.epoch,
      loss: t.loss,
      error: t.error,
      adapterId: t.adapterId,
    });
  }

  /** Stops every running command (their rows say interrupted) and waits for them to end. */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.active.values()];
    for (const r of runs) r.runner.cancel();
    await Promise.all(runs.map((r) => r.settled));
  }
}

function publicInfo(t: StoredTraining): TrainingInfo {
  const { provenance: _p, adapterPath: _a, ...info } = t;
  return info;
}
