// OCR on this machine: one long-lived tesseract.js worker, requests serialized (a worker runs one job at a
// time, and two workers on two shared cores only thrash). The traineddata comes from node_modules
// (@tesseract.js-data/eng) or a file the user names (chi_sim); tesseract.js never fetches from its CDN here,
// because langPath is always a local folder and the cache is read first.
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';

const require = createRequire(import.meta.url);

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface OcrWord {
  text: string;
  box: Box;
}

export interface OcrLine {
  text: string;
  words: OcrWord[];
}

export interface OcrResult {
  lines: OcrLine[];
  /** The factor the image was scaled by before OCR (boxes are already mapped back). */
  scale: number;
  ms: number;
}

export interface OcrOptions {
  /** Where the unpacked traineddata is kept between runs (inside the data folder). */
  cacheDir: string;
  /** A Chinese (chi_sim) traineddata file, plain or .gz; used beside English when given. */
  chiSimPath?: string | null;
  /** Another model folder or page layout mode: the bench reads sent images the way a different reader would. */
  langDir?: string;
  psm?: PSM;
}

/** The English traineddata shipped in node_modules (LSTM, integer model: smaller and faster). */
export function engLangDir(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

/** OCR reads glyphs best when text is ~20–40 px high; screenshots are often 11–14 px text. */
const MIN_OCR_WIDTH = 1600;
const MAX_UPSCALE = 3;
/** Never upscale past this many pixels (OCR time grows with area). */
const MAX_OCR_PIXELS = 8_000_000;

export function ocrScale(width: number, height: number): number {
  let s = Math.min(MAX_UPSCALE, Math.max(1, MIN_OCR_WIDTH / width));
  if (width * height * s * s > MAX_OCR_PIXELS) s = Math.max(1, Math.sqrt(MAX_OCR_PIXELS / (width * height)));
  return s;
}

export class OcrEngine {
  private worker: Promise<Worker> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly opts: OcrOptions;

  constructor(opts: OcrOptions) {
    this.opts = opts;
  }

  /** The languages used: eng, plus chi_sim when a Chinese traineddata file is configured. */
  get langs(): string[] {
    return this.opts.chiSimPath ? ['eng', 'chi_sim'] : ['eng'];
  }

  private async start(): Promise<Worker> {
    await mkdir(this.opts.cacheDir, { recursive: true, mode: 0o700 });
    if (this.opts.chiSimPath) await this.installChiSim(this.opts.chiSimPath);
    const worker = await createWorker(this.langs, OEM.LSTM_ONLY, {
      langPath: this.opts.langDir ?? engLangDir(),
      cachePath: this.opts.cacheDir,
      gzip: true,
      // Without langPath tesseract.js would download from jsdelivr; errors must surface, not retry online.
      errorHandler: () => undefined,
    });
    // Blocks of text anywhere on the image (screenshots, invoices), not one column.
    // debug_file: tesseract's own notes ("Detected 12 diacritics") would otherwise go to stdout, into --json output.
    await worker.setParameters({ tessedit_pageseg_mode: this.opts.psm ?? PSM.SPARSE_TEXT, preserve_interword_spaces: '0', debug_file: '/dev/null' });
    return worker;
  }

  /** The user's chi_sim file goes into the cache folder, which tesseract.js reads before langPath. */
  private async installChiSim(path: string): Promise<void> {
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) throw new Error(`the Chinese traineddata file does not exist: ${path}`);
    const dest = join(this.opts.cacheDir, 'chi_sim.traineddata');
    if (path.endsWith('.gz')) await writeFile(dest, gunzipSync(await readFile(path)));
    else await copyFile(path, dest);
  }

  /** Lines of words with boxes in the input image's pixels; `rescale` multiplies the usual upscale. */
  recognize(image: Buffer, rescale = 1): Promise<OcrResult> {
    const job = this.queue.then(() => this.run(image, rescale));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async run(image: Buffer, rescale: number): Promise<OcrResult> {
    const t0 = performance.now();
    this.worker ??= this.start();
    const worker = await this.worker.catch((e: unknown) => {
      this.worker = null;
      throw e;
    });
    const meta = await sharp(image).metadata();
    const w = meta.width ?? 1;
    const h = meta.height ?? 1;
    const scale = ocrScale(w, h) * rescale;
    let pipeline = sharp(image).rotate().flatten({ background: '#ffffff' }).grayscale();
    if (scale !== 1) pipeline = pipeline.resize(Math.round(w * scale), Math.round(h * scale), { kernel: 'lanczos3' });
    const png = await pipeline.png({ compressionLevel: 1 }).toBuffer();
    const { data } = await worker.recognize(png, {}, { blocks: true, text: false });
    const lines: OcrLine[] = [];
    const back = (v: number) => v / scale;
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const words = line.words
            .filter((wd) => wd.text.trim() !== '')
            .map((wd) => ({
              text: wd.text,
              box: { x: back(wd.bbox.x0), y: back(wd.bbox.y0), w: back(wd.bbox.x1 - wd.bbox.x0), h: back(wd.bbox.y1 - wd.bbox.y0) },
            }));
          if (words.length) lines.push({ text: words.map((wd) => wd.text).join(' '), words });
        }
      }
    }
    return { lines, scale, ms: Math.round(performance.now() - t0) };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.terminate();
  }
}
