import type { Migration } from './types';

export const migration0200: Migration = {
  version: 200,
  name: 'run removal: who started each run (own runs may be removed without admin), indexes for the references a removal updates',
  up: `
    -- The profile that started the run. Older runs learn it from their audit record (kind ai_call names the
    -- run); a run without one stays NULL and only an admin may remove it.
    ALTER TABLE runs ADD COLUMN profile_id TEXT;
    UPDATE runs SET profile_id = o.pid
      FROM (SELECT json_extract(body_json, '$.runId') AS rid, max(profile_id) AS pid
            FROM audit_log WHERE kind = 'ai_call' GROUP BY rid) AS o
      WHERE runs.id = o.rid;
    CREATE INDEX runs_profile ON runs (profile_id, started_at);

    -- Deleting a run looks up its children by run id; without these each removed run scans the whole table.
    CREATE INDEX eval_results_run ON eval_results (run_id);
    CREATE INDEX eval_results_judge_run ON eval_results (judge_run_id);
    CREATE INDEX comparison_runs_run ON comparison_runs (run_id);
    CREATE INDEX bench_requests_run ON bench_requests (run_id);
  `,
};
