// The labeling panel: which rows it walks (ids paged 100 at a time), the row shown, the labeler, and the
// label saves. SQLite holds every label; a save counts as saved only once datasets.label has resolved.
import { create } from 'zustand';
import type { DatasetInfo, DatasetRow, LabelPatch, RowFilterInput } from '../../../../shared/datasets.schema';
import type { Profile } from '../../../../shared/profiles.schema';
import type { RunTarget } from '../../../../shared/runs.schema';
import { api, CommandError } from '../../../client/bridge';
import { toShownError, type ShownError } from '../../../client/errors';
import { advanceNote, readAutoAdvance, writeAutoAdvance } from './labelingChoices';
import { readProfileId, writeProfileId } from './rememberedLabeler';
import { parseRowConflict, saveBase } from './rowConflict';
import { applyPatches } from './rowPatch';
import { entryAt, extendBackward, extendForward, openWindow, positionOf, type FetchPage, type RowWindow } from './rowWindow';
import type { Candidates, Mode, SaveJob } from './labelingTypes';
import { createSaveQueue } from './saveQueue';

export type { Candidates, Mode, SaveJob } from './labelingTypes';

export interface LabelingStore {
  datasetId: string | null;
  filter: RowFilterInput;
  info: DatasetInfo | null;
  infoError: ShownError | null;

  profiles: Profile[];
  /** The list has been read once: until then an empty list means "not known yet", not "none". */
  profilesLoaded: boolean;
  profileId: string | null;
  profileError: ShownError | null;

  window: RowWindow | null;
  position: number;
  /** The row shown; usually the one at `position`, or a row an undo brought back from outside the filter. */
  shownId: number | null;
  rows: Record<number, DatasetRow>;
  loading: boolean;
  loadError: ShownError | null;

  jobs: SaveJob[];
  lastSaved: { rowId: number; what: string; at: number } | null;
  /** Rows changed this session; they may have left the filter (see rowWindow). */
  touched: number[];
  notice: string | null;
  /** A/R/S move to the next row (remembered on this machine). */
  autoAdvance: boolean;

  mode: Mode;
  prefTargets: [RunTarget | null, RunTarget | null];
  candidates: Candidates | null;
  generating: boolean;
  candidatesError: ShownError | null;
  chosen: { rowId: number; which: 'a' | 'b' } | null;

  open(datasetId: string, filter: RowFilterInput, startOffset: number): Promise<void>;
  loadProfiles(): Promise<void>;
  chooseProfile(profileId: string | null): void;
  createProfile(name: string): Promise<boolean>;
  /** Resolves true when another row is shown. */
  move(delta: 1 | -1): Promise<boolean>;
  setAutoAdvance(on: boolean): void;
  label(patch: LabelPatch, what: string, advance?: boolean): void;
  retry(seq: number): void;
  dismiss(seq: number): void;
  /** A conflicted save: save mine again over the stored version. */
  keepMine(seq: number): void;
  /** A conflicted save: drop mine and show the stored row. */
  takeTheirs(seq: number): Promise<void>;
  undo(): void;
  setMode(mode: Mode): void;
  setPrefTarget(index: 0 | 1, target: RunTarget | null): void;
  generate(): Promise<void>;
  choose(which: 'a' | 'b'): void;
  setNotice(notice: string | null): void;
}

const queue = createSaveQueue();
let seqCounter = 0;
// Bumped on open(): answers for a dataset no longer shown only update what is still theirs.
let session = 0;
let infoTimer: ReturnType<typeof setTimeout> | null = null;

/** The row as the labeler sees it: confirmed state plus changes still saving or failed. */
export function shownRow(s: Pick<LabelingStore, 'shownId' | 'rows' | 'jobs'>): DatasetRow | null {
  if (s.shownId == null) return null;
  const row = s.rows[s.shownId];
  if (!row) return null;
  const mine = s.jobs.filter((j) => j.rowId === s.shownId).map((j) => j.patch);
  return mine.length ? applyPatches(row, mine) : row;
}

export const useLabelingStore = create<LabelingStore>()((set, get) => {
  const fetchPage = (datasetId: string, filter: RowFilterInput): FetchPage => async (offset, limit) => {
    const page = await api.invoke('datasets.rows', { datasetId, filter, offset, limit });
    return { rows: page.rows.map((r) => ({ id: r.id, ord: r.ord })), total: page.total, totalExact: page.totalExact };
  };

  const ensureRow = async (rowId: number): Promise<void> => {
    const { datasetId } = get();
    if (!datasetId || get().rows[rowId]) return;
    const mine = session;
    const row = await api.invoke('datasets.row', { datasetId, rowId });
    if (mine === session) set((s) => ({ rows: { ...s.rows, [rowId]: row } }));
  };

  const refreshInfo = (): void => {
    if (infoTimer) clearTimeout(infoTimer);
    infoTimer = setTimeout(() => {
      void queue.idle().then(async () => {
        const { datasetId } = get();
        if (!datasetId) return;
        try {
          const info = await api.invoke('datasets.get', { datasetId });
          if (get().datasetId === datasetId) set({ info, infoError: null });
        } catch (error) {
          set({ infoError: toShownError(error) });
        }
      });
    }, 250);
  };

  const show = async (position: number): Promise<void> => {
    const win = get().window;
    const entry = win ? entryAt(win, position) : null;
    if (!entry) return;
    set({ position, shownId: entry.id, loadError: null, notice: null });
    try {
      await ensureRow(entry.id);
      const next = win ? entryAt(win, position + 1) : null;
      if (next) void ensureRow(next.id).catch(() => undefined);
      if (get().mode === 'preference') void get().generate();
    } catch (error) {
      set({ loadError: toShownError(error) });
    }
  };

  const runJob = (job: SaveJob): void => {
    const { datasetId, profileId } = get();
    if (!datasetId || !profileId) return;
    const mine = session;
    queue
      .run(() => api.invoke('datasets.label', { datasetId, rowId: job.rowId, labelerId: profileId, patch: job.patch, baseVersion: saveBase(job, get().rows) }))
      .then((row) => {
        if (mine !== session) return;
        set((s) => ({
          rows: { ...s.rows, [job.rowId]: row },
          jobs: s.jobs.filter((j) => j.seq !== job.seq),
          lastSaved: { rowId: job.rowId, what: job.what, at: Date.now() },
        }));
        refreshInfo();
      })
      .catch((error: unknown) => {
        if (mine !== session) return;
        const conflict = error instanceof CommandError ? parseRowConflict(error.code, error.message) : null;
        set((s) => ({ jobs: s.jobs.map((j) => (j.seq === job.seq ? { ...j, state: 'failed', error: toShownError(error), conflict } : j)) }));
      });
  };

  return {
    datasetId: null,
    filter: {},
    info: null,
    infoError: null,
    profiles: [],
    profilesLoaded: false,
    profileId: readProfileId(),
    profileError: null,
    window: null,
    position: 0,
    shownId: null,
    rows: {},
    loading: false,
    loadError: null,
    jobs: [],
    lastSaved: null,
    touched: [],
    notice: null,
    autoAdvance: readAutoAdvance(),
    mode: 'view',
    prefTargets: [null, null],
    candidates: null,
    generating: false,
    candidatesError: null,
    chosen: null,

    async open(datasetId, filter, startOffset) {
      const mine = ++session;
      set({
        datasetId,
        filter,
        info: null,
        infoError: null,
        window: null,
        position: startOffset,
        shownId: null,
        rows: {},
        loading: true,
        loadError: null,
        jobs: [],
        lastSaved: null,
        touched: [],
        notice: null,
        mode: 'view',
        candidates: null,
        candidatesError: null,
        chosen: null,
      });
      void get().loadProfiles();
      try {
        const [info, opened] = await Promise.all([api.invoke('datasets.get', { datasetId }), openWindow(fetchPage(datasetId, filter), startOffset)]);
        if (mine !== session) return;
        set({ info, window: opened.window, loading: false });
        await show(opened.window.entries.length ? opened.position : 0);
      } catch (error) {
        if (mine === session) set({ loading: false, loadError: toShownError(error) });
      }
    },

    async loadProfiles() {
      try {
        const profiles = await api.invoke('profiles.list', {});
        const id = get().profileId;
        // A profile id from another data folder means nothing here.
        if (id && !profiles.some((p) => p.id === id)) {
          writeProfileId(null);
          set({ profileId: null });
        }
        set({ profiles, profilesLoaded: true, profileError: null });
      } catch (error) {
        set({ profileError: toShownError(error) });
      }
    },

    chooseProfile(profileId) {
      writeProfileId(profileId);
      set({ profileId });
    },

    async createProfile(name) {
      try {
        const profile = await api.invoke('profiles.create', { name, role: 'labeler' });
        set((s) => ({ profiles: [...s.profiles, profile], profileError: null }));
        get().chooseProfile(profile.id);
        return true;
      } catch (error) {
        set({ profileError: toShownError(error) });
        return false;
      }
    },

    async move(delta) {
      const { window: win, position, datasetId, filter, touched } = get();
      if (!win || !datasetId) return false;
      const target = position + delta;
      if (target < 0) return false;
      let next = win;
      if (!entryAt(win, target)) {
        try {
          if (delta > 0) next = await extendForward(win, fetchPage(datasetId, filter), touched.length);
          else next = await extendBackward(win, fetchPage(datasetId, filter));
        } catch (error) {
          set({ loadError: toShownError(error) });
          return false;
        }
        if (get().datasetId !== datasetId) return false;
        set({ window: next });
      }
      if (!entryAt(next, target)) {
        set({ notice: delta > 0 ? 'That was the last row.' : 'This is the first row.' });
        return false;
      }
      await show(target);
      return true;
    },

    setAutoAdvance(on) {
      writeAutoAdvance(on);
      set({ autoAdvance: on });
    },

    label(patch, what, advance = false) {
      const { shownId, profileId } = get();
      if (shownId == null) return;
      if (!profileId) {
        set({ notice: 'Choose a labeler profile first.' });
        return;
      }
      const job: SaveJob = { seq: ++seqCounter, rowId: shownId, patch, what, kind: 'label', state: 'pending', error: null };
      set((s) => ({ jobs: [...s.jobs, job], touched: s.touched.includes(shownId) ? s.touched : [...s.touched, shownId], notice: null }));
      runJob(job);
      if (!advance) return;
      // Say where a status key went, so a J pressed next does not skip a row unseen.
      const from = get().position + 1;
      if (!get().autoAdvance) set({ notice: advanceNote(what, from, undefined) });
      else void get().move(1).then((moved) => set({ notice: advanceNote(what, from, moved ? get().position + 1 : null) }));
    },

    retry(seq) {
      const job = get().jobs.find((j) => j.seq === seq);
      if (!job || job.state !== 'failed') return;
      if (job.kind === 'undo') {
        get().dismiss(seq);
        get().undo();
        return;
      }
      const again = { ...job, state: 'pending' as const, error: null };
      set((s) => ({ jobs: s.jobs.map((j) => (j.seq === seq ? again : j)) }));
      runJob(again);
    },

    dismiss(seq) {
      set((s) => ({ jobs: s.jobs.filter((j) => j.seq !== seq) }));
    },

    keepMine(seq) {
      const job = get().jobs.find((j) => j.seq === seq);
      if (!job?.conflict) return;
      const again: SaveJob = { ...job, state: 'pending', error: null, baseVersion: job.conflict.storedVersion, conflict: null };
      set((s) => ({ jobs: s.jobs.map((j) => (j.seq === seq ? again : j)) }));
      runJob(again);
    },

    async takeTheirs(seq) {
      const { datasetId, jobs } = get();
      const job = jobs.find((j) => j.seq === seq);
      if (!job || !datasetId) return;
      set((s) => ({ jobs: s.jobs.filter((j) => j.seq !== seq) }));
      try {
        const row = await api.invoke('datasets.row', { datasetId, rowId: job.rowId });
        if (get().datasetId === datasetId) set((s) => ({ rows: { ...s.rows, [row.id]: row } }));
      } catch (error) {
        set({ loadError: toShownError(error) });
      }
    },

    undo() {
      const { datasetId, profileId } = get();
      if (!datasetId) return;
      if (!profileId) {
        set({ notice: 'Choose a labeler profile first.' });
        return;
      }
      const mine = session;
      // A sentinel job keeps "Saving…" up while the undo is in flight; it changes nothing shown.
      const seq = ++seqCounter;
      set((s) => ({ jobs: [...s.jobs, { seq, rowId: -1, patch: {} as LabelPatch, what: 'undo', kind: 'undo', state: 'pending', error: null }] }));
      queue
        .run(() => api.invoke('datasets.undo', { datasetId, labelerId: profileId }))
        .then(async ({ row }) => {
          if (mine !== session) return;
          set((s) => ({ jobs: s.jobs.filter((j) => j.seq !== seq) }));
          if (!row) {
            set({ notice: 'Nothing to undo.' });
            return;
          }
          set((s) => ({ rows: { ...s.rows, [row.id]: row }, lastSaved: { rowId: row.id, what: 'undone', at: Date.now() } }));
          const win = get().window;
          const pos = win ? positionOf(win, row.id) : null;
          if (pos != null) await show(pos);
          else set({ shownId: row.id, notice: 'The restored row is outside this filter; J/K go back to the list.' });
          refreshInfo();
        })
        .catch((error: unknown) => {
          if (mine !== session) return;
          set((s) => ({ jobs: s.jobs.map((j) => (j.seq === seq ? { ...j, state: 'failed', error: toShownError(error) } : j)) }));
        });
    },

    setMode(mode) {
      set({ mode, candidatesError: null });
      if (mode === 'preference') void get().generate();
    },

    setPrefTarget(index, target) {
      set((s) => {
        const prefTargets: [RunTarget | null, RunTarget | null] = [...s.prefTargets];
        prefTargets[index] = target;
        return { prefTargets, candidates: null, chosen: null };
      });
      if (get().mode === 'preference') void get().generate();
    },

    async generate() {
      const { datasetId, shownId, prefTargets, candidates, generating } = get();
      const [a, b] = prefTargets;
      if (!datasetId || shownId == null || !a || !b || generating) return;
      if (candidates?.rowId === shownId) return;
      set({ generating: true, candidatesError: null, candidates: null, chosen: null });
      try {
        const out = await api.invoke('datasets.candidates', { datasetId, rowId: shownId, targets: [a, b] });
        if (get().shownId === shownId) set({ candidates: { rowId: shownId, a: out.a, b: out.b } });
      } catch (error) {
        set({ candidatesError: toShownError(error) });
      } finally {
        set({ generating: false });
      }
      // The labeler moved on while this row's pair was generating: make the pair for the row now shown.
      if (get().mode === 'preference' && get().shownId !== shownId) void get().generate();
    },

    choose(which) {
      const { candidates, shownId } = get();
      if (!candidates || candidates.rowId !== shownId) return;
      const chosen = which === 'a' ? candidates.a : candidates.b;
      const rejected = which === 'a' ? candidates.b : candidates.a;
      set({ chosen: { rowId: shownId, which } });
      get().label({ chosen, rejected }, `chose ${which.toUpperCase()}`);
    },

    setNotice(notice) {
      set({ notice });
    },
  };
});
