// History's search: a LIKE scan over the runs' texts, newest first. A scan is fine for a person's run
// history (tens of thousands of rows); an FTS index can replace it when histories grow past that.
import type { RunSearchHit } from '../../shared/runs.schema';
import type { RunSource, StopReason } from '../../shared/runs.schema';
import type { Db } from '../db/openDb';
import { targetOf } from './runs.repo';

interface HitRow {
  id: string;
  source: RunSource;
  target_kind: 'local' | 'remote';
  target_id: string | null;
  remote_model: string | null;
  adapters_json: string | null;
  model_id: string | null;
  model_name: string;
  file_name: string | null;
  user_message: string;
  variables_json: string;
  status: 'running' | 'done';
  stop_reason: StopReason | null;
  completion_tokens: number | null;
  ttft_ms: number | null;
  decode_tok_per_sec: number | null;
  e2e_ms: number | null;
  started_at: number;
  finished_at: number | null;
  output_preview: string;
  image_hashes: string;
  profile_id: string | null;
}

/** `%`, `_` and the escape itself match literally. */
function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class RunSearch {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = db.prepare<{ q: string; pattern: string; limit: number }, HitRow>(`
      SELECT r.id, r.source, r.target_kind, r.target_id, r.remote_model, r.adapters_json, r.model_id, r.model_name,
        m.file_name, substr(r.user_message, 1, 2000) AS user_message, r.variables_json, r.status, r.stop_reason,
        r.completion_tokens, r.ttft_ms, r.decode_tok_per_sec, r.e2e_ms, r.started_at, r.finished_at,
        substr(r.output, 1, 200) AS output_preview, r.profile_id,
        (SELECT json_group_array(hash) FROM (SELECT hash FROM run_images WHERE run_id = r.id ORDER BY ord)) AS image_hashes
      FROM runs r LEFT JOIN models m ON m.id = r.model_id
      WHERE @q = '' OR r.user_message LIKE @pattern ESCAPE '\\' OR r.system_prompt LIKE @pattern ESCAPE '\\'
        OR r.output LIKE @pattern ESCAPE '\\' OR r.variables_json LIKE @pattern ESCAPE '\\'
        OR r.model_name LIKE @pattern ESCAPE '\\' OR m.file_name LIKE @pattern ESCAPE '\\'
      ORDER BY r.started_at DESC, r.id DESC LIMIT @limit`);
  }

  search(query: string, limit: number): RunSearchHit[] {
    const q = query.trim();
    return this.stmt.all({ q, pattern: likePattern(q), limit }).map((r) => ({
      id: r.id,
      source: r.source,
      target: targetOf(r),
      modelId: r.model_id,
      modelName: r.model_name,
      fileName: r.file_name,
      userMessage: r.user_message,
      variables: JSON.parse(r.variables_json) as Record<string, string>,
      status: r.status,
      stopReason: r.stop_reason,
      completionTokens: r.completion_tokens,
      ttftMs: r.ttft_ms,
      decodeTokPerSec: r.decode_tok_per_sec,
      e2eMs: r.e2e_ms,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      outputPreview: r.output_preview,
      profileId: r.profile_id,
      // History thumbnails of image runs; text runs keep their old shape.
      ...(r.image_hashes !== '[]' ? { imageHashes: JSON.parse(r.image_hashes) as string[] } : {}),
    }));
  }
}
