// "Try on an image or PDF page": one run of a template on one image (attached, or a rendered PDF page),
// constrained to the template's JSON schema, scored field by field against a reference the user types.
import { create } from 'zustand';
import type { ExtractionTemplate } from '../../../shared/extraction.schema';
import { parseReference, scoreDocument, type DocumentScore } from '../../../shared/fieldScore';
import type { RunRecord, RunTarget } from '../../../shared/runs.schema';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

/** A place a run can go that takes images: the local vision model, or a remote target not marked 'no'. */
export interface TryTarget {
  key: string;
  label: string;
  /** null for a remote target until a model is chosen (typed, or the first the server lists). */
  target: RunTarget | null;
  targetId: string | null;
}

export interface TryImage {
  hash: string;
  name: string;
  dataUrl: string;
  /** What storing an attached file changed (none for a rendered PDF page). */
  notes?: string[];
}

interface TryState {
  templateId: string;
  setTemplateId(id: string): void;
  targets: TryTarget[];
  targetKey: string;
  model: string;
  image: TryImage | null;
  reference: string;
  run: RunRecord | null;
  score: DocumentScore | null;
  /** The reference text is not a JSON object: the reason, shown instead of a score. */
  referenceError: string | null;
  error: ShownError | null;
  running: boolean;
  loadTargets(): Promise<void>;
  chooseTarget(key: string): Promise<void>;
  setModel(model: string): void;
  attach(file: File): Promise<void>;
  useStored(hash: string, name: string, notes?: string[]): Promise<void>;
  setReference(text: string): void;
  start(template: ExtractionTemplate): Promise<void>;
}

/** The reference as an object (empty: nothing scored), or why it is not one. */
function readReference(text: string): Record<string, unknown> | string {
  return text.trim() === '' ? {} : parseReference(text);
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Resolves with the finished run; subscribed before runs.start (the id is ours), so it cannot be missed. */
function finished(runId: string): { done: Promise<RunRecord>; stop: () => void } {
  let stop = () => {};
  const done = new Promise<RunRecord>((resolve) => {
    stop = api.on('runs.finished', (r) => {
      if (r.id === runId) resolve(r);
    });
  });
  return { done, stop };
}

export const useTryRun = create<TryState>((set, get) => ({
  templateId: '',
  setTemplateId: (templateId) => set({ templateId }),
  targets: [],
  targetKey: '',
  model: '',
  image: null,
  reference: '',
  run: null,
  score: null,
  referenceError: null,
  error: null,
  running: false,
  loadTargets: async () => {
    try {
      const [vision, remote] = await Promise.all([api.invoke('vision.status', {}), api.invoke('targets.list', {})]);
      const targets: TryTarget[] = [];
      if (vision.state === 'ready' && vision.modelId) targets.push({ key: 'local', label: 'local vision model', target: { kind: 'local', modelId: vision.modelId }, targetId: null });
      for (const t of remote) if (t.acceptsImages !== 'no') targets.push({ key: t.id, label: t.name, target: null, targetId: t.id });
      set({ targets });
    } catch (e) {
      set({ error: toShownError(e) });
    }
  },
  chooseTarget: async (key) => {
    set({ targetKey: key, model: '', error: null });
    const t = get().targets.find((x) => x.key === key);
    if (!t?.targetId) return;
    try {
      // The first model the server lists, as a default the user can change.
      const check = await api.invoke('targets.check', { targetId: t.targetId });
      if (get().targetKey === key && get().model === '') set({ model: check.models[0]?.id ?? '' });
    } catch (e) {
      set({ error: toShownError(e) });
    }
  },
  setModel: (model) => set({ model }),
  attach: async (file) => {
    try {
      const stored = await api.invoke('images.addData', { name: file.name, dataBase64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
      await get().useStored(stored.hash, file.name, stored.notes);
    } catch (e) {
      set({ error: toShownError(e) });
    }
  },
  useStored: async (hash, name, notes) => {
    const thumb = await api.invoke('images.thumbnail', { hash, size: 480 });
    set({ image: { hash, name, dataUrl: thumb.dataUrl, ...(notes?.length ? { notes } : {}) }, run: null, score: null });
  },
  setReference: (reference) => set({ reference }),
  start: async (template) => {
    const { image, targets, targetKey, model, reference } = get();
    const chosen = targets.find((t) => t.key === targetKey);
    const ref = readReference(reference);
    set({ referenceError: typeof ref === 'string' ? ref : null, error: null, run: null, score: null });
    if (!image || !chosen) return;
    const target: RunTarget | null = chosen.target ?? (chosen.targetId && model.trim() ? { kind: 'remote', targetId: chosen.targetId, model: model.trim() } : null);
    if (!target) {
      set({ error: { code: null, message: `choose the model to run on ${chosen.label}` } });
      return;
    }
    const runId = crypto.randomUUID();
    const wait = finished(runId);
    set({ running: true });
    try {
      await api.invoke('runs.start', {
          runId,
          userMessage: template.instructions,
          images: [{ hash: image.hash, name: image.name }],
          target,
          jsonSchema: template.jsonSchema,
          params: { temperature: 0 },
        });
      const run = await wait.done;
      set({ run, score: run.error ? null : scoreDocument(template.fields, typeof ref === 'string' ? {} : ref, run.output) });
    } catch (e) {
      set({ error: toShownError(e) });
    } finally {
      wait.stop();
      set({ running: false });
    }
  },
}));
