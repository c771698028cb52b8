// Team labeling in SQLite: assignments, their tasks (one row for one labeler), each labeler's own answer,
// and reviews. A claim is one UPDATE whose WHERE re-checks that the task is free, so under any number of
// concurrent claimers (threads or connections: SQLite serializes writers) a task goes to one labeler.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/openDb';

export interface AssignmentDb {
  id: string;
  dataset_id: string;
  name: string;
  mode: 'round_robin' | 'by_filter' | 'claim_next';
  filter_json: string;
  labelers_json: string;
  overlap: number;
  overlap_k: number;
  claim_ms: number;
  state: 'open' | 'closed';
  created_by: string;
  created_at: number;
}

export interface TaskDb {
  id: number;
  assignment_id: string;
  row_id: number;
  labeler_id: string | null;
  overlap: 0 | 1;
  state: 'open' | 'done';
  claimed_by: string | null;
  claim_expires: number | null;
  done_by: string | null;
  done_at: number | null;
}

export interface NewTask {
  rowId: number;
  labelerId: string | null;
  overlap: boolean;
}

export interface AnswerDb {
  row_id: number;
  labeler_id: string;
  name: string;
  patch_json: string;
  at: number;
}

export interface ReviewDb {
  id: number;
  assignment_id: string;
  row_id: number;
  reviewer_id: string;
  reviewer_name: string;
  at: number;
  kind: 'chose' | 'wrote';
  chosen_labeler_id: string | null;
  patch_json: string;
  row_version: number;
}

// Both re-check "free" in the outer WHERE: the UPDATE is one statement under SQLite's write lock.
const FREE = '(claimed_by IS NULL OR claim_expires < @now)';
export const CLAIM_OWN_SQL = `UPDATE team_tasks SET claimed_by = @l, claim_expires = @exp
  WHERE id = (SELECT id FROM team_tasks WHERE assignment_id = @a AND labeler_id = @l AND state = 'open' AND ${FREE} ORDER BY id LIMIT 1)
    AND state = 'open' AND ${FREE}
  RETURNING *`;
// A pooled task is never one whose row this labeler already holds, did, or was dealt (overlap: k different people).
export const CLAIM_POOL_SQL = `UPDATE team_tasks SET claimed_by = @l, claim_expires = @exp
  WHERE id = (
    SELECT t.id FROM team_tasks t
    WHERE t.assignment_id = @a AND t.labeler_id IS NULL AND t.state = 'open' AND (t.claimed_by IS NULL OR t.claim_expires < @now)
      AND NOT EXISTS (SELECT 1 FROM team_tasks o WHERE o.assignment_id = t.assignment_id AND o.row_id = t.row_id AND o.id != t.id
                      AND (o.labeler_id = @l OR o.done_by = @l OR (o.claimed_by = @l AND o.state = 'open')))
    ORDER BY t.id LIMIT 1)
    AND state = 'open' AND ${FREE}
  RETURNING *`;

/** An assignment's open shared pool, and per labeler their open dealt tasks and their done tasks. */
interface Tally {
  pool: number;
  remaining: Map<string, number>;
  done: Map<string, number>;
}

export class TeamRepo {
  /**
   * Counted once per assignment, then moved by complete(): a submit answers with its progress, and counting
   * the open pool of a 100,000-task claim-next assignment each time took ~9 ms (capping saves near 100/s).
   * Only complete() changes these counts once tasks exist; a transaction that rolls back after it calls
   * forget(). A commit by another connection (another process on the same file) changes SQLite's
   * data_version, and then every count is taken again.
   */
  private readonly tallies = new Map<string, Tally>();
  private seenDataVersion = -1;
  /** Statements by their SQL, prepared once: preparing on every call was a tenth of a save's CPU. */
  private readonly statements = new Map<string, Statement>();
  private readonly claimOwn;
  private readonly claimPool;
  private readonly heldStmt;
  private readonly taskStmt;
  private readonly progressStmt;

  constructor(readonly db: Db) {
    this.claimOwn = db.prepare(CLAIM_OWN_SQL);
    this.claimPool = db.prepare(CLAIM_POOL_SQL);
    this.heldStmt = db.prepare("SELECT * FROM team_tasks WHERE assignment_id = ? AND claimed_by = ? AND state = 'open' AND claim_expires >= ? ORDER BY id LIMIT 1");
    this.taskStmt = db.prepare('SELECT * FROM team_tasks WHERE id = ?');
    // Claims come and go with time (expiry), so they are counted each time: a labeler holds few.
    this.progressStmt = db.prepare("SELECT count(*) AS claimed FROM team_tasks WHERE assignment_id = @a AND claimed_by = @l AND state = 'open' AND claim_expires >= @now");
  }

  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  insertAssignment(a: AssignmentDb, tasks: readonly NewTask[]): void {
    const ins = this.sql('INSERT INTO team_tasks (assignment_id, row_id, labeler_id, overlap) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.sql(
          `INSERT INTO team_assignments (id, dataset_id, name, mode, filter_json, labelers_json, overlap, overlap_k, claim_ms, state, created_by, created_at)
           VALUES (@id, @dataset_id, @name, @mode, @filter_json, @labelers_json, @overlap, @overlap_k, @claim_ms, @state, @created_by, @created_at)`,
        )
        .run(a);
      for (const t of tasks) ins.run(a.id, t.rowId, t.labelerId, t.overlap ? 1 : 0);
    })();
  }
  assignment(id: string): AssignmentDb | null {
    return (this.sql('SELECT * FROM team_assignments WHERE id = ?').get(id) as AssignmentDb | undefined) ?? null;
  }
  assignments(datasetId?: string): AssignmentDb[] {
    return (
      datasetId === undefined
        ? this.sql('SELECT * FROM team_assignments ORDER BY created_at DESC, id DESC').all()
        : this.sql('SELECT * FROM team_assignments WHERE dataset_id = ? ORDER BY created_at DESC, id DESC').all(datasetId)
    ) as AssignmentDb[];
  }
  /** Open assignments that name this labeler. */
  assignmentsOf(labelerId: string): AssignmentDb[] {
    return this.sql("SELECT a.* FROM team_assignments a WHERE a.state = 'open' AND EXISTS (SELECT 1 FROM json_each(a.labelers_json) WHERE value = ?) ORDER BY a.created_at DESC")
      .all(labelerId) as AssignmentDb[];
  }
  setState(id: string, state: 'open' | 'closed'): void {
    this.sql('UPDATE team_assignments SET state = ? WHERE id = ?').run(state, id);
  }
  counts(id: string): { rows: number; overlapRows: number; tasks: number; done: number } {
    return this.sql(
        `SELECT count(DISTINCT row_id) AS rows, count(DISTINCT CASE WHEN overlap = 1 THEN row_id END) AS overlapRows,
                count(*) AS tasks, coalesce(sum(state = 'done'), 0) AS done
         FROM team_tasks WHERE assignment_id = ?`,
      )
      .get(id) as { rows: number; overlapRows: number; tasks: number; done: number };
  }

  // Claims
  /** The task this labeler holds now (an unexpired claim), else a newly claimed one: own first, then the pool. */
  claimNext(assignmentId: string, labelerId: string, now: number, claimMs: number): TaskDb | null {
    const held = this.heldStmt.get(assignmentId, labelerId, now) as TaskDb | undefined;
    if (held) return held;
    const p = { a: assignmentId, l: labelerId, now, exp: now + claimMs };
    return ((this.claimOwn.get(p) ?? this.claimPool.get(p)) as TaskDb | undefined) ?? null;
  }
  task(id: number): TaskDb | null {
    return (this.taskStmt.get(id) as TaskDb | undefined) ?? null;
  }
  release(taskId: number, labelerId: string): boolean {
    return this.sql("UPDATE team_tasks SET claimed_by = NULL, claim_expires = NULL WHERE id = ? AND claimed_by = ? AND state = 'open'").run(taskId, labelerId).changes > 0;
  }
  /** Marks the task done by this labeler and stores the answer; false when the task is no longer theirs to do. */
  complete(task: TaskDb, labelerId: string, patchJson: string, now: number): boolean {
    // Theirs: claimed by them (even if the claim ran out, nobody took it since), or dealt to them and not held by another.
    const n = this.sql(
        `UPDATE team_tasks SET state = 'done', done_by = @l, done_at = @now, claimed_by = NULL, claim_expires = NULL
         WHERE id = @id AND state = 'open' AND (claimed_by = @l OR (labeler_id = @l AND (claimed_by IS NULL OR claim_expires < @now)))`,
      )
      .run({ id: task.id, l: labelerId, now }).changes;
    if (n === 0) return false;
    this.sql('INSERT INTO team_labels (task_id, assignment_id, row_id, labeler_id, patch_json, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(task.id, task.assignment_id, task.row_id, labelerId, patchJson, now);
    const t = this.tallies.get(task.assignment_id);
    if (t) {
      t.done.set(labelerId, (t.done.get(labelerId) ?? 0) + 1);
      if (task.labeler_id === null) t.pool--;
      else t.remaining.set(task.labeler_id, (t.remaining.get(task.labeler_id) ?? 0) - 1);
    }
    return true;
  }
  /** Drops the kept counts of an assignment (after a rolled-back completion): counted again on next use. */
  forget(assignmentId: string): void {
    this.tallies.delete(assignmentId);
  }
  private tally(assignmentId: string): Tally {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version !== this.seenDataVersion) {
      this.tallies.clear();
      this.seenDataVersion = version;
    }
    let t = this.tallies.get(assignmentId);
    if (!t) {
      const grouped = (sql: string) => new Map((this.sql(sql).all(assignmentId) as { k: string; n: number }[]).map((r) => [r.k, r.n]));
      t = {
        pool: (this.sql("SELECT count(*) AS n FROM team_tasks WHERE assignment_id = ? AND labeler_id IS NULL AND state = 'open'").get(assignmentId) as { n: number }).n,
        remaining: grouped("SELECT labeler_id AS k, count(*) AS n FROM team_tasks WHERE assignment_id = ? AND labeler_id IS NOT NULL AND state = 'open' GROUP BY labeler_id"),
        done: grouped('SELECT done_by AS k, count(*) AS n FROM team_tasks WHERE assignment_id = ? AND done_by IS NOT NULL GROUP BY done_by'),
      };
      this.tallies.set(assignmentId, t);
    }
    return t;
  }
  /** done, remaining (dealt to them, open), claimed (held now) for one labeler, and the open shared pool. */
  progress(assignmentId: string, labelerId: string, now: number): { done: number; remaining: number; pool: number; claimed: number } {
    const t = this.tally(assignmentId);
    const { claimed } = this.progressStmt.get({ a: assignmentId, l: labelerId, now }) as { claimed: number };
    return { done: t.done.get(labelerId) ?? 0, remaining: t.remaining.get(labelerId) ?? 0, pool: t.pool, claimed };
  }

  /** progress() of every labeler at once: grouped counts, the shared pool counted once. */
  allProgress(assignmentId: string, now: number): { pool: number; of(labelerId: string): { done: number; remaining: number; claimed: number } } {
    const { pool, done, remaining } = this.tally(assignmentId);
    const claimed = new Map(
      (this.sql("SELECT claimed_by AS k, count(*) AS n FROM team_tasks WHERE assignment_id = ? AND claimed_by IS NOT NULL AND state = 'open' AND claim_expires >= ? GROUP BY claimed_by").all(assignmentId, now) as { k: string; n: number }[]).map((r) => [r.k, r.n]),
    );
    return { pool, of: (l) => ({ done: done.get(l) ?? 0, remaining: remaining.get(l) ?? 0, claimed: claimed.get(l) ?? 0 }) };
  }

  // Answers and reviews
  /** Every labeler's answer on the rows that have more than one (the overlapped rows). */
  overlapAnswers(assignmentId: string): AnswerDb[] {
    return this.sql(
        `SELECT l.row_id, l.labeler_id, p.name, l.patch_json, l.at FROM team_labels l JOIN profiles p ON p.id = l.labeler_id
         WHERE l.assignment_id = ? AND l.row_id IN (SELECT row_id FROM team_labels WHERE assignment_id = ? GROUP BY row_id HAVING count(*) >= 2)
         ORDER BY l.row_id, l.at`,
      )
      .all(assignmentId, assignmentId) as AnswerDb[];
  }
  answersFor(assignmentId: string, rowId: number): AnswerDb[] {
    return this.sql('SELECT l.row_id, l.labeler_id, p.name, l.patch_json, l.at FROM team_labels l JOIN profiles p ON p.id = l.labeler_id WHERE l.assignment_id = ? AND l.row_id = ? ORDER BY l.at')
      .all(assignmentId, rowId) as AnswerDb[];
  }
  /** Rows some labeler rejected, not reviewed yet. */
  rejectedRows(assignmentId: string, limit: number): number[] {
    return (
      this.sql(
          `SELECT DISTINCT row_id FROM team_labels WHERE assignment_id = ? AND json_extract(patch_json, '$.status') = 'rejected'
             AND row_id NOT IN (SELECT row_id FROM team_reviews WHERE assignment_id = ?) ORDER BY row_id LIMIT ?`,
        )
        .all(assignmentId, assignmentId, limit) as { row_id: number }[]
    ).map((r) => r.row_id);
  }
  /** Rows whose overlapped tasks are all done. */
  completeOverlapRows(assignmentId: string): Set<number> {
    const rows = this.sql("SELECT row_id FROM team_tasks WHERE assignment_id = ? AND overlap = 1 GROUP BY row_id HAVING sum(state = 'open') = 0")
      .all(assignmentId) as { row_id: number }[];
    return new Set(rows.map((r) => r.row_id));
  }
  openTasksOfRow(assignmentId: string, rowId: number): number {
    return (this.sql("SELECT count(*) AS n FROM team_tasks WHERE assignment_id = ? AND row_id = ? AND state = 'open'").get(assignmentId, rowId) as { n: number }).n;
  }
  reviewedRows(assignmentId: string): Set<number> {
    return new Set((this.sql('SELECT DISTINCT row_id FROM team_reviews WHERE assignment_id = ?').all(assignmentId) as { row_id: number }[]).map((r) => r.row_id));
  }
  insertReview(r: Omit<ReviewDb, 'id' | 'reviewer_name'>): number {
    return Number(
      this.sql(
          `INSERT INTO team_reviews (assignment_id, row_id, reviewer_id, at, kind, chosen_labeler_id, patch_json, row_version)
           VALUES (@assignment_id, @row_id, @reviewer_id, @at, @kind, @chosen_labeler_id, @patch_json, @row_version)`,
        )
        .run(r).lastInsertRowid,
    );
  }
  reviews(assignmentId: string, rowId?: number): ReviewDb[] {
    const base = 'SELECT r.*, p.name AS reviewer_name FROM team_reviews r JOIN profiles p ON p.id = r.reviewer_id WHERE r.assignment_id = ?';
    return (rowId === undefined ? this.sql(`${base} ORDER BY r.id`).all(assignmentId) : this.sql(`${base} AND r.row_id = ? ORDER BY r.id`).all(assignmentId, rowId)) as ReviewDb[];
  }
  perHour(assignmentId: string): { labelerId: string; name: string; hourStart: number; rows: number }[] {
    return this.sql(
        `SELECT l.labeler_id AS labelerId, p.name AS name, (l.at / 3600000) * 3600000 AS hourStart, count(*) AS rows
         FROM team_labels l JOIN profiles p ON p.id = l.labeler_id WHERE l.assignment_id = ? GROUP BY l.labeler_id, hourStart ORDER BY hourStart, name`,
      )
      .all(assignmentId) as { labelerId: string; name: string; hourStart: number; rows: number }[];
  }
}
