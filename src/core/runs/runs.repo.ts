import type { AdapterUse } from '../../shared/adapters.schema';
import type { LoadSettings } from '../../shared/engine.schema';
import type { RunRecord, RunSource, RunSummary, RunTarget, SamplingParams, StopReason } from '../../shared/runs.schema';
import type { RunGuard } from '../../shared/guard.schema';
import type { RunImage } from '../../shared/images.schema';
import type { Db } from '../db/openDb';

interface RunRow {
  id: string;
  source: RunSource;
  target_kind: 'local' | 'remote';
  target_id: string | null;
  remote_model: string | null;
  /** The LoRA adapters of a local run, as [{adapterId, scale}]; null without. */
  adapters_json: string | null;
  tpot_ms: number | null;
  itl_mean_ms: number | null;
  e2e_ms: number | null;
  attempts: number | null;
  chunk_times_json: string;
  model_id: string | null;
  model_name: string;
  system_prompt: string;
  user_message: string;
  variables_json: string;
  rendered_prompt: string | null;
  params_json: string;
  load_settings_json: string | null;
  json_schema: string | null;
  output: string;
  status: 'running' | 'done';
  stop_reason: StopReason | null;
  error: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  ttft_ms: number | null;
  decode_tok_per_sec: number | null;
  started_at: number;
  finished_at: number | null;
  guard_json: string | null;
  prompt_version_id: string | null;
  image_tokens: number | null;
  image_encode_ms: number | null;
  image_prepare_ms: number | null;
}

interface RunImageRow {
  hash: string;
  sent_hash: string;
  name: string;
  width: number;
  height: number;
  bytes: number;
}

type SummaryRow = Pick<
  RunRow,
  | 'id'
  | 'source'
  | 'target_kind'
  | 'target_id'
  | 'remote_model'
  | 'adapters_json'
  | 'e2e_ms'
  | 'model_id'
  | 'model_name'
  | 'user_message'
  | 'status'
  | 'stop_reason'
  | 'completion_tokens'
  | 'ttft_ms'
  | 'decode_tok_per_sec'
  | 'started_at'
  | 'finished_at'
> & { output_preview: string; image_hashes: string | null };

export function targetOf(r: Pick<RunRow, 'target_kind' | 'target_id' | 'remote_model' | 'model_id' | 'adapters_json'>): RunTarget {
  if (r.target_kind === 'remote') return { kind: 'remote', targetId: r.target_id ?? '', model: r.remote_model ?? '' };
  if (r.adapters_json === null) return { kind: 'local', modelId: r.model_id ?? '' };
  return { kind: 'local', modelId: r.model_id ?? '', adapters: JSON.parse(r.adapters_json) as AdapterUse[] };
}

function toRun(r: RunRow, images: RunImage[]): RunRecord {
  return {
    id: r.id,
    source: r.source,
    target: targetOf(r),
    modelId: r.model_id,
    modelName: r.model_name,
    systemPrompt: r.system_prompt,
    userMessage: r.user_message,
    variables: JSON.parse(r.variables_json) as Record<string, string>,
    renderedPrompt: r.rendered_prompt,
    params: JSON.parse(r.params_json) as SamplingParams,
    loadSettings: r.load_settings_json ? (JSON.parse(r.load_settings_json) as LoadSettings) : null,
    jsonSchema: r.json_schema,
    output: r.output,
    status: r.status,
    stopReason: r.stop_reason,
    error: r.error,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    ttftMs: r.ttft_ms,
    decodeTokPerSec: r.decode_tok_per_sec,
    tpotMs: r.tpot_ms,
    itlMeanMs: r.itl_mean_ms,
    e2eMs: r.e2e_ms,
    chunkTimesMs: JSON.parse(r.chunk_times_json) as number[],
    attempts: r.attempts,
    guard: r.guard_json ? (JSON.parse(r.guard_json) as RunGuard) : null,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    // Text runs keep the record they always had; image runs carry their images and metrics.
    ...(images.length > 0 ? { images, imageTokens: r.image_tokens, imageEncodeMs: r.image_encode_ms, imagePrepareMs: r.image_prepare_ms } : {}),
  };
}

export interface NewRun {
  id: string;
  source: RunSource;
  target: RunTarget;
  modelId: string | null;
  modelName: string;
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  params: SamplingParams;
  loadSettings: LoadSettings | null;
  jsonSchema: string | null;
  startedAt: number;
  guard?: RunGuard | null;
  promptVersionId?: string | null;
  /** Who started it (may remove it without the admin permission). */
  profileId?: string | null;
}

/** The named parameters of the INSERT. */
interface InsertParams {
  id: string;
  source: RunSource;
  targetKind: RunTarget['kind'];
  targetId: string | null;
  remoteModel: string | null;
  adaptersJson: string | null;
  modelId: string | null;
  modelName: string;
  systemPrompt: string;
  userMessage: string;
  variablesJson: string;
  paramsJson: string;
  loadSettingsJson: string | null;
  jsonSchema: string | null;
  startedAt: number;
  guardJson: string | null;
  promptVersionId: string | null;
  profileId: string | null;
}

export interface RunOutcome {
  output: string;
  renderedPrompt: string | null;
  stopReason: StopReason;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  ttftMs: number | null;
  decodeTokPerSec: number | null;
  tpotMs?: number | null;
  itlMeanMs?: number | null;
  e2eMs?: number | null;
  chunkTimesMs?: number[];
  attempts?: number | null;
  finishedAt: number;
  /** Replaces the guard stored at start (it gains the output check). */
  guard?: RunGuard | null;
  /** The images sent, in order, and their metrics (runs with images only). */
  images?: RunImage[];
  imageTokens?: number | null;
  imageEncodeMs?: number | null;
  imagePrepareMs?: number | null;
}

export class RunsRepo {
  private readonly insertStmt;
  private readonly finishStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly listBeforeStmt;
  private readonly interruptStmt;
  private readonly runningStmt;
  private readonly imagesStmt;
  private readonly insertImageStmt;
  private readonly refsStmt;
  /** The columns insert() wrote for runs not finished yet: finish() returns the record without reading it back. */
  private readonly started = new Map<string, InsertParams>();

  constructor(db: Db) {
    this.insertStmt = db.prepare(`
      INSERT INTO runs (id, source, target_kind, target_id, remote_model, adapters_json, model_id, model_name, system_prompt,
        user_message, variables_json, params_json, load_settings_json, json_schema, status, started_at, guard_json, prompt_version_id, profile_id)
      VALUES (@id, @source, @targetKind, @targetId, @remoteModel, @adaptersJson, @modelId, @modelName, @systemPrompt,
        @userMessage, @variablesJson, @paramsJson, @loadSettingsJson, @jsonSchema, 'running', @startedAt, @guardJson, @promptVersionId, @profileId)`);
    this.finishStmt = db.prepare(`
      UPDATE runs SET output = @output, rendered_prompt = @renderedPrompt, status = 'done',
        stop_reason = @stopReason, error = @error, prompt_tokens = @promptTokens,
        completion_tokens = @completionTokens, ttft_ms = @ttftMs, decode_tok_per_sec = @decodeTokPerSec,
        tpot_ms = @tpotMs, itl_mean_ms = @itlMeanMs, e2e_ms = @e2eMs, chunk_times_json = @chunkTimesJson,
        attempts = @attempts, finished_at = @finishedAt, guard_json = coalesce(@guardJson, guard_json),
        image_tokens = @imageTokens, image_encode_ms = @imageEncodeMs, image_prepare_ms = @imagePrepareMs
      WHERE id = @id`);
    this.imagesStmt = db.prepare<[string], RunImageRow>('SELECT hash, sent_hash, name, width, height, bytes FROM run_images WHERE run_id = ? ORDER BY ord');
    this.insertImageStmt = db.prepare(
      'INSERT INTO run_images (run_id, ord, hash, sent_hash, name, width, height, bytes) VALUES (@runId, @ord, @hash, @sentHash, @name, @width, @height, @bytes)',
    );
    this.refsStmt = db.prepare<[], { hash: string }>('SELECT DISTINCT hash FROM run_images');
    this.getStmt = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?');
    const summaryCols = `id, source, target_kind, target_id, remote_model, adapters_json, e2e_ms, model_id, model_name, substr(user_message, 1, 200) AS user_message, status, stop_reason,
      completion_tokens, ttft_ms, decode_tok_per_sec, started_at, finished_at, substr(output, 1, 200) AS output_preview,
      (SELECT json_group_array(hash) FROM (SELECT hash FROM run_images WHERE run_id = runs.id ORDER BY ord)) AS image_hashes`;
    this.listStmt = db.prepare<[number], SummaryRow>(
      `SELECT ${summaryCols} FROM runs ORDER BY started_at DESC, id DESC LIMIT ?`,
    );
    this.listBeforeStmt = db.prepare<[number, number], SummaryRow>(
      `SELECT ${summaryCols} FROM runs WHERE started_at < ? ORDER BY started_at DESC, id DESC LIMIT ?`,
    );
    this.runningStmt = db.prepare<[], { id: string }>("SELECT id FROM runs WHERE status = 'running'");
    this.interruptStmt = db.prepare(
      "UPDATE runs SET status = 'done', stop_reason = 'interrupted', error = 'Lamplight closed while this run was in progress', finished_at = ? WHERE id = ? AND status = 'running'",
    );
  }

  insert(r: NewRun): void {
    const params: InsertParams = {
      id: r.id,
      source: r.source,
      targetKind: r.target.kind,
      targetId: r.target.kind === 'remote' ? r.target.targetId : null,
      remoteModel: r.target.kind === 'remote' ? r.target.model : null,
      adaptersJson: r.target.kind === 'local' && r.target.adapters?.length ? JSON.stringify(r.target.adapters) : null,
      modelId: r.modelId,
      modelName: r.modelName,
      systemPrompt: r.systemPrompt,
      userMessage: r.userMessage,
      variablesJson: JSON.stringify(r.variables),
      paramsJson: JSON.stringify(r.params),
      loadSettingsJson: r.loadSettings ? JSON.stringify(r.loadSettings) : null,
      jsonSchema: r.jsonSchema,
      startedAt: r.startedAt,
      guardJson: r.guard ? JSON.stringify(r.guard) : null,
      promptVersionId: r.promptVersionId ?? null,
      profileId: r.profileId ?? null,
    };
    this.insertStmt.run(params);
    this.started.set(r.id, params);
  }

  finish(id: string, o: RunOutcome): RunRecord {
    const { chunkTimesMs, guard, images = [], imageTokens = null, imageEncodeMs = null, imagePrepareMs = null, ...rest } = o;
    const f = {
      id,
      ...rest,
      imageTokens,
      imageEncodeMs,
      imagePrepareMs,
      guardJson: guard ? JSON.stringify(guard) : null,
      tpotMs: o.tpotMs ?? null,
      itlMeanMs: o.itlMeanMs ?? null,
      e2eMs: o.e2eMs ?? null,
      attempts: o.attempts ?? null,
      chunkTimesJson: JSON.stringify((chunkTimesMs ?? []).map((t) => Math.round(t * 100) / 100)),
    };
    const changed = this.finishStmt.run(f).changes;
    images.forEach((im, ord) => this.insertImageStmt.run({ runId: id, ord, hash: im.hash, sentHash: im.sentHash, name: im.name, width: im.width, height: im.height, bytes: im.bytes }));
    const s = this.started.get(id);
    this.started.delete(id);
    if (!s || changed === 0) return this.get(id) as RunRecord;
    // The row as the two statements wrote it, mapped like a read: the same record, one SELECT less per run.
    return toRun({
      id,
      source: s.source,
      target_kind: s.targetKind,
      target_id: s.targetId,
      remote_model: s.remoteModel,
      adapters_json: s.adaptersJson,
      model_id: s.modelId,
      model_name: s.modelName,
      system_prompt: s.systemPrompt,
      user_message: s.userMessage,
      variables_json: s.variablesJson,
      rendered_prompt: f.renderedPrompt,
      params_json: s.paramsJson,
      load_settings_json: s.loadSettingsJson,
      json_schema: s.jsonSchema,
      output: f.output,
      status: 'done',
      stop_reason: f.stopReason,
      error: f.error,
      prompt_tokens: f.promptTokens,
      completion_tokens: f.completionTokens,
      ttft_ms: f.ttftMs,
      decode_tok_per_sec: f.decodeTokPerSec,
      tpot_ms: f.tpotMs,
      itl_mean_ms: f.itlMeanMs,
      e2e_ms: f.e2eMs,
      chunk_times_json: f.chunkTimesJson,
      attempts: f.attempts,
      started_at: s.startedAt,
      finished_at: f.finishedAt,
      guard_json: f.guardJson ?? s.guardJson,
      prompt_version_id: s.promptVersionId,
      image_tokens: imageTokens,
      image_encode_ms: imageEncodeMs,
      image_prepare_ms: imagePrepareMs,
    }, images);
  }

  get(id: string): RunRecord | null {
    const row = this.getStmt.get(id);
    if (!row) return null;
    const images = this.imagesStmt.all(id).map((i) => ({ hash: i.hash, sentHash: i.sent_hash, name: i.name, width: i.width, height: i.height, bytes: i.bytes }));
    return toRun(row, images);
  }

  /** Every stored image a run refers to (the image store keeps them; see ImageStore.registerRefs). */
  imageRefs(): string[] {
    return this.refsStmt.all().map((r) => r.hash);
  }

  list(limit: number, before?: number): RunSummary[] {
    const rows = before === undefined ? this.listStmt.all(limit) : this.listBeforeStmt.all(before, limit);
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      target: targetOf(r),
      e2eMs: r.e2e_ms,
      modelId: r.model_id,
      modelName: r.model_name,
      userMessage: r.user_message,
      status: r.status,
      stopReason: r.stop_reason,
      completionTokens: r.completion_tokens,
      ttftMs: r.ttft_ms,
      decodeTokPerSec: r.decode_tok_per_sec,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      outputPreview: r.output_preview,
      ...(r.image_hashes && r.image_hashes !== '[]' ? { imageHashes: JSON.parse(r.image_hashes) as string[] } : {}),
    }));
  }

  /** Runs left 'running' by a previous process that died. */
  runningIds(): string[] {
    return this.runningStmt.all().map((r) => r.id);
  }

  /** Ends one of them as interrupted; null when it was not running (any more). */
  interrupt(id: string, now: number): RunRecord | null {
    return this.interruptStmt.run(now, id).changes > 0 ? this.get(id) : null;
  }
}
