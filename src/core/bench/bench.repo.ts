// Benchmark runs, their raw per-request samples, and cost profiles: rows mapped to the contract's shapes.
import { BenchDefinition, BenchResult, CostProfile, type BenchRun } from '../../shared/bench.schema';
import type { Db } from '../db/openDb';
import type { RequestSample } from './benchMetrics';

interface RunRow {
  id: string;
  name: string;
  definition_json: string;
  state: BenchRun['state'];
  results_json: string;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

interface SampleRow {
  ok: number;
  error: string | null;
  sent_ms: number;
  e2e_ms: number;
  chunk_times_json: string;
  prompt_tokens: number;
  output_tokens: number;
  decode_tok_per_sec: number | null;
  images: number;
  image_prepare_ms: number | null;
  image_encode_ms: number | null;
}

export interface StoredCost {
  targetKey: string;
  label: string;
  profile: CostProfile;
  updatedAt: number;
}

function toRun(r: RunRow): BenchRun {
  return {
    id: r.id,
    name: r.name,
    definition: BenchDefinition.parse(JSON.parse(r.definition_json)),
    state: r.state,
    results: BenchResult.array().parse(JSON.parse(r.results_json)),
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export class BenchRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly stateStmt;
  private readonly resultsStmt;
  private readonly deleteStmt;
  private readonly deleteSamplesStmt;
  private readonly sampleStmt;
  private readonly samplesStmt;
  private readonly interruptStmt;
  private readonly costsStmt;
  private readonly costGetStmt;
  private readonly costSetStmt;
  private readonly costDeleteStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO bench_runs (id, name, definition_json, state, created_at) VALUES (@id, @name, @definitionJson, 'pending', @createdAt)`);
    this.getStmt = db.prepare<[string], RunRow>(`SELECT * FROM bench_runs WHERE id = ?`);
    this.listStmt = db.prepare<[number], RunRow>(`SELECT * FROM bench_runs ORDER BY created_at DESC, id DESC LIMIT ?`);
    this.stateStmt = db.prepare(`UPDATE bench_runs SET state = @state, error = @error, finished_at = @finishedAt WHERE id = @id`);
    this.resultsStmt = db.prepare(`UPDATE bench_runs SET results_json = @resultsJson WHERE id = @id`);
    this.deleteStmt = db.prepare<[string]>(`DELETE FROM bench_runs WHERE id = ?`);
    this.deleteSamplesStmt = db.prepare<[string]>(`DELETE FROM bench_requests WHERE bench_id = ?`);
    this.sampleStmt = db.prepare(`
      INSERT INTO bench_requests (bench_id, cell, ord, run_id, ok, error, sent_ms, e2e_ms, chunk_times_json, prompt_tokens, output_tokens, decode_tok_per_sec, images, image_prepare_ms, image_encode_ms)
      VALUES (@benchId, @cell, @ord, @runId, @ok, @error, @sentMs, @e2eMs, @chunkTimesJson, @promptTokens, @outputTokens, @decodeTokPerSec, @images, @imagePrepareMs, @imageEncodeMs)`);
    this.samplesStmt = db.prepare<[string, number], SampleRow>(`SELECT * FROM bench_requests WHERE bench_id = ? AND cell = ? ORDER BY ord`);
    this.interruptStmt = db.prepare(`UPDATE bench_runs SET state = 'failed', error = 'interrupted: the app closed during the run', finished_at = ? WHERE state IN ('pending', 'running')`);
    this.costsStmt = db.prepare<[], { target_key: string; label: string; profile_json: string; updated_at: number }>(`SELECT * FROM cost_profiles ORDER BY label, target_key`);
    this.costGetStmt = db.prepare<[string], { target_key: string; label: string; profile_json: string; updated_at: number }>(`SELECT * FROM cost_profiles WHERE target_key = ?`);
    this.costSetStmt = db.prepare(`
      INSERT INTO cost_profiles (target_key, label, profile_json, updated_at) VALUES (@targetKey, @label, @profileJson, @updatedAt)
      ON CONFLICT (target_key) DO UPDATE SET label = excluded.label, profile_json = excluded.profile_json, updated_at = excluded.updated_at`);
    this.costDeleteStmt = db.prepare<[string]>(`DELETE FROM cost_profiles WHERE target_key = ?`);
  }

  insert(r: { id: string; name: string; definition: BenchDefinition; createdAt: number }): void {
    this.insertStmt.run({ id: r.id, name: r.name, definitionJson: JSON.stringify(r.definition), createdAt: r.createdAt });
  }

  get(id: string): BenchRun | null {
    const r = this.getStmt.get(id);
    return r ? toRun(r) : null;
  }

  list(limit: number): BenchRun[] {
    return this.listStmt.all(limit).map(toRun);
  }

  setState(id: string, state: BenchRun['state'], error: string | null, finishedAt: number | null): void {
    this.stateStmt.run({ id, state, error, finishedAt });
  }

  setResults(id: string, results: BenchResult[]): void {
    this.resultsStmt.run({ id, resultsJson: JSON.stringify(results) });
  }

  addSamples(benchId: string, cell: number, samples: readonly (RequestSample & { ord: number; runId: string | null })[]): void {
    this.db.transaction(() => {
      for (const s of samples) {
        this.sampleStmt.run({
          benchId,
          cell,
          ord: s.ord,
          runId: s.runId,
          ok: s.ok ? 1 : 0,
          error: s.error,
          sentMs: s.sentMs,
          e2eMs: s.e2eMs,
          chunkTimesJson: JSON.stringify(s.chunkTimesMs),
          promptTokens: s.promptTokens,
          outputTokens: s.outputTokens,
          decodeTokPerSec: s.decodeTokPerSec,
          images: s.images ?? 0,
          imagePrepareMs: s.imagePrepareMs ?? null,
          imageEncodeMs: s.imageEncodeMs ?? null,
        });
      }
    })();
  }

  samples(benchId: string, cell: number): RequestSample[] {
    return this.samplesStmt.all(benchId, cell).map((r) => ({
      ok: r.ok === 1,
      error: r.error,
      sentMs: r.sent_ms,
      e2eMs: r.e2e_ms,
      chunkTimesMs: JSON.parse(r.chunk_times_json) as number[],
      promptTokens: r.prompt_tokens,
      outputTokens: r.output_tokens,
      decodeTokPerSec: r.decode_tok_per_sec,
      images: r.images,
      imagePrepareMs: r.image_prepare_ms,
      imageEncodeMs: r.image_encode_ms,
    }));
  }

  remove(id: string): boolean {
    return this.db.transaction(() => {
      this.deleteSamplesStmt.run(id);
      return this.deleteStmt.run(id).changes > 0;
    })();
  }

  markInterrupted(now: number): void {
    this.interruptStmt.run(now);
  }

  costs(): StoredCost[] {
    return this.costsStmt.all().map((r) => ({ targetKey: r.target_key, label: r.label, profile: CostProfile.parse(JSON.parse(r.profile_json)), updatedAt: r.updated_at }));
  }

  cost(targetKey: string): StoredCost | null {
    const r = this.costGetStmt.get(targetKey);
    return r ? { targetKey: r.target_key, label: r.label, profile: CostProfile.parse(JSON.parse(r.profile_json)), updatedAt: r.updated_at } : null;
  }

  setCost(c: StoredCost): StoredCost {
    this.costSetStmt.run({ targetKey: c.targetKey, label: c.label, profileJson: JSON.stringify(c.profile), updatedAt: c.updatedAt });
    return c;
  }

  removeCost(targetKey: string): boolean {
    return this.costDeleteStmt.run(targetKey).changes > 0;
  }
}
