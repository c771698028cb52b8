// Extraction view state: templates and the one being edited, a PDF opened as pages, and the per-field
// results of the evaluation chosen. The core stores templates; this holds what the view shows.
import { create } from 'zustand';
import type { CommandOutput } from '../../../shared/contract';
import type { EvalComparison } from '../../../shared/evals.schema';
import type { ExtractionTemplate, FieldResults, PdfInfo } from '../../../shared/extraction.schema';
import type { FieldSpecInput } from '../../../shared/fieldScore';
import { api } from '../../client/bridge';
import { toShownError, type ShownError } from '../../client/errors';

export interface Draft {
  id: string | null;
  name: string;
  instructions: string;
  fields: FieldSpecInput[];
}
type EvalSummary = CommandOutput<'evals.list'>[number];
type Rendered = CommandOutput<'extraction.renderPdf'>;

export const NEW_DRAFT: Draft = {
  id: null,
  name: 'Invoice',
  instructions: 'Extract the fields from the invoice. Answer with JSON only.',
  fields: [
    { name: 'seller', type: 'text' },
    { name: 'invoice_number', type: 'id' },
    { name: 'issue_date', type: 'date', dateOrder: 'YMD' },
    { name: 'total', type: 'amount', decimal: '.' },
  ],
};

interface ExtractionState {
  templates: ExtractionTemplate[];
  draft: Draft;
  saved: ExtractionTemplate | null;
  evals: EvalSummary[];
  results: FieldResults | null;
  /** A/B on document-level correctness when the evaluation has two prompt versions (evals.compare). */
  verdict: EvalComparison | null;
  pdf: PdfInfo | null;
  rendered: Rendered | null;
  thumbs: Record<string, string>;
  error: ShownError | null;
  busy: boolean;
  load(): Promise<void>;
  edit(draft: Draft): void;
  open(t: ExtractionTemplate): void;
  save(): Promise<void>;
  loadResults(evalId: string): Promise<void>;
  openPdf(path: string): Promise<void>;
  renderPdf(path: string, pages: string): Promise<void>;
}

async function thumbsFor(hashes: readonly string[], have: Record<string, string>): Promise<Record<string, string>> {
  const out = { ...have };
  for (const h of new Set(hashes)) if (!out[h]) out[h] = (await api.invoke('images.thumbnail', { hash: h, size: 96 })).dataUrl;
  return out;
}

/** The first two prompt versions of the evaluation, compared on the first target both ran on. */
async function documentVerdict(ev: EvalSummary | undefined): Promise<EvalComparison | null> {
  const versions = [...new Set(ev?.columns.map((c) => c.versionId))];
  if (!ev || versions.length < 2) return null;
  const [a, b] = versions as [string, string];
  const shared = ev.columns.find((c) => c.versionId === a && ev.columns.some((d) => d.versionId === b && d.targetKey === c.targetKey));
  return api.invoke('evals.compare', { evalId: ev.id, versionA: a, versionB: b, target: shared ? shared.target : null });
}

export const useExtraction = create<ExtractionState>((set, get) => {
  const guarded = async (f: () => Promise<void>) => {
    set({ busy: true, error: null });
    try {
      await f();
    } catch (e) {
      set({ error: toShownError(e) });
    } finally {
      set({ busy: false });
    }
  };
  return {
    templates: [],
    draft: NEW_DRAFT,
    saved: null,
    evals: [],
    results: null,
    verdict: null,
    pdf: null,
    rendered: null,
    thumbs: {},
    error: null,
    busy: false,
    load: () =>
      guarded(async () => {
        const [templates, evals] = await Promise.all([api.invoke('extraction.list', {}), api.invoke('evals.list', { limit: 100 })]);
        set({ templates, evals });
      }),
    edit: (draft) => set({ draft }),
    open: (t) => set({ draft: { id: t.id, name: t.name, instructions: t.instructions, fields: t.fields }, saved: t }),
    save: () =>
      guarded(async () => {
        const { id, ...rest } = get().draft;
        const saved = await api.invoke('extraction.save', { ...rest, ...(id ? { id } : {}) });
        set({ saved, draft: { ...get().draft, id: saved.id }, templates: await api.invoke('extraction.list', {}) });
      }),
    loadResults: (evalId) =>
      guarded(async () => {
        const results = await api.invoke('extraction.fieldResults', { evalId });
        const hashes = results.columns.flatMap((c) => c.fields.flatMap((f) => f.confusions.map((x) => x.imageHash).filter((h): h is string => h !== null)));
        set({ results, verdict: await documentVerdict(get().evals.find((e) => e.id === evalId)), thumbs: await thumbsFor(hashes, get().thumbs) });
      }),
    openPdf: (path) => guarded(async () => set({ pdf: await api.invoke('extraction.pdfPages', { path }), rendered: null })),
    renderPdf: (path, pages) =>
      guarded(async () => {
        const rendered = await api.invoke('extraction.renderPdf', { path, pages, dpi: 100 });
        set({ rendered, thumbs: await thumbsFor(rendered.pages.map((p) => p.image.hash), get().thumbs) });
      }),
  };
});
