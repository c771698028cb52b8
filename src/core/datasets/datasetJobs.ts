// Background work over a dataset's rows, a batch per turn of the event loop so the app stays responsive:
// the full-text indexer, removal of a dataset, the quality analysis, and model-assisted drafts.
import type { DatasetJobProgress } from '../../shared/datasets.schema';
import { piiMask } from '../../shared/pii';
import { lengthStats } from '../../shared/lengthStats';
import type { RunTarget, SamplingParams } from '../../shared/runs.schema';
import type { RowFilter } from '../../shared/datasets.schema';
import { ulid } from '../../shared/ids';
import type { DatasetsRepo, DatasetDb, DatasetRowDb } from './datasets.repo';
import { recordOf } from './datasets.repo';
import { exactKey, minhash, NearDupIndex } from './quality/minhash';

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Job {
  progress: DatasetJobProgress;
  abort: AbortController;
  done: Promise<void>;
}

export type JobBody = (job: Job, report: () => void) => Promise<void>;

/** Runs jobs, keeps their last progress for datasets.jobs, and reports progress at most every 200 ms. */
export class JobRunner {
  readonly jobs = new Map<string, Job>();
  constructor(private readonly emit: (p: DatasetJobProgress) => void) {}

  start(datasetId: string, kind: DatasetJobProgress['kind'], total: number, body: JobBody): Job {
    const progress: DatasetJobProgress = { jobId: ulid(), datasetId, kind, state: 'running', done: 0, total, error: null };
    const abort = new AbortController();
    let last = 0;
    const report = () => {
      const t = Date.now();
      if (t - last < 200) return;
      last = t;
      this.emit({ ...progress });
    };
    const job: Job = { progress, abort, done: Promise.resolve() };
    this.jobs.set(progress.jobId, job);
    this.emit({ ...progress });
    job.done = (async () => {
      try {
        await body(job, report);
        progress.state = abort.signal.aborted ? 'cancelled' : 'done';
      } catch (e) {
        progress.state = abort.signal.aborted ? 'cancelled' : 'failed';
        progress.error = e instanceof Error ? e.message : String(e);
      }
      this.emit({ ...progress });
    })();
    return job;
  }
  cancel(jobId: string): boolean {
    const j = this.jobs.get(jobId);
    if (!j || j.progress.state !== 'running') return false;
    j.abort.abort();
    return true;
  }
  forDataset(datasetId: string): DatasetJobProgress[] {
    return [...this.jobs.values()].filter((j) => j.progress.datasetId === datasetId).map((j) => ({ ...j.progress }));
  }
  running(datasetId: string, kind: DatasetJobProgress['kind']): Job | null {
    return [...this.jobs.values()].find((j) => j.progress.datasetId === datasetId && j.progress.kind === kind && j.progress.state === 'running') ?? null;
  }
  cancelAll(): void {
    for (const j of this.jobs.values()) j.abort.abort();
  }
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}

/** Rows per indexing step: ~10–30 ms of trigram work on a slow core. */
export const INDEX_BATCH = 100;
const REMOVE_BATCH = 5000;

export async function indexDataset(repo: DatasetsRepo, datasetId: string, job: Job, report: () => void): Promise<void> {
  for (;;) {
    if (job.abort.signal.aborted) return;
    const n = repo.indexSome(datasetId, INDEX_BATCH);
    if (n === 0) {
      // Caught up: finish merging segments, a step per turn, so searches read few segments.
      while (!job.abort.signal.aborted && repo.mergeSome(datasetId)) await tick();
      return;
    }
    job.progress.done += n;
    report();
    await tick();
  }
}

export async function removeDataset(repo: DatasetsRepo, datasetId: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (repo.removeSome(datasetId, REMOVE_BATCH)) return;
    await tick();
  }
}

export function analysisText(r: DatasetRowDb): string {
  const rec = recordOf(r);
  let s = '';
  for (const m of rec.messages) s += `${m.role}: ${m.content}\n`;
  return s + 'assistant: ' + (rec.response ?? rec.chosen ?? '');
}

export interface AnalyzeDeps {
  /** Token counts with the chosen model's vocabulary, or null to leave token lengths as they are. */
  countTokens: ((texts: string[]) => Promise<number[]>) | null;
  tokenizer: string | null;
}

const ALL: RowFilter = {
  search: '',
  status: null,
  label: null,
  tag: null,
  labelerId: null,
  minTokens: null,
  maxTokens: null,
  duplicate: null,
  pii: null,
  split: null,
};

/** Exact duplicates (normalized hash), near duplicates (MinHash LSH), personal-data flags, token lengths. */
export async function analyzeDataset(repo: DatasetsRepo, ds: DatasetDb, deps: AnalyzeDeps, job: Job, report: () => void): Promise<void> {
  const firstByKey = new Map<string, number>();
  const near = new NearDupIndex();
  const tokens = deps.countTokens ? new Uint32Array(ds.row_count) : null;
  let n = 0;
  for (const rows of repo.scan(ds, ALL, 500)) {
    if (job.abort.signal.aborted) return;
    const texts = rows.map(analysisText);
    const counts = deps.countTokens ? await deps.countTokens(texts) : null;
    const updates = rows.map((r, i) => {
      const text = texts[i] as string;
      const key = exactKey(text);
      const first = firstByKey.get(key);
      if (first === undefined) firstByKey.set(key, r.id);
      // An exact copy is not also reported as a near one; the index still learns it.
      const nearOf = near.add(r.id, minhash(text));
      const t = counts ? (counts[i] as number) : null;
      if (tokens && t !== null && n + i < tokens.length) tokens[n + i] = t;
      return { id: r.id, dupOf: first ?? null, nearDupOf: first === undefined ? nearOf : null, tokens: t, pii: piiMask(text) };
    });
    repo.writeAnalysis(updates);
    n += rows.length;
    job.progress.done = n;
    report();
    await tick();
  }
  const stats = tokens ? lengthStats(tokens.subarray(0, Math.min(n, tokens.length))) : null;
  const prev = ds.stats_json ? (JSON.parse(ds.stats_json) as { tokens?: unknown; tokenizer?: string | null }) : {};
  repo.setStats(ds.id, {
    tokens: stats ?? prev.tokens ?? null,
    tokenizer: stats ? deps.tokenizer : (prev.tokenizer ?? null),
    analyzedAt: Date.now(),
  });
}

export interface DraftDeps {
  /** Runs one prompt (variables filled) on the target and returns the output text. */
  /** `images`: an image row's stored images, sent with the prompt (a vision target reads them). */
  generate(variables: Record<string, string>, signal: AbortSignal, images?: string[]): Promise<string>;
}

export function draftVariables(r: DatasetRowDb): Record<string, string> {
  const rec = recordOf(r);
  const system = rec.messages.find((m) => m.role === 'system')?.content ?? '';
  const conversation = rec.messages
    .filter((m) => m.role !== 'system')
    .map((m) => `${m.role}: ${m.content}`)
    .join('\n');
  return { prompt: r.prompt, input: r.prompt, system, conversation, response: r.response ?? '' };
}

/** Drafts each row in turn; rows that already have one were skipped by the caller's selection (resume). */
export async function draftRows(repo: DatasetsRepo, rows: readonly DatasetRowDb[], deps: DraftDeps, job: Job, report: () => void): Promise<void> {
  for (const r of rows) {
    if (job.abort.signal.aborted) return;
    const out = await deps.generate(draftVariables(r), job.abort.signal, r.images_json === null ? undefined : (JSON.parse(r.images_json) as string[]));
    if (job.abort.signal.aborted) return;
    repo.setDraft(r.id, out);
    job.progress.done++;
    report();
  }
}

export type { RunTarget, SamplingParams };
