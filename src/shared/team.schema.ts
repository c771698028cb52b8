// Team labeling: a dataset (or a filtered slice) split into tasks for labelers, claimed one at a time; a
// share of rows labelled by k people for agreement; review of disagreements and rejected rows. Labelers'
// commands act only on the acting profile's own queue; everything that reads across labelers needs
// review (reviewers, admins, prompt engineers); starting and closing an assignment needs manageData.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { DatasetRow, LabelPatch, RowFilter } from './datasets.schema';
import { Id } from './ids';

export const AssignMode = z.enum(['round_robin', 'by_filter', 'claim_next']);
export type AssignMode = z.infer<typeof AssignMode>;

export const DEFAULT_CLAIM_MINUTES = 30;

export const StartAssignment = z
  .object({
    datasetId: Id,
    name: z.string().trim().min(1).max(200).optional(),
    /** round_robin: rows dealt in turn; by_filter: each labeler gets the rows of their filter; claim_next: one shared pool. */
    mode: AssignMode.default('claim_next'),
    /** The slice of the dataset to label (the datasets' row filter); default: every row. */
    filter: RowFilter.default(RowFilter.parse({})),
    /** Profiles that label; default: every profile with the labeler role. */
    labelerIds: z.array(Id).max(200).default([]),
    /** by_filter: which rows each labeler gets; rows no part selects go to the shared pool. */
    parts: z.array(z.object({ labelerId: Id, filter: RowFilter })).max(200).default([]),
    /** Share of rows that go to `overlapK` labelers each, for agreement. */
    overlap: z.number().min(0).max(1).default(0.1),
    overlapK: z.number().int().min(2).max(20).default(2),
    /** How long a claimed row stays with its labeler before it returns to the queue. */
    claimMinutes: z.number().min(0.001).max(7 * 24 * 60).default(DEFAULT_CLAIM_MINUTES),
    seed: z.number().int().default(42),
  })
  .strict();
export type StartAssignment = z.infer<typeof StartAssignment>;
export type StartAssignmentInput = z.input<typeof StartAssignment>;

export const Assignment = z.object({
  id: Id,
  datasetId: Id,
  name: z.string(),
  mode: AssignMode,
  labelerIds: z.array(Id),
  overlap: z.number(),
  overlapK: z.number().int(),
  claimMinutes: z.number(),
  state: z.enum(['open', 'closed']),
  rows: z.number().int(),
  overlapRows: z.number().int(),
  tasks: z.number().int(),
  done: z.number().int(),
  createdBy: Id,
  createdAt: z.number(),
});
export type Assignment = z.infer<typeof Assignment>;

/** One labeler's queue in one assignment. `pool`: unclaimed shared rows anyone in it may take. */
export const QueueProgress = z.object({
  assignmentId: Id,
  labelerId: Id,
  done: z.number().int(),
  /** Open tasks dealt to this labeler. */
  remaining: z.number().int(),
  pool: z.number().int(),
  claimed: z.number().int(),
});
export type QueueProgress = z.infer<typeof QueueProgress>;

export const MyQueue = QueueProgress.extend({ name: z.string(), datasetId: Id, mode: AssignMode });
export type MyQueue = z.infer<typeof MyQueue>;

export const Task = z.object({
  taskId: z.number().int(),
  assignmentId: Id,
  rowId: z.number().int(),
  /** Labelled by several people: the answer is stored per labeler and compared, not written to the row. */
  overlap: z.boolean(),
  claimExpires: z.number(),
  /** The row as it is now; a save sends row.version back as baseVersion. */
  row: DatasetRow,
});
export type Task = z.infer<typeof Task>;

/** A statistic, or null with the reason it is undefined for this data. */
export const Stat = z.object({ value: z.number().nullable(), reason: z.string().nullable(), units: z.number().int() });
export type Stat = z.infer<typeof Stat>;

export const FieldAgreement = z.object({
  /** `status`, `rating`, or a field of the dataset's label schema. */
  field: z.string(),
  level: z.enum(['nominal', 'ordinal']),
  labelers: z.number().int(),
  percent: Stat,
  /** Two labelers only. */
  cohen: Stat,
  fleiss: Stat,
  alpha: Stat,
});
export type FieldAgreement = z.infer<typeof FieldAgreement>;

/** One labeler against the others, on the rows they labelled together. */
export const LabelerAgreement = z.object({
  labelerId: Id,
  name: z.string(),
  field: z.string(),
  pairs: z.number().int(),
  percent: z.number().nullable(),
  kappa: Stat,
});
export type LabelerAgreement = z.infer<typeof LabelerAgreement>;

export const AgreementPoint = z.object({ bucketStart: z.number(), field: z.string(), units: z.number().int(), percent: z.number().nullable(), alpha: z.number().nullable() });
export type AgreementPoint = z.infer<typeof AgreementPoint>;

export const AgreementReport = z.object({
  assignmentId: Id,
  /** Overlapped rows with two or more answers. */
  units: z.number().int(),
  fields: z.array(FieldAgreement),
  labelers: z.array(LabelerAgreement),
  /** Per time bucket (by when a row's last answer arrived), for a chart. */
  overTime: z.array(AgreementPoint),
});
export type AgreementReport = z.infer<typeof AgreementReport>;

export const TeamDashboard = z.object({
  assignmentId: Id,
  /** Rows labelled per labeler per hour (hourStart: ms at the start of the hour). */
  perHour: z.array(z.object({ labelerId: Id, name: z.string(), hourStart: z.number(), rows: z.number().int() })),
  queues: z.array(QueueProgress.extend({ name: z.string() })),
  agreementOverTime: z.array(AgreementPoint),
});
export type TeamDashboard = z.infer<typeof TeamDashboard>;

export const LabelerAnswer = z.object({ labelerId: Id, name: z.string(), patch: LabelPatch, at: z.number() });
export const ReviewRecord = z.object({
  id: z.number().int(),
  rowId: z.number().int(),
  reviewerId: Id,
  reviewerName: z.string(),
  at: z.number(),
  kind: z.enum(['chose', 'wrote']),
  chosenLabelerId: Id.nullable(),
  patch: LabelPatch,
  rowVersion: z.number().int(),
});
export type ReviewRecord = z.infer<typeof ReviewRecord>;

export const ReviewItem = z.object({
  rowId: z.number().int(),
  reason: z.enum(['disagreement', 'rejected']),
  /** Fields on which the answers differ. */
  fields: z.array(z.string()),
  answers: z.array(LabelerAnswer),
  row: DatasetRow,
});
export type ReviewItem = z.infer<typeof ReviewItem>;

const AssignmentId = { assignmentId: Id };

export const teamCommands = {
  'team.start': { input: StartAssignment, output: Assignment, permission: 'manageData' },
  'team.assignments': { input: z.object({ datasetId: Id.optional() }).strict(), output: z.array(Assignment), permission: 'review' },
  'team.close': { input: z.object(AssignmentId), output: Assignment, permission: 'manageData' },
  /** The acting profile's own queues (never another labeler's). */
  'team.myQueues': { input: Empty, output: z.array(MyQueue), permission: 'label' },
  /** Claims the acting labeler's next row (or returns the one it already holds); null when none is left. */
  'team.next': { input: z.object(AssignmentId), output: z.object({ task: Task.nullable() }), permission: 'label' },
  'team.release': { input: z.object({ taskId: z.number().int() }), output: z.object({ released: z.boolean() }), permission: 'label' },
  /** Saves the acting labeler's answer; a row changed since baseVersion fails with CONFLICT and both values. */
  'team.submit': {
    input: z.object({ taskId: z.number().int(), patch: LabelPatch, baseVersion: z.number().int().min(0).optional() }),
    output: QueueProgress,
    permission: 'label',
  },
  'team.queues': { input: z.object(AssignmentId), output: z.array(QueueProgress.extend({ name: z.string() })), permission: 'review' },
  'team.agreement': {
    input: z.object({ ...AssignmentId, bucketMs: z.number().int().min(60_000).default(3_600_000) }),
    output: AgreementReport,
    permission: 'review',
  },
  'team.dashboard': { input: z.object(AssignmentId), output: TeamDashboard, permission: 'review' },
  /** Overlapped rows whose answers differ, and rows a labeler rejected, not yet resolved. */
  'team.reviewQueue': { input: z.object({ ...AssignmentId, limit: z.number().int().min(1).max(500).default(100) }), output: z.array(ReviewItem), permission: 'review' },
  /** Makes one labeler's answer (chooseLabelerId) or a new one (patch) the row's label, which export reads. */
  'team.resolve': {
    input: z
      .object({ ...AssignmentId, rowId: z.number().int(), chooseLabelerId: Id.nullable().default(null), patch: LabelPatch.nullable().default(null), baseVersion: z.number().int().min(0).optional() })
      .refine((r) => (r.chooseLabelerId === null) !== (r.patch === null), 'give either chooseLabelerId or patch'),
    output: z.object({ row: DatasetRow, review: ReviewRecord }),
    permission: 'review',
  },
  'team.reviews': { input: z.object({ ...AssignmentId, rowId: z.number().int().optional() }), output: z.array(ReviewRecord), permission: 'review' },
} as const satisfies Record<string, CommandSpec>;

export const teamEvents = {
  /** A labeler's progress changed; reaches reviewers and the labeler it concerns, no other labeler. */
  'team.progress': { payload: QueueProgress, permission: 'review' },
} as const satisfies Record<string, EventSpec>;

/** The one profile besides reviewers that a team event concerns. */
export function teamEventProfile(name: string, payload: unknown): string | null {
  return name === 'team.progress' ? ((payload as QueueProgress).labelerId ?? null) : null;
}
