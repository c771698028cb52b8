// Benchmark runs (one job at a time per run, any number of runs), their stored results and exports, and
// cost profiles per target. createCore wires the engine, models, targets and workload sources in.
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { BenchDefinition, BenchProgress, BenchRun, BenchRunSummary, CostProfile } from '../../shared/bench.schema';
import { targetKey } from '../../shared/evals.schema';
import { ulid } from '../../shared/ids';
import { LoadSettings } from '../../shared/engine.schema';
import { type RunTarget } from '../../shared/runs.schema';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { EvalTargets } from '../evals/evals.service';
import type { ModelsService } from '../models/models.service';
import type { BenchRepo, StoredCost } from './bench.repo';
import type { TokenCounter } from '../remote/tokenize';
import { BenchJob, type BenchPrompt, type BenchRuns, type BenchTargets } from './benchJob';
import { benchCsv, benchHtml, type ExtraColumns } from './benchReport';
import { workloadImagePrompts, type BenchSources } from './benchSources';
import { fitSyntheticPrompts } from './tokenFit';

/** The most sequences a model may be loaded with (LoadSettings' own bound). */
const MAX_SEQUENCES = 16;

export interface BenchServiceDeps {
  repo: BenchRepo;
  runs: BenchRuns;
  targets: BenchTargets;
  sources: BenchSources | null;
  /** Counts tokens on a target's own server (remote: its /tokenize); null when it cannot. Synthetic
   * workloads are then fitted to exactly inputLen tokens on the first target that can count. */
  tokenCounter?: (target: RunTarget) => Promise<TokenCounter | null>;
  /** Cost columns for exports, when a cost model is available (null: none). */
  costColumns?: (costs: StoredCost[]) => ExtraColumns | null;
  now?: () => number;
}

/**
 * Local targets: the model is loaded when another (or none) is; when the sweep asks for more requests at
 * once than the loaded sequences, it is reloaded with sequences = the sweep's max concurrency (capped at 16,
 * other settings kept), and the result carries a note saying so — without it, requests above the sequences
 * queue inside the engine and "concurrency 4" would measure concurrency 1 with queueing.
 */
export function coreBenchTargets(c: { engine: EngineService; models: ModelsService; describe: EvalTargets['describe'] }): BenchTargets {
  return {
    describe: c.describe,
    async prepare(t: RunTarget, sequences: number) {
      if (t.kind !== 'local') return null;
      const m = c.models.get(t.modelId);
      const loaded = c.engine.loadedModelId === m.id;
      const base = c.engine.status.settings ?? LoadSettings.parse({});
      const want = Math.min(MAX_SEQUENCES, Math.max(1, sequences));
      if (loaded && base.sequences >= want) return null;
      if (base.sequences >= want) {
        await c.engine.load(m.id, m.path, base);
        return null;
      }
      await c.engine.load(m.id, m.path, { ...base, sequences: want });
      return `note: ${loaded ? 'reloaded' : 'loaded'} the model with ${want} parallel sequences (was ${base.sequences}) so requests decode at once`;
    },
  };
}

type Summary = z.infer<typeof BenchRunSummary>;

export class BenchService extends EventEmitter<{ progress: [BenchProgress] }> {
  private readonly jobs = new Map<string, { job: BenchJob; finished: Promise<void> }>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly deps: BenchServiceDeps) {
    super();
    this.now = deps.now ?? Date.now;
    deps.repo.markInterrupted(this.now());
  }

  async start(def: BenchDefinition): Promise<{ benchId: string }> {
    if (this.closed) throw new CoreError('CONFLICT', 'closing');
    // Each load gets its own stretch of prompts (the same for every target).
    const needed = def.durationSec === null ? def.loads.length * (def.requests + def.warmupRequests) : 2000;
    // Resolved before anything is stored, so a missing dataset is refused with its reason.
    const workload = await workloadImagePrompts(def.workload, needed, this.deps.sources);
    const imageInfo = workload.imageInfo;
    let prompts = workload.prompts;
    if (def.workload.kind === 'synthetic') prompts = await this.fitted(def, def.workload, prompts);
    const id = ulid();
    this.deps.repo.insert({ id, name: def.name, definition: def, createdAt: this.now() });
    const job = new BenchJob(id, def, prompts, { repo: this.deps.repo, runs: this.deps.runs, targets: this.deps.targets, emit: (p) => this.emit('progress', p), imageInfo });
    this.deps.repo.setState(id, 'running', null, null);
    const finished = job
      .run()
      .then(
        (state) => ({ state, error: null as string | null }),
        (e: unknown) => ({ state: 'failed' as const, error: e instanceof Error ? e.message : String(e) }),
      )
      .then(({ state, error }) => {
        this.jobs.delete(id);
        if (this.closed) return;
        this.deps.repo.setState(id, state, error, this.now());
        job.end(state);
      });
    this.jobs.set(id, { job, finished });
    return { benchId: id };
  }

  /** Synthetic prompts of exactly inputLen tokens where a target's server can count them; else as given. */
  private async fitted(def: BenchDefinition, w: Extract<BenchDefinition['workload'], { kind: 'synthetic' }>, prompts: BenchPrompt[]): Promise<BenchPrompt[]> {
    for (const { target } of def.targets) {
      // A server that cannot count (or is down: its cells will say so) leaves the approximate prompts.
      const count = await this.deps.tokenCounter?.(target).catch(() => null);
      if (!count) continue;
      const fit = await fitSyntheticPrompts(count, w.inputLen, w.seed, prompts.length);
      return fit.prompts.map((userMessage) => ({ systemPrompt: '', userMessage }));
    }
    return prompts;
  }

  /** Resolves when the run's job has ended (tests, the CLI). */
  async wait(benchId: string): Promise<BenchRun> {
    await this.jobs.get(benchId)?.finished;
    return this.get(benchId);
  }

  cancel(benchId: string): { cancelled: boolean } {
    const j = this.jobs.get(benchId);
    if (!j) return { cancelled: false };
    j.job.cancel();
    return { cancelled: true };
  }

  get(benchId: string): BenchRun {
    const r = this.deps.repo.get(benchId);
    if (!r) throw new CoreError('NOT_FOUND', `No benchmark run with id ${benchId}`);
    return r;
  }

  list(limit: number): Summary[] {
    return this.deps.repo.list(limit).map((r) => ({
      id: r.id,
      name: r.name,
      state: r.state,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
      // Labels as measured; targets not reached yet by their given label, else their key.
      targets: [...new Set([...r.results.map((x) => x.targetLabel), ...r.definition.targets.filter((t) => !r.results.some((x) => x.targetKey === targetKey(t.target))).map((t) => t.label ?? targetKey(t.target))])],
    }));
  }

  /** A running benchmark is cancelled first, then removed with its samples. */
  async remove(benchId: string): Promise<{ removed: boolean }> {
    const j = this.jobs.get(benchId);
    if (j) {
      j.job.cancel();
      await j.finished;
    }
    return { removed: this.deps.repo.remove(benchId) };
  }

  async export(benchId: string, path: string): Promise<{ files: string[] }> {
    const run = this.get(benchId);
    const base = path.replace(/\.(html|csv|json)$/i, '');
    const extra = this.deps.costColumns?.(this.deps.repo.costs()) ?? undefined;
    const files = [`${base}.html`, `${base}.csv`, `${base}.json`];
    await writeFile(files[0]!, benchHtml(run, extra));
    await writeFile(files[1]!, benchCsv(run, extra));
    await writeFile(files[2]!, JSON.stringify(run, null, 2) + '\n');
    return { files };
  }

  costs(): StoredCost[] {
    return this.deps.repo.costs();
  }

  setCost(input: { targetKey: string; label: string; profile: CostProfile }): StoredCost {
    return this.deps.repo.setCost({ ...input, updatedAt: this.now() });
  }

  removeCost(targetKey: string): { removed: boolean } {
    return { removed: this.deps.repo.removeCost(targetKey) };
  }

  /** Stops every job; nothing more is written (the database closes next). */
  close(): void {
    this.closed = true;
    for (const { job } of this.jobs.values()) job.close();
  }
}
