// PDFs for extraction: page count and text layer (for text-only models), and pages rendered to PNG (for
// vision models) through pdfjs-dist's Node build, which draws on @napi-rs/canvas. Every failure names
// the file; nothing is stored until all selected pages rendered.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CoreError } from '../coreError';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDoc = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

/** Largest PDF read (bytes) and most pages rendered in one call. */
export const MAX_PDF_BYTES = 256 * 1024 * 1024;
export const MAX_RENDER_PAGES = 64;

let pdfjs: Promise<PdfJs> | null = null;
const loadPdfJs = () => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

export interface PdfPageText {
  page: number;
  /** PDF points (1/72 inch). */
  width: number;
  height: number;
  /** The text layer, lines joined by '\n'; '' for a scanned page without one. */
  text: string;
}

async function open(path: string): Promise<PdfDoc> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CoreError('NOT_FOUND', `${name}: cannot read the PDF (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.length > MAX_PDF_BYTES) throw new CoreError('BAD_INPUT', `${name}: ${bytes.length} bytes is over the ${MAX_PDF_BYTES}-byte limit for a PDF`);
  if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw new CoreError('BAD_INPUT', `${name}: not a PDF (no %PDF- header)`);
  const lib = await loadPdfJs();
  let doc: PdfDoc;
  try {
    doc = await lib.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0, stopAtErrors: true }).promise;
  } catch (e) {
    const err = e as Error;
    if (err.name === 'PasswordException') throw new CoreError('BAD_INPUT', `${name}: the PDF is password-protected; Lamplight does not open encrypted PDFs`);
    throw new CoreError('BAD_INPUT', `${name}: the PDF cannot be read, it may be truncated or damaged (${err.message})`);
  }
  if (doc.numPages === 0) {
    await doc.destroy();
    throw new CoreError('BAD_INPUT', `${name}: the PDF has no pages`);
  }
  return doc;
}

/** Page count and each page's text layer. */
export async function pdfPages(path: string): Promise<{ name: string; pageCount: number; pages: PdfPageText[] }> {
  const doc = await open(path);
  try {
    const pages: PdfPageText[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const vp = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push({ page: n, width: vp.width, height: vp.height, text: text.trim() });
    }
    return { name: basename(path), pageCount: doc.numPages, pages };
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw new CoreError('BAD_INPUT', `${basename(path)}: the PDF cannot be read, it may be truncated or damaged (${(e as Error).message})`);
  } finally {
    await doc.destroy();
  }
}

/** "1-3,5" → [1, 2, 3, 5] (1-based, sorted, distinct); each page must exist. */
export function parsePageRanges(spec: string, pageCount: number, file = 'the PDF'): number[] {
  const pages = new Set<number>();
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new CoreError('BAD_INPUT', `pages: "${part}" is not a page or a range like 1-3`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) throw new CoreError('BAD_INPUT', `pages: "${part}" is not an ascending range of pages from 1`);
    if (to > pageCount) throw new CoreError('BAD_INPUT', `pages: ${file} has ${pageCount} page${pageCount === 1 ? '' : 's'}, "${part}" asks for page ${to}`);
    for (let p = from; p <= to; p++) pages.add(p);
  }
  if (pages.size > MAX_RENDER_PAGES) throw new CoreError('BAD_INPUT', `pages: ${pages.size} pages is over the ${MAX_RENDER_PAGES}-page limit of one call`);
  return [...pages].sort((a, b) => a - b);
}

/** The selected pages as PNG bytes at `dpi`, all rendered before any is returned. */
export async function renderPdfPages(path: string, spec: string, dpi: number): Promise<{ page: number; png: Buffer }[]> {
  const doc = await open(path);
  const name = basename(path);
  try {
    const selected = parsePageRanges(spec, doc.numPages, name);
    let canvasLib: typeof import('@napi-rs/canvas');
    try {
      canvasLib = await import('@napi-rs/canvas');
    } catch (e) {
      throw new CoreError('INTERNAL', `rendering PDF pages needs @napi-rs/canvas, which did not load (${(e as Error).message})`);
    }
    const out: { page: number; png: Buffer }[] = [];
    for (const n of selected) {
      const page = await doc.getPage(n);
      const vp = page.getViewport({ scale: dpi / 72 });
      const canvas = canvasLib.createCanvas(Math.ceil(vp.width), Math.ceil(vp.height));
      const ctx = canvas.getContext('2d');
      // Pages without a background are transparent; a vision model should see paper.
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      // pdfjs's types name the DOM canvas; in Node it draws on @napi-rs/canvas, which it supports.
      type RenderParams = Parameters<typeof page.render>[0];
      await page.render({ canvas: canvas as unknown as RenderParams['canvas'], canvasContext: ctx as unknown as RenderParams['canvasContext'], viewport: vp }).promise;
      out.push({ page: n, png: await canvas.encode('png') });
    }
    return out;
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw new CoreError('BAD_INPUT', `${name}: a page cannot be rendered (${(e as Error).message})`);
  } finally {
    await doc.destroy();
  }
}
