// Team labeling: splits a dataset slice into tasks (round-robin, by filter, or a shared claim-next pool),
// serves each labeler its next row under a timed claim, keeps every labeler's own answer on overlapped
// rows, measures agreement on them, and lets a reviewer resolve disagreements and rejected rows into the
// row's label (the one export reads). Every save names the row version it read; a stale one is refused.
import { EventEmitter } from 'node:events';
import type { LabelPatch } from '../../shared/datasets.schema';
import { ulid } from '../../shared/ids';
import { mulberry32 } from '../../shared/prng';
import { can } from '../../shared/roles';
import type { AgreementReport, Assignment, MyQueue, QueueProgress, ReviewItem, ReviewRecord, StartAssignment, Task, TeamDashboard } from '../../shared/team.schema';
import { CoreError } from '../errors';
import { checkLabels, type DatasetsService } from '../datasets/datasets.service';
import { RowConflictError } from '../datasets/rowConflict';
import type { ProfilesService } from '../profiles/profiles.service';
import type { AnswerDb, AssignmentDb, NewTask, ReviewDb, TaskDb, TeamRepo } from './team.repo';
import { agreementReport, differingFields, type Answer } from './teamAgreement';

export interface TeamDeps {
  repo: TeamRepo;
  datasets: DatasetsService;
  profiles: ProfilesService;
  now?: () => number;
}

const answerOf = (a: AnswerDb): Answer => ({ rowId: a.row_id, labelerId: a.labeler_id, name: a.name, patch: JSON.parse(a.patch_json) as LabelPatch, at: a.at });

export class TeamService extends EventEmitter<{ progress: [QueueProgress] }> {
  private readonly repo: TeamRepo;
  private readonly now: () => number;

  constructor(private readonly deps: TeamDeps) {
    super();
    this.repo = deps.repo;
    this.now = deps.now ?? Date.now;
  }

  // Assignments
  start(input: StartAssignment): Assignment {
    const ds = this.deps.datasets.get(input.datasetId);
    const labelers = this.labelersFor(input);
    if (input.overlap > 0 && input.overlapK > labelers.length) {
      throw new CoreError('BAD_INPUT', `overlapK: ${input.overlapK} labelers per overlapped row, but the assignment has ${labelers.length}`);
    }
    const rowIds = this.deps.datasets.rowIds(ds.id, input.filter);
    if (rowIds.length === 0) throw new CoreError('BAD_INPUT', `filter: selects no rows of dataset "${ds.name}"`);
    // Which rows overlap: a seeded shuffle, so the same request picks the same rows.
    const rand = mulberry32(input.seed);
    const order = rowIds.map((id) => ({ id, r: rand() })).sort((a, b) => a.r - b.r);
    const overlapped = new Set(order.slice(0, Math.round(input.overlap * rowIds.length)).map((o) => o.id));
    const tasks = this.deal(input, rowIds, overlapped, labelers);
    const a: AssignmentDb = {
      id: ulid(),
      dataset_id: ds.id,
      name: input.name ?? `${ds.name} ${new Date(this.now()).toISOString().slice(0, 16).replace('T', ' ')}`,
      mode: input.mode,
      filter_json: JSON.stringify(input.filter),
      labelers_json: JSON.stringify(labelers),
      overlap: input.overlap,
      overlap_k: input.overlapK,
      claim_ms: Math.round(input.claimMinutes * 60_000),
      state: 'open',
      created_by: this.deps.profiles.actor().id,
      created_at: this.now(),
    };
    this.repo.insertAssignment(a, tasks);
    return this.view(a);
  }

  private labelersFor(input: StartAssignment): string[] {
    const profiles = this.deps.profiles.list();
    const ids = [...new Set([...input.labelerIds, ...input.parts.map((p) => p.labelerId)])];
    const chosen = ids.length > 0 ? ids : profiles.filter((p) => p.role === 'labeler').map((p) => p.id);
    if (chosen.length === 0) throw new CoreError('BAD_INPUT', 'labelerIds: none given and no profile has the labeler role; create labelers first');
    for (const id of chosen) {
      const p = profiles.find((x) => x.id === id);
      if (!p) throw new CoreError('NOT_FOUND', `labelerIds: no profile ${id}`);
      if (!can(p.role, 'team.submit')) throw new CoreError('BAD_INPUT', `labelerIds: ${p.name} (${p.role}) may not label`);
    }
    return chosen;
  }

  /** The tasks of each mode; an overlapped row gets k tasks, for k different labelers. */
  private deal(input: StartAssignment, rowIds: number[], overlapped: Set<number>, labelers: string[]): NewTask[] {
    const k = input.overlapK;
    const tasks: NewTask[] = [];
    const spread = (rowId: number, first: number) => {
      for (let m = 0; m < k; m++) tasks.push({ rowId, labelerId: labelers[(first + m) % labelers.length] as string, overlap: true });
    };
    if (input.mode === 'claim_next') {
      for (const id of rowIds) for (let m = 0; m < (overlapped.has(id) ? k : 1); m++) tasks.push({ rowId: id, labelerId: null, overlap: overlapped.has(id) });
    } else if (input.mode === 'round_robin') {
      rowIds.forEach((id, turn) => (overlapped.has(id) ? spread(id, turn) : tasks.push({ rowId: id, labelerId: labelers[turn % labelers.length] as string, overlap: false })));
    } else {
      if (input.parts.length === 0) throw new CoreError('BAD_INPUT', 'parts: by_filter needs one filter per labeler');
      const owner = new Map<number, string>();
      for (const part of input.parts) for (const id of this.deps.datasets.rowIds(input.datasetId, part.filter)) if (!owner.has(id)) owner.set(id, part.labelerId);
      for (const id of rowIds) {
        const o = owner.get(id);
        if (o === undefined) for (let m = 0; m < (overlapped.has(id) ? k : 1); m++) tasks.push({ rowId: id, labelerId: null, overlap: overlapped.has(id) });
        else if (overlapped.has(id)) spread(id, labelers.indexOf(o));
        else tasks.push({ rowId: id, labelerId: o, overlap: false });
      }
    }
    return tasks;
  }

  private assignment(id: string): AssignmentDb {
    const a = this.repo.assignment(id);
    if (!a) throw new CoreError('NOT_FOUND', `assignmentId: no assignment ${id}`);
    return a;
  }
  private view(a: AssignmentDb): Assignment {
    return {
      id: a.id,
      datasetId: a.dataset_id,
      name: a.name,
      mode: a.mode,
      labelerIds: JSON.parse(a.labelers_json) as string[],
      overlap: a.overlap,
      overlapK: a.overlap_k,
      claimMinutes: a.claim_ms / 60_000,
      state: a.state,
      ...this.repo.counts(a.id),
      createdBy: a.created_by,
      createdAt: a.created_at,
    };
  }
  assignments(datasetId?: string): Assignment[] {
    return this.repo.assignments(datasetId).map((a) => this.view(a));
  }
  close(id: string): Assignment {
    this.assignment(id);
    this.repo.setState(id, 'closed');
    return this.view(this.assignment(id));
  }

  // A labeler's own queue: always the acting profile's
  private member(a: AssignmentDb): string {
    const me = this.deps.profiles.actor();
    if (!(JSON.parse(a.labelers_json) as string[]).includes(me.id)) throw new CoreError('FORBIDDEN', `${me.name} is not a labeler of assignment "${a.name}"`);
    if (a.state !== 'open') throw new CoreError('CONFLICT', `assignment "${a.name}" is closed`);
    return me.id;
  }
  private progress(assignmentId: string, labelerId: string): QueueProgress {
    return { assignmentId, labelerId, ...this.repo.progress(assignmentId, labelerId, this.now()) };
  }
  myQueues(): MyQueue[] {
    const me = this.deps.profiles.actor();
    return this.repo.assignmentsOf(me.id).map((a) => ({ ...this.progress(a.id, me.id), name: a.name, datasetId: a.dataset_id, mode: a.mode }));
  }
  next(assignmentId: string): Task | null {
    const a = this.assignment(assignmentId);
    const me = this.member(a);
    const t = this.repo.claimNext(a.id, me, this.now(), a.claim_ms);
    if (!t) return null;
    return { taskId: t.id, assignmentId: a.id, rowId: t.row_id, overlap: t.overlap === 1, claimExpires: t.claim_expires as number, row: this.deps.datasets.row(a.dataset_id, t.row_id) };
  }
  release(taskId: number): boolean {
    return this.repo.release(taskId, this.deps.profiles.actor().id);
  }

  /**
   * Stores the labeler's answer. A row only they label gets it as its label (with the version check); an
   * overlapped row keeps it per labeler, and once all k answered and agree, their common answer.
   */
  submit(taskId: number, patch: LabelPatch, baseVersion?: number): QueueProgress {
    const task = this.repo.task(taskId);
    if (!task) throw new CoreError('NOT_FOUND', `taskId: no task ${taskId}`);
    const a = this.assignment(task.assignment_id);
    const me = this.member(a);
    const schema = this.deps.datasets.labelSchema(a.dataset_id);
    checkLabels(schema, patch.labels ?? {});
    const now = this.now();
    const save = this.repo.db.transaction(() => {
      if (!this.repo.complete(task, me, JSON.stringify(patch), now)) throw this.notYours(task, me);
      if (task.overlap === 0) {
        this.deps.datasets.label(a.dataset_id, task.row_id, me, patch, baseVersion);
        return;
      }
      if (this.repo.openTasksOfRow(a.id, task.row_id) > 0) return;
      const answers = this.repo.answersFor(a.id, task.row_id).map(answerOf);
      if (differingFields(answers, schema).length > 0) return; // left for review
      try {
        this.deps.datasets.label(a.dataset_id, task.row_id, me, Object.assign({}, ...answers.map((x) => x.patch)) as LabelPatch, baseVersion);
      } catch (e) {
        // Someone changed the row meanwhile: the agreed answer waits for a reviewer instead of overwriting it.
        if (!(e instanceof RowConflictError)) throw e;
      }
    });
    try {
      save();
    } catch (e) {
      this.repo.forget(a.id); // complete() may have counted a task the rollback reopened
      throw e;
    }
    const p = this.progress(a.id, me);
    this.emit('progress', p);
    return p;
  }
  private notYours(task: TaskDb, me: string): CoreError {
    const now = this.repo.task(task.id) as TaskDb;
    if (now.state === 'done') return new CoreError('CONFLICT', `task ${task.id} (row ${task.row_id}) was already submitted`);
    if (now.claimed_by !== null && now.claimed_by !== me) {
      return new CoreError('CONFLICT', `task ${task.id} (row ${task.row_id}) is held by another labeler (a claim you had ran out, or it was never yours); nothing was saved`);
    }
    return new CoreError('FORBIDDEN', `task ${task.id} (row ${task.row_id}) is not in your queue; claim it with team.next first`);
  }

  // Across labelers (reviewers)
  queues(assignmentId: string): (QueueProgress & { name: string })[] {
    const a = this.assignment(assignmentId);
    const names = new Map(this.deps.profiles.list().map((p) => [p.id, p.name]));
    const all = this.repo.allProgress(a.id, this.now());
    return (JSON.parse(a.labelers_json) as string[]).map((id) => ({ assignmentId: a.id, labelerId: id, ...all.of(id), pool: all.pool, name: names.get(id) ?? id }));
  }
  agreement(assignmentId: string, bucketMs = 3_600_000): AgreementReport {
    const a = this.assignment(assignmentId);
    return agreementReport(a.id, this.repo.overlapAnswers(a.id).map(answerOf), this.deps.datasets.labelSchema(a.dataset_id), bucketMs);
  }
  dashboard(assignmentId: string): TeamDashboard {
    return { assignmentId, perHour: this.repo.perHour(this.assignment(assignmentId).id), queues: this.queues(assignmentId), agreementOverTime: this.agreement(assignmentId).overTime };
  }

  // Review
  reviewQueue(assignmentId: string, limit: number): ReviewItem[] {
    const a = this.assignment(assignmentId);
    const schema = this.deps.datasets.labelSchema(a.dataset_id);
    const complete = this.repo.completeOverlapRows(a.id);
    const reviewed = this.repo.reviewedRows(a.id);
    const byRow = new Map<number, Answer[]>();
    for (const x of this.repo.overlapAnswers(a.id)) if (complete.has(x.row_id) && !reviewed.has(x.row_id)) byRow.set(x.row_id, [...(byRow.get(x.row_id) ?? []), answerOf(x)]);
    const items: ReviewItem[] = [];
    for (const [rowId, answers] of byRow) {
      if (items.length >= limit) break;
      const fields = differingFields(answers, schema);
      if (fields.length > 0) items.push({ rowId, reason: 'disagreement', fields, answers: answers.map(({ labelerId, name, patch, at }) => ({ labelerId, name, patch, at })), row: this.deps.datasets.row(a.dataset_id, rowId) });
    }
    const listed = new Set(items.map((i) => i.rowId));
    for (const rowId of this.repo.rejectedRows(a.id, limit)) {
      if (items.length >= limit) break;
      if (listed.has(rowId)) continue;
      const answers = this.repo.answersFor(a.id, rowId).map(answerOf);
      items.push({ rowId, reason: 'rejected', fields: ['status'], answers: answers.map(({ labelerId, name, patch, at }) => ({ labelerId, name, patch, at })), row: this.deps.datasets.row(a.dataset_id, rowId) });
    }
    return items;
  }
  resolve(input: { assignmentId: string; rowId: number; chooseLabelerId: string | null; patch: LabelPatch | null; baseVersion?: number }): { row: ReturnType<DatasetsService['row']>; review: ReviewRecord } {
    const a = this.assignment(input.assignmentId);
    const answers = this.repo.answersFor(a.id, input.rowId);
    if (answers.length === 0) throw new CoreError('NOT_FOUND', `rowId: row ${input.rowId} has no answers in assignment "${a.name}"`);
    let patch = input.patch;
    if (input.chooseLabelerId !== null) {
      const chosen = answers.find((x) => x.labeler_id === input.chooseLabelerId);
      if (!chosen) throw new CoreError('NOT_FOUND', `chooseLabelerId: ${input.chooseLabelerId} gave no answer for row ${input.rowId}`);
      patch = JSON.parse(chosen.patch_json) as LabelPatch;
    }
    const reviewer = this.deps.profiles.actor();
    const now = this.now();
    return this.repo.db.transaction(() => {
      const row = this.deps.datasets.label(a.dataset_id, input.rowId, reviewer.id, patch as LabelPatch, input.baseVersion);
      const r: Omit<ReviewDb, 'id' | 'reviewer_name'> = {
        assignment_id: a.id,
        row_id: input.rowId,
        reviewer_id: reviewer.id,
        at: now,
        kind: input.chooseLabelerId !== null ? 'chose' : 'wrote',
        chosen_labeler_id: input.chooseLabelerId,
        patch_json: JSON.stringify(patch),
        row_version: row.version ?? 0,
      };
      const id = this.repo.insertReview(r);
      return { row, review: reviewOf({ ...r, id, reviewer_name: reviewer.name }) };
    })();
  }
  reviews(assignmentId: string, rowId?: number): ReviewRecord[] {
    return this.repo.reviews(this.assignment(assignmentId).id, rowId).map(reviewOf);
  }
}

function reviewOf(r: ReviewDb): ReviewRecord {
  return { id: r.id, rowId: r.row_id, reviewerId: r.reviewer_id, reviewerName: r.reviewer_name, at: r.at, kind: r.kind, chosenLabelerId: r.chosen_labeler_id, patch: JSON.parse(r.patch_json) as LabelPatch, rowVersion: r.row_version };
}
