// Fine-tune: the package form, trainings (packaged, running, finished) and their live progress from
// training.progress. The core keeps each training and its log tail; this store holds what the view shows.
import { create } from 'zustand';
import type { TrainingInfo, TrainingPackageRequestInput, TrainingProgress } from '../../../shared/training.schema';
import type { DatasetSummary } from '../../../shared/datasets.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';
import {
  addLossPoint, appendLog, DEFAULT_ADAPTER_PATH, defaultCommand, defaultPackageForm, type FormErrors, type LossPoint,
  type PackageForm, rowsAdvice, type RowCounts,
} from './trainingForm';

export interface RunForm {
  command: string;
  adapterPath: string;
}

interface TrainingStore {
  datasets: DatasetSummary[];
  trainings: TrainingInfo[];
  listed: boolean;
  loadError: ShownError | null;
  selectedId: string | null;

  form: PackageForm;
  formErrors: FormErrors;
  /** Per dataset: rows in the train split and accepted rows, for the "Rows" choice. */
  rowCounts: Record<string, RowCounts>;
  /** The person chose "Rows" themselves: counts arriving later do not override it. */
  splitPicked: boolean;
  packaging: boolean;
  packageError: ShownError | null;

  /** Per training: the command and adapter path as edited. */
  runForms: Record<string, RunForm>;
  starting: string | null;
  cancelling: string | null;
  actionError: ShownError | null;
  /** Per training: loss over steps as it streamed in this session. */
  losses: Record<string, LossPoint[]>;

  init(): Promise<void>;
  setForm(patch: Partial<PackageForm>): void;
  pickSplit(split: PackageForm['split']): void;
  loadRowCounts(datasetId: string): Promise<void>;
  setNumber(key: keyof PackageForm['numbers'], value: string): void;
  /** The view validates the form (with zod, which this store does not load) and hands the result here. */
  packageRun(built: { ok: true; request: TrainingPackageRequestInput } | { ok: false; errors: FormErrors }): Promise<void>;
  select(trainingId: string | null): void;
  runForm(trainingId: string): RunForm;
  setRunForm(trainingId: string, patch: Partial<RunForm>): void;
  start(trainingId: string): Promise<void>;
  cancel(trainingId: string): Promise<void>;
  applyProgress(p: TrainingProgress): void;
}

function upsert(list: readonly TrainingInfo[], t: TrainingInfo): TrainingInfo[] {
  const i = list.findIndex((x) => x.id === t.id);
  if (i === -1) return [t, ...list];
  const next = list.slice();
  next[i] = t;
  return next;
}

export const useTrainingStore = create<TrainingStore>()((set, get) => ({
  datasets: [],
  trainings: [],
  listed: false,
  loadError: null,
  selectedId: null,
  form: defaultPackageForm(),
  formErrors: {},
  rowCounts: {},
  splitPicked: false,
  packaging: false,
  packageError: null,
  runForms: {},
  starting: null,
  cancelling: null,
  actionError: null,
  losses: {},

  async init() {
    try {
      const [datasets, trainings] = await Promise.all([api.invoke('datasets.list', {}), api.invoke('training.list', {})]);
      set((s) => ({
        datasets,
        trainings,
        listed: true,
        loadError: null,
        selectedId: s.selectedId ?? trainings[0]?.id ?? null,
        form: s.form.datasetId || !datasets[0] ? s.form : { ...s.form, datasetId: datasets[0].id },
      }));
      if (get().form.datasetId) void get().loadRowCounts(get().form.datasetId);
    } catch (error) {
      set({ listed: true, loadError: toShownError(error) });
    }
  },

  setForm(patch) {
    const changed = patch.datasetId !== undefined && patch.datasetId !== get().form.datasetId;
    set((s) => ({ form: { ...s.form, ...patch }, formErrors: {}, splitPicked: changed ? false : s.splitPicked }));
    if (changed && patch.datasetId) void get().loadRowCounts(patch.datasetId);
  },
  pickSplit(split) {
    set((s) => ({ form: { ...s.form, split }, formErrors: {}, splitPicked: true }));
  },
  async loadRowCounts(datasetId) {
    try {
      const [info, train] = await Promise.all([
        api.invoke('datasets.get', { datasetId }),
        api.invoke('datasets.rows', { datasetId, filter: { split: 'train' }, offset: 0, limit: 1, countCap: 10_000_000 }),
      ]);
      const counts: RowCounts = { train: train.total, accepted: info.statusCounts.accepted ?? 0 };
      set((s) => {
        const advice = rowsAdvice(counts);
        const follow = s.form.datasetId === datasetId && !s.splitPicked && advice.split;
        return { rowCounts: { ...s.rowCounts, [datasetId]: counts }, form: follow ? { ...s.form, split: advice.split as PackageForm['split'] } : s.form };
      });
    } catch {
      // Without counts the form keeps its choice; the core still falls back to accepted rows.
    }
  },
  setNumber(key, value) {
    set((s) => ({ form: { ...s.form, numbers: { ...s.form.numbers, [key]: value } }, formErrors: {} }));
  },

  async packageRun(built) {
    if (get().packaging) return;
    if (!built.ok) {
      set({ formErrors: built.errors });
      return;
    }
    set({ packaging: true, packageError: null, formErrors: {} });
    try {
      const info = await api.invoke('training.package', built.request);
      set((s) => ({ packaging: false, trainings: upsert(s.trainings, info), selectedId: info.id }));
    } catch (error) {
      set({ packaging: false, packageError: toShownError(error) });
    }
  },

  select(trainingId) {
    set({ selectedId: trainingId, actionError: null });
  },

  runForm(trainingId) {
    const edited = get().runForms[trainingId];
    if (edited) return edited;
    const t = get().trainings.find((x) => x.id === trainingId);
    return { command: t?.command ?? defaultCommand(t?.files ?? []), adapterPath: DEFAULT_ADAPTER_PATH };
  },
  setRunForm(trainingId, patch) {
    set((s) => ({ runForms: { ...s.runForms, [trainingId]: { ...get().runForm(trainingId), ...patch } } }));
  },

  async start(trainingId) {
    if (get().starting) return;
    const { command, adapterPath } = get().runForm(trainingId);
    set({ starting: trainingId, actionError: null, losses: { ...get().losses, [trainingId]: [] } });
    try {
      const info = await api.invoke('training.start', { trainingId, command, adapterPath });
      // Progress events may have overtaken the reply; keep the longer log and the later step.
      set((s) => {
        const seen = s.trainings.find((t) => t.id === trainingId);
        const overtaken = seen && seen.state !== 'packaged' && seen.logTail.length > info.logTail.length;
        const merged = overtaken
          ? { ...info, state: seen.state, logTail: seen.logTail, step: seen.step, totalSteps: seen.totalSteps, epoch: seen.epoch, loss: seen.loss, error: seen.error, adapterId: seen.adapterId }
          : info;
        return { starting: null, trainings: upsert(s.trainings, merged) };
      });
    } catch (error) {
      set({ starting: null, actionError: toShownError(error) });
    }
  },

  async cancel(trainingId) {
    if (get().cancelling) return;
    set({ cancelling: trainingId, actionError: null });
    try {
      await api.invoke('training.cancel', { trainingId });
      set({ cancelling: null });
    } catch (error) {
      set({ cancelling: null, actionError: toShownError(error) });
    }
  },

  applyProgress(p) {
    set((s) => {
      const t = s.trainings.find((x) => x.id === p.trainingId);
      const losses = { ...s.losses, [p.trainingId]: addLossPoint(s.losses[p.trainingId] ?? [], p.step, p.loss) };
      if (!t) {
        // A training this view has not listed yet (another window started it): fetch it once.
        void api.invoke('training.get', { trainingId: p.trainingId }).then((info) => set((x) => ({ trainings: upsert(x.trainings, info) })), () => undefined);
        return { losses };
      }
      const finished = p.state === 'done' || p.state === 'failed' || p.state === 'cancelled';
      const next: TrainingInfo = {
        ...t,
        state: p.state,
        logTail: appendLog(t.logTail, p.lines),
        step: p.step ?? t.step,
        totalSteps: p.totalSteps ?? t.totalSteps,
        epoch: p.epoch ?? t.epoch,
        loss: p.loss ?? t.loss,
        error: p.error,
        adapterId: p.adapterId ?? t.adapterId,
        finishedAt: finished ? (t.finishedAt ?? Date.now()) : t.finishedAt,
      };
      return { trainings: upsert(s.trainings, next), losses, cancelling: finished && s.cancelling === p.trainingId ? null : s.cancelling };
    });
  },
}));
