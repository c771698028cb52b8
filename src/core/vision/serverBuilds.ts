// Builds llama-server in the background for the UI: one build at a time, progress as events, cancel through
// an AbortSignal (buildLlamaServer kills cmake's process group and removes its half-built folder).
import { EventEmitter } from 'node:events';
import { ulid } from '../../shared/ids';
import type { ServerBuildStatus } from '../../shared/vision.schema';
import { CoreError } from '../errors';
import { buildLlamaServer, type BuildProgress, type ServerBackend } from '../llamaServer/buildServer';
import { engineGpuBackend } from './serverBinary';

export interface ServerBuildsEvents {
  progress: [ServerBuildStatus];
}

export class ServerBuilds extends EventEmitter<ServerBuildsEvents> {
  private current: { status: ServerBuildStatus; abort: AbortController; done: Promise<ServerBuildStatus> } | null = null;

  constructor(private readonly opts: { cacheDir?: string; build?: typeof buildLlamaServer } = {}) {
    super();
  }

  /** Starts a build (or reports the cached one at once with phase 'done'); progress follows as events. */
  async start(backendIn: ServerBackend | 'auto'): Promise<ServerBuildStatus> {
    if (this.current) {
      const c = this.current.status;
      throw new CoreError('CONFLICT', `A llama-server build (${c.backend}, job ${c.jobId}) is already running; cancel it or wait for it to finish.`);
    }
    const backend = backendIn === 'auto' ? await engineGpuBackend() : backendIn;
    const abort = new AbortController();
    let status: ServerBuildStatus = { jobId: ulid(), backend, phase: 'source', percent: 0, line: 'starting', binary: null, error: null, cached: false };
    const set = (patch: Partial<ServerBuildStatus>) => {
      status = { ...status, ...patch };
      if (this.current) this.current.status = status;
      this.emit('progress', status);
    };
    let lastPercent = 0;
    const onProgress = (p: BuildProgress) => {
      // cmake prints a percentage on most compile lines; the others keep the last one.
      if (p.percent >= 0) lastPercent = p.percent;
      set({ phase: p.phase, percent: p.phase === 'done' ? 100 : lastPercent, line: p.line.slice(0, 500) });
    };
    const build = this.opts.build ?? buildLlamaServer;
    const run = build({ backend, cacheDir: this.opts.cacheDir, signal: abort.signal, onProgress });
    const done = run.then(
      (b) => {
        this.current = null;
        set({ phase: 'done', percent: 100, binary: b.binary, cached: b.cached, line: b.cached ? `already built: ${b.binary}` : `built in ${b.seconds.toFixed(0)} s` });
        return status;
      },
      (e: unknown) => {
        this.current = null;
        const cancelled = abort.signal.aborted;
        set({ phase: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : e instanceof Error ? e.message : String(e), line: cancelled ? 'build cancelled' : status.line });
        return status;
      },
    );
    this.current = { status, abort, done };
    // A cached build answers before the caller returns: report it done, not 'source'.
    const quick = await Promise.race([done, new Promise<null>((r) => setImmediate(() => r(null)))]);
    return quick ?? status;
  }

  cancel(jobId: string): { cancelled: boolean } {
    if (!this.current || this.current.status.jobId !== jobId) return { cancelled: false };
    this.current.abort.abort();
    return { cancelled: true };
  }

  /** Resolves when the job (if still running) has ended. */
  wait(): Promise<ServerBuildStatus | null> {
    return this.current?.done ?? Promise.resolve(null);
  }

  get running(): ServerBuildStatus | null {
    return this.current?.status ?? null;
  }

  async close(): Promise<void> {
    this.current?.abort.abort();
    await this.wait();
  }
}
