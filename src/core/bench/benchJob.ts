// One benchmark run: for each target × load shape, warm-up requests (not measured), then the measured
// requests under the load shape — a pool of N workers, or Poisson arrivals with an optional cap — each a
// run through runs.start (source 'bench'). Every finished request's raw timings are stored, and the cell's
// result is derived from them the moment the cell ends. A cancel stops dispatching, aborts what is in
// flight, and keeps what finished.
import { performance } from 'node:perf_hooks';
import type { BenchDefinition, BenchProgress, BenchResult, BenchRun, LoadShape } from '../../shared/bench.schema';
import { targetKey } from '../../shared/evals.schema';
import type { PromptImage } from '../../shared/images.schema';
import { SamplingParams, type RunRecord, type RunTarget } from '../../shared/runs.schema';
import type { RunsService } from '../runs/runs.service';
import { poissonSchedule } from './arrivals';
import type { BenchRepo } from './bench.repo';
import { cellMetrics, imageMetrics, type ImageWorkloadInfo, type RequestSample } from './benchMetrics';

export type BenchRuns = Pick<RunsService, 'start' | 'wait' | 'cancel'>;

/** One prompt of the workload; the variables fill a prompt version's template. */
export interface BenchPrompt {
  systemPrompt: string;
  userMessage: string;
  variables?: Record<string, string>;
  params?: Partial<SamplingParams>;
  jsonSchema?: string | null;
  /** Image workloads: the images attached to the user message. */
  images?: PromptImage[];
}

export interface BenchTargets {
  /**
   * Makes the target runnable with at least `sequences` requests decoding at once (local: loads the model,
   * or reloads it with more sequences). Returns a note for the result when it changed something.
   */
  prepare(target: RunTarget, sequences: number): Promise<string | null>;
  describe(target: RunTarget): string;
}

export interface BenchJobDeps {
  repo: BenchRepo;
  runs: BenchRuns;
  targets: BenchTargets;
  emit: (p: BenchProgress) => void;
  /** Set for image workloads: the cell's results then add image metrics. */
  imageInfo?: ImageWorkloadInfo | null;
}

const PROGRESS_MS = 250;
/** Upper bound on requests in a duration-bound cell (the schema's own cap on `requests`). */
const MAX_DURATION_REQUESTS = 100_000;
const FAILED_STOPS = new Set<RunRecord['stopReason']>(['error', 'crash', 'interrupted', 'abort', 'blocked']);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function loadLabel(l: LoadShape): string {
  if (l.kind === 'concurrency') return `concurrency ${l.concurrency}`;
  return `${l.requestsPerSec} req/s${l.maxConcurrency !== null ? ` (max ${l.maxConcurrency})` : ''}`;
}

/** How many requests of this shape may be in flight at once (null: unbounded). */
export function loadConcurrency(l: LoadShape): number | null {
  return l.kind === 'concurrency' ? l.concurrency : l.maxConcurrency;
}

type Measured = RequestSample & { ord: number; runId: string | null };

export class BenchJob {
  private stopping = false;
  private closed = false;
  private readonly inFlight = new Set<string>();
  private done = 0;
  private readonly total: number | null;
  private readonly results: BenchResult[] = [];
  private cell: string | null = null;
  private lastResult: BenchResult | null = null;
  private lastEmit = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    private readonly def: BenchDefinition,
    private readonly prompts: readonly BenchPrompt[],
    private readonly deps: BenchJobDeps,
  ) {
    this.total = def.durationSec === null ? def.targets.length * def.loads.length * def.requests : null;
  }

  get cancelled(): boolean {
    return this.stopping;
  }

  cancel(): void {
    this.stopping = true;
    this.wake();
    for (const runId of this.inFlight) this.deps.runs.cancel(runId);
  }

  /** Like cancel, and nothing more is written or sent: the database is about to close. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.cancel();
  }

  /** Runs every cell in order; returns the final state (the caller stores it). */
  async run(): Promise<BenchRun['state']> {
    this.progress('running');
    const loads = this.def.loads;
    for (let ti = 0; ti < this.def.targets.length && !this.stopping; ti++) {
      const bt = this.def.targets[ti]!;
      const label = bt.label ?? this.deps.targets.describe(bt.target);
      // Unbounded rate loads do not ask for sequences: their excess queues in the engine, as on a server.
      const maxC = Math.max(1, ...loads.map(loadConcurrency).filter((c): c is number => c !== null));
      let note: string | null = null;
      let prepError: string | null = null;
      try {
        note = await this.deps.targets.prepare(bt.target, maxC);
      } catch (e) {
        prepError = message(e);
      }
      for (let li = 0; li < loads.length && !this.stopping; li++) {
        const load = loads[li]!;
        this.cell = `${label} · ${loadLabel(load)}`;
        this.progress('running');
        const cellIndex = ti * loads.length + li;
        const result = prepError !== null ? this.failedCell(bt.target, label, load, prepError) : await this.runCell(cellIndex, li, bt.target, label, load, note);
        if (result) {
          this.results.push(result);
          this.lastResult = result;
          if (!this.closed) this.deps.repo.setResults(this.id, this.results);
          this.progress('running');
        }
      }
    }
    return this.stopping ? 'cancelled' : 'done';
  }

  snapshot(state: BenchRun['state']): BenchProgress {
    return { benchId: this.id, state, done: this.done, total: this.total, cell: this.cell, result: this.lastResult };
  }

  /** The last event, with the final state. */
  end(state: BenchRun['state']): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.closed) this.deps.emit(this.snapshot(state));
  }

  private failedCell(target: RunTarget, label: string, load: LoadShape, error: string): BenchResult {
    return { targetKey: targetKey(target), targetLabel: label, load, ...cellMetrics([], this.def.slo, { local: target.kind === 'local' }), errors: [error] };
  }

  /**
   * The i-th prompt of load li: every target gets the same prompts for the same load (a fair comparison),
   * and each load its own stretch of the workload, so a later cell does not hit the prefix cache an
   * earlier one filled (when the workload has enough prompts). Warm-ups take the first ones of the stretch.
   */
  private prompt(li: number, i: number): BenchPrompt {
    const stretch = this.def.warmupRequests + (this.def.durationSec === null ? this.def.requests : 0);
    return this.prompts[(li * stretch + i) % this.prompts.length]!;
  }

  private async runCell(cellIndex: number, li: number, target: RunTarget, label: string, load: LoadShape, note: string | null): Promise<BenchResult | null> {
    const errors: string[] = note ? [note] : [];
    const cap = loadConcurrency(load);
    // Warm-up: same target and shape, not measured (caches, lazy allocations, connections).
    const warm = this.def.warmupRequests;
    if (warm > 0) await this.pool(Math.min(warm, cap ?? warm), warm, null, target, (i) => this.prompt(li, i), () => undefined);
    if (this.stopping) return null;

    const samples: Measured[] = [];
    const t0 = performance.now();
    const deadline = this.def.durationSec !== null ? t0 + this.def.durationSec * 1000 : null;
    const count = this.def.durationSec !== null ? MAX_DURATION_REQUESTS : this.def.requests;
    const record = (s: Measured | null) => {
      if (!s) return;
      samples.push(s);
      this.done++;
      this.progress('running');
    };
    const measuredPrompt = (i: number) => this.prompt(li, warm + i);
    if (load.kind === 'concurrency') await this.pool(load.concurrency, count, deadline, target, measuredPrompt, record, t0);
    else await this.arrivals(load, count, deadline, target, measuredPrompt, record, t0);

    if (this.closed || samples.length === 0) return null;
    samples.sort((a, b) => a.ord - b.ord);
    this.deps.repo.addSamples(this.id, cellIndex, samples);
    // Derived from what was stored, so a later recomputation gives the same numbers.
    const stored = this.deps.repo.samples(this.id, cellIndex);
    for (const s of samples) if (s.error && errors.length < 20 && !errors.includes(s.error)) errors.push(s.error);
    if (this.stopping) errors.splice(19, Infinity, `cancelled after ${samples.length} requests`);
    const info = this.deps.imageInfo;
    const images = info ? { images: imageMetrics(stored, info) } : {};
    return { targetKey: targetKey(target), targetLabel: label, load, ...cellMetrics(stored, this.def.slo, { local: target.kind === 'local' }), ...images, errors: errors.slice(0, 20) };
  }

  /** `workers` loops, each sending its next request when its previous one ends. */
  private async pool(workers: number, count: number, deadline: number | null, target: RunTarget, promptOf: (i: number) => BenchPrompt, record: (s: Measured | null) => void, t0 = performance.now()): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (!this.stopping && next < count && (deadline === null || performance.now() < deadline)) {
        const ord = next++;
        record(await this.request(target, promptOf(ord), ord, t0));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, count)) }, worker));
  }

  /** Poisson arrivals; with a cap, an arrival waits for a free slot (vLLM's semaphore). */
  private async arrivals(load: Extract<LoadShape, { kind: 'rate' }>, count: number, deadline: number | null, target: RunTarget, promptOf: (i: number) => BenchPrompt, record: (s: Measured | null) => void, t0: number): Promise<void> {
    const schedule = poissonSchedule(deadline !== null ? Math.min(count, Math.ceil(load.requestsPerSec * (this.def.durationSec ?? 0) * 2) + 10) : count, load.requestsPerSec, load.seed);
    const pending: Promise<void>[] = [];
    let free = load.maxConcurrency ?? Infinity;
    const waiters: (() => void)[] = [];
    const acquire = async () => {
      if (free > 0) {
        free--;
        return;
      }
      await new Promise<void>((r) => waiters.push(r));
    };
    const release = () => {
      const w = waiters.shift();
      if (w) w();
      else free++;
    };
    for (let i = 0; i < schedule.length && !this.stopping; i++) {
      const wait = t0 + schedule[i]! - performance.now();
      if (wait > 0) await this.sleep(wait);
      if (this.stopping || (deadline !== null && performance.now() >= deadline)) break;
      pending.push(
        (async () => {
          await acquire();
          try {
            if (!this.stopping) record(await this.request(target, promptOf(i), i, t0));
          } finally {
            release();
          }
        })(),
      );
    }
    if (this.stopping) for (const w of waiters.splice(0)) w();
    await Promise.all(pending);
  }

  private sleepTimer: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepTimer = null;
        resolve();
      }, ms);
      this.sleepTimer = { timer, resolve };
    });
  }

  /** One request; null when a cancel aborted it (an aborted request is not a measurement). */
  private async request(target: RunTarget, p: BenchPrompt, ord: number, t0: number): Promise<Measured | null> {
    // Sends from a fresh macrotask: requests that finished in the same poll phase get their end times taken
    // before this send's synchronous setup (~1 ms of fetch) runs, so they are not measured late.
    await new Promise<void>((r) => setImmediate(r));
    if (this.stopping) return null;
    const params = SamplingParams.parse({ temperature: 0, ...p.params, maxTokens: this.def.workload.outputLen });
    const sent = performance.now();
    let runId: string | null = null;
    try {
      const images = p.images?.length ? { images: p.images } : {};
      ({ runId } = this.deps.runs.start({ source: 'bench', target, modelId: null, systemPrompt: p.systemPrompt, userMessage: p.userMessage, variables: p.variables ?? {}, ...images, params, jsonSchema: p.jsonSchema ?? null }));
      this.inFlight.add(runId);
      const rec = await this.deps.runs.wait(runId);
      const end = performance.now();
      if (this.stopping && rec.stopReason === 'abort') return null;
      const failure = rec.error ?? (FAILED_STOPS.has(rec.stopReason) ? `a run ended with ${rec.stopReason}` : null);
      // Output tokens: the server's usage (or the engine's count); chunks with text when it reports none.
      const outputTokens = rec.completionTokens ?? rec.chunkTimesMs.length;
      return {
        ord,
        runId,
        ok: failure === null,
        error: failure,
        sentMs: sent - t0,
        chunkTimesMs: rec.chunkTimesMs,
        e2eMs: rec.e2eMs ?? end - sent,
        promptTokens: rec.promptTokens ?? 0,
        outputTokens,
        decodeTokPerSec: target.kind === 'local' ? rec.decodeTokPerSec : null,
        // Images asked for (the run path refuses a request it cannot send them with); times as the run recorded them.
        images: p.images?.length ?? 0,
        imagePrepareMs: rec.imagePrepareMs ?? null,
        imageEncodeMs: rec.imageEncodeMs ?? null,
      };
    } catch (e) {
      if (this.stopping) return null;
      return { ord, runId, ok: false, error: message(e), sentMs: sent - t0, chunkTimesMs: [], e2eMs: performance.now() - sent, promptTokens: 0, outputTokens: 0, decodeTokPerSec: null };
    } finally {
      if (runId) this.inFlight.delete(runId);
    }
  }

  /** Cancel wakes a sleeping arrival loop at once. */
  wake(): void {
    const s = this.sleepTimer;
    if (!s) return;
    clearTimeout(s.timer);
    this.sleepTimer = null;
    s.resolve();
  }

  /** At most one event per PROGRESS_MS; a change inside the window goes out at its end. */
  private progress(state: BenchRun['state']): void {
    if (this.closed || this.timer) return;
    const send = () => {
      this.timer = null;
      this.lastEmit = Date.now();
      if (!this.closed) this.deps.emit(this.snapshot(state));
    };
    const wait = this.lastEmit + PROGRESS_MS - Date.now();
    if (wait <= 0) send();
    else this.timer = setTimeout(send, wait);
  }
}
