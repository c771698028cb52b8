// Extraction templates (saved with a history), PDFs as text and page images, and the per-field results of
// an evaluation. The image store keeps rendered pages like any added image (by content hash).
import type { EvalResults } from '../../shared/evals.schema';
import type { ExtractionTemplate, ExtractionTemplateInput, FieldResults, PdfInfo } from '../../shared/extraction.schema';
import { ExtractionTemplateInput as TemplateInputSchema } from '../../shared/extraction.schema';
import { describeRule, templateJsonSchema } from '../../shared/fieldScore';
import type { StoredImage } from '../../shared/images.schema';
import { ulid } from '../../shared/ids';
import { CoreError } from '../coreError';
import type { ImageStore } from '../images/imageStore';
import { pdfPages, renderPdfPages } from '../pdf/pdf';
import type { ExtractionRepo, StoredTemplate } from './extraction.repo';
import { fieldResults } from './fieldResults';

export interface ExtractionDeps {
  repo: ExtractionRepo;
  images: Pick<ImageStore, 'addData'>;
  /** A page of an evaluation's results (EvalsService.results). */
  evalResults: (evalId: string, page: { offset: number; limit: number }) => EvalResults;
  now?: () => number;
}

const PAGE = 1000;

export class ExtractionService {
  constructor(private readonly deps: ExtractionDeps) {}

  private view(t: StoredTemplate): ExtractionTemplate {
    return { ...t, jsonSchema: JSON.stringify(templateJsonSchema(t.fields)), rules: Object.fromEntries(t.fields.map((f) => [f.name, describeRule(f)])) };
  }

  list(): ExtractionTemplate[] {
    return this.deps.repo.list().map((t) => this.view(t));
  }

  get(id: string): ExtractionTemplate {
    const t = this.deps.repo.get(id);
    if (!t) throw new CoreError('NOT_FOUND', `id: no extraction template ${id}`);
    return this.view(t);
  }

  save(input: ExtractionTemplateInput & { id?: string }): ExtractionTemplate {
    const parsed = TemplateInputSchema.parse(input);
    const now = (this.deps.now ?? Date.now)();
    const old = input.id !== undefined ? this.deps.repo.get(input.id) : null;
    if (input.id !== undefined && !old) throw new CoreError('NOT_FOUND', `id: no extraction template ${input.id}`);
    if (old && JSON.stringify([old.name, old.instructions, old.fields]) === JSON.stringify([parsed.name, parsed.instructions, parsed.fields])) return this.view(old);
    const t: StoredTemplate = old ? { ...old, ...parsed, version: old.version + 1, updatedAt: now } : { id: ulid(now), ...parsed, version: 1, createdAt: now, updatedAt: now };
    this.deps.repo.save(t);
    return this.view(t);
  }

  history(id: string) {
    this.get(id);
    return this.deps.repo.history(id);
  }

  remove(id: string): { removed: boolean } {
    return { removed: this.deps.repo.remove(id) };
  }

  pdfPages(path: string): Promise<PdfInfo> {
    return pdfPages(path);
  }

  /** Renders every selected page before adding any, so a bad page stores nothing. */
  async renderPdf(path: string, pages: string, dpi: number): Promise<{ name: string; pages: { page: number; image: StoredImage }[] }> {
    const rendered = await renderPdfPages(path, pages, dpi);
    const name = path.split(/[\\/]/).pop() ?? 'document.pdf';
    const out: { page: number; image: StoredImage }[] = [];
    for (const r of rendered) out.push({ page: r.page, image: await this.deps.images.addData(`${name.replace(/\.pdf$/i, '')} p${r.page}.png`, r.png) });
    return { name, pages: out };
  }

  fieldResults(evalId: string): FieldResults {
    const first = this.deps.evalResults(evalId, { offset: 0, limit: PAGE });
    const rows = [...first.rows];
    while (rows.length < first.rowTotal) {
      const next = this.deps.evalResults(evalId, { offset: rows.length, limit: PAGE });
      if (next.rows.length === 0) break;
      rows.push(...next.rows);
    }
    if (!first.eval.definition.assertions.some((a) => a.type === 'fields')) throw new CoreError('BAD_INPUT', `evalId: evaluation ${evalId} has no 'fields' assertion to score per field`);
    return fieldResults({ ...first, rows });
  }
}
