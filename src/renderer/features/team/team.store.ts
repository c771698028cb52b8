// The Team view's state: my queues and the row I hold (labelers), and for reviewers the assignments, the
// one selected with its agreement, dashboard, review queue and resolutions. SQLite is the truth; this caches views.
import { create } from 'zustand';
import type { DatasetSummary, LabelPatch, LabelSchema } from '../../../shared/datasets.schema';
import type { Profile } from '../../../shared/profiles.schema';
import type { AgreementReport, Assignment, MyQueue, ReviewItem, ReviewRecord, Task, TeamDashboard } from '../../../shared/team.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import { EMPTY_START, toStartInput, type StartForm } from './teamView';

interface TeamStore {
  queues: MyQueue[];
  task: Task | null;
  schema: LabelSchema | null;
  labelError: ShownError | null;
  busy: boolean;

  datasets: DatasetSummary[];
  profiles: Profile[];
  /** The label schema of the dataset picked in the start form (its label filter's choices). */
  startSchema: LabelSchema | null;
  assignments: Assignment[];
  selected: string | null;
  agreement: AgreementReport | null;
  dashboard: TeamDashboard | null;
  review: ReviewItem[];
  /** The selected assignment's resolutions, who and when. */
  reviews: ReviewRecord[];
  /** The selected assignment's dataset's label schema (the reviewer's answer editor). */
  reviewSchema: LabelSchema | null;
  startForm: StartForm;
  reviewError: ShownError | null;

  loadMine(): Promise<void>;
  next(assignmentId: string): Promise<void>;
  submit(patch: LabelPatch): Promise<void>;
  release(): Promise<void>;

  loadReviewer(): Promise<void>;
  select(assignmentId: string): Promise<void>;
  setStartForm(change: Partial<StartForm>): void;
  start(): Promise<void>;
  resolve(rowId: number, choice: { labelerId: string } | { patch: LabelPatch }, baseVersion: number | undefined): Promise<void>;
}

export const useTeamStore = create<TeamStore>()((set, get) => ({
  queues: [],
  task: null,
  schema: null,
  labelError: null,
  busy: false,
  datasets: [],
  profiles: [],
  startSchema: null,
  assignments: [],
  selected: null,
  agreement: null,
  dashboard: null,
  review: [],
  reviews: [],
  reviewSchema: null,
  startForm: EMPTY_START,
  reviewError: null,

  async loadMine() {
    try {
      set({ queues: await api.invoke('team.myQueues', {}), labelError: null });
    } catch (e) {
      set({ labelError: toShownError(e) });
    }
  },
  async next(assignmentId) {
    set({ busy: true, labelError: null });
    try {
      const { task } = await api.invoke('team.next', { assignmentId });
      const q = get().queues.find((x) => x.assignmentId === assignmentId);
      const schema = q ? (await api.invoke('datasets.get', { datasetId: q.datasetId })).labelSchema : null;
      set({ task, schema });
    } catch (e) {
      set({ labelError: toShownError(e) });
    } finally {
      set({ busy: false });
    }
  },
  async submit(patch) {
    const task = get().task;
    if (!task) return;
    set({ busy: true, labelError: null });
    try {
      await api.invoke('team.submit', { taskId: task.taskId, patch, ...(task.row.version !== undefined ? { baseVersion: task.row.version } : {}) });
      await get().loadMine();
      await get().next(task.assignmentId);
    } catch (e) {
      // A conflict names both answers; the task stays claimed, so a reload shows the stored row.
      set({ labelError: toShownError(e) });
    } finally {
      set({ busy: false });
    }
  },
  async release() {
    const task = get().task;
    if (!task) return;
    await api.invoke('team.release', { taskId: task.taskId }).catch(() => undefined);
    set({ task: null });
    await get().loadMine();
  },

  async loadReviewer() {
    try {
      const [datasets, assignments, profiles] = await Promise.all([api.invoke('datasets.list', {}), api.invoke('team.assignments', {}), api.invoke('profiles.list', {})]);
      set({ datasets, assignments, profiles, reviewError: null });
      const sel = get().selected ?? assignments[0]?.id ?? null;
      if (sel) await get().select(sel);
    } catch (e) {
      set({ reviewError: toShownError(e) });
    }
  },
  async select(assignmentId) {
    set({ selected: assignmentId });
    try {
      const datasetId = get().assignments.find((a) => a.id === assignmentId)?.datasetId;
      const [agreement, dashboard, review, reviews, info] = await Promise.all([
        api.invoke('team.agreement', { assignmentId }),
        api.invoke('team.dashboard', { assignmentId }),
        api.invoke('team.reviewQueue', { assignmentId }),
        api.invoke('team.reviews', { assignmentId }),
        datasetId ? api.invoke('datasets.get', { datasetId }) : Promise.resolve(null),
      ]);
      if (get().selected === assignmentId) set({ agreement, dashboard, review, reviews, reviewSchema: info?.labelSchema ?? null, reviewError: null });
    } catch (e) {
      set({ reviewError: toShownError(e) });
    }
  },
  setStartForm(change) {
    const before = get().startForm;
    set({ startForm: { ...before, ...change } });
    // A new dataset: its label options for the filters, and the old dataset's label filters dropped.
    if (change.datasetId !== undefined && change.datasetId !== before.datasetId) {
      set({ startSchema: null, startForm: { ...get().startForm, slice: { ...get().startForm.slice, label: '' }, parts: {} } });
      if (change.datasetId) {
        void api.invoke('datasets.get', { datasetId: change.datasetId }).then(
          (info) => get().startForm.datasetId === change.datasetId && set({ startSchema: info.labelSchema }),
          (e: unknown) => set({ reviewError: toShownError(e) }),
        );
      }
    }
  },
  async start() {
    const parsed = toStartInput(get().startForm);
    if (!parsed.ok) {
      set({ reviewError: { code: 'BAD_INPUT', message: parsed.error } });
      return;
    }
    try {
      const a = await api.invoke('team.start', parsed.input);
      set({ selected: a.id });
      await get().loadReviewer();
    } catch (e) {
      set({ reviewError: toShownError(e) });
    }
  },
  async resolve(rowId, choice, baseVersion) {
    const assignmentId = get().selected;
    if (!assignmentId) return;
    try {
      await api.invoke('team.resolve', {
        assignmentId,
        rowId,
        ...('labelerId' in choice ? { chooseLabelerId: choice.labelerId } : { patch: choice.patch }),
        ...(baseVersion !== undefined ? { baseVersion } : {}),
      });
      await get().select(assignmentId);
    } catch (e) {
      set({ reviewError: toShownError(e) });
    }
  },
}));
