// The image guard: before an image leaves for a remote target, the image policy says allow, block or
// redact; redact reads the image on this machine (OCR), runs the text PII detectors on what it read and
// paints the findings' boxes black. What is redacted is the prepared image, the bytes that actually leave.
// Results are kept by sent hash for a while, so a Playground preview and the send that follows cost one OCR.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { GuardPolicy, ImageAction, ImageAudit, ImagePreview, ImageRegion } from '../../shared/guard.schema';
import { MAX_INPUT_IMAGE_PIXELS, type ImageMime } from '../../shared/images.schema';
import { compilePiiRules, redact as maskValue } from '../../shared/piiMask';
import { CoreError } from '../coreError';
import type { ImageStore, PreparedImage } from '../images/imageStore';
import { sniffImage } from '../images/sniff';
import { OcrEngine } from './ocr';
import { detect } from './detect';
import { countByType, paintBoxes, type ImageFinding, type OutputFormat } from './redact';

export type ImageTarget = { kind: 'local' } | { kind: 'remote'; targetId: string };

export interface ImageScanFinding {
  type: string;
  box: ImageRegion['box'];
  /** Partly hidden, for display (1101**********002X); the raw value never leaves the core. */
  masked: string;
}

export interface ImageScan {
  findings: ImageScanFinding[];
  counts: Record<string, number>;
  ocrMs: number;
}

export interface RedactedImage {
  data: Buffer;
  mime: ImageMime;
  regions: ImageRegion[];
  counts: Record<string, number>;
  ocrMs: number;
  originalHash: string;
  sentHash: string;
}

/** What the send path gets for one image: the bytes to send and what to audit. */
export interface GuardedImage {
  action: ImageAction;
  image: PreparedImage;
  /** Set when action is redact: the hashes before and after, counts by type (never values). */
  redaction: { originalHash: string; sentHash: string; counts: Record<string, number>; regions: ImageRegion[]; ocrMs: number } | null;
}

/** What runs need of an image store (runs/runPorts RunImageStore), plus what was sent, for the audit. */
export interface GuardedStore {
  get: ImageStore['get'];
  registerRefs: ImageStore['registerRefs'];
  prepare(hash: string, maxPixels: number): Promise<PreparedImage>;
  audit(): ImageAudit[];
}

export interface ImageGuardDeps {
  images: ImageStore;
  /** The live guard policy (GuardService.policy). */
  policy: () => GuardPolicy;
  /** DATA_DIR: the unpacked traineddata is cached in DATA_DIR/ocr. */
  dataDir: string;
  /** The budget of a remote target (targets.maxImagePixels), for previews. */
  maxPixelsFor?: (targetId: string) => number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FORMAT: Record<string, OutputFormat> = { png: 'png', jpeg: 'jpeg', webp: 'webp', gif: 'png' };
const MIME: Record<OutputFormat, ImageMime> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
const REMEMBER = 32;

export class ImageGuardService {
  private ocr: OcrEngine | null = null;
  private ocrLangKey = '';
  private readonly recent = new Map<string, RedactedImage>();

  constructor(private readonly deps: ImageGuardDeps) {}

  /** The image action for a target under the current policy. */
  actionFor(target: ImageTarget): ImageAction {
    const p = this.deps.policy().images;
    return target.kind === 'local' ? p.local : (p.targets[target.targetId] ?? p.remoteDefault);
  }

  /** One worker for the configured languages; a new chi_sim path starts a new one. */
  private engine(): OcrEngine {
    const chiSimPath = this.deps.policy().images.chiSimPath;
    const key = chiSimPath ?? '';
    if (!this.ocr || key !== this.ocrLangKey) {
      void this.ocr?.close();
      this.ocr = new OcrEngine({ cacheDir: join(this.deps.dataDir, 'ocr'), chiSimPath });
      this.ocrLangKey = key;
    }
    return this.ocr;
  }

  /** Refuses what is not an image we read (naming it and why), before OCR sees it. */
  private check(bytes: Buffer, name: string): OutputFormat {
    const s = sniffImage(bytes, name);
    if (s.width * s.height > MAX_INPUT_IMAGE_PIXELS) {
      throw new CoreError('BAD_INPUT', `${name}: the image is ${s.width}×${s.height}; at most ${MAX_INPUT_IMAGE_PIXELS.toLocaleString('en-US')} pixels are accepted`);
    }
    return FORMAT[s.format] ?? 'png';
  }

  private async find(bytes: Buffer, name: string): Promise<{ findings: ImageFinding[]; ocrMs: number }> {
    const rules = compilePiiRules(this.deps.policy().pii.customRules);
    try {
      return await detect(this.engine(), bytes, rules);
    } catch (e) {
      if (e instanceof CoreError) throw e;
      // sharp's "Input buffer contains unsupported image format" and the like: name the file.
      throw new CoreError('BAD_INPUT', `${name}: the image could not be read (${(e as Error).message})`);
    }
  }

  /** Findings in an image (masked values), nothing written. */
  async scan(bytes: Buffer, name = 'image'): Promise<ImageScan> {
    this.check(bytes, name);
    const { findings, ocrMs } = await this.find(bytes, name);
    return {
      findings: findings.map((f) => ({ type: f.type, box: roundBox(f.box), masked: maskValue(f.type, f.text) })),
      counts: countByType(findings),
      ocrMs,
    };
  }

  /** The image with every finding painted black, re-encoded without metadata. */
  async redact(bytes: Buffer, name = 'image'): Promise<RedactedImage> {
    const format = this.check(bytes, name);
    const originalHash = sha256(bytes);
    const hit = this.recent.get(originalHash);
    if (hit) return hit;
    const { findings, ocrMs } = await this.find(bytes, name);
    const { data, painted } = await paintBoxes(bytes, findings.map((f) => f.box), format);
    const out: RedactedImage = {
      data,
      mime: MIME[format],
      regions: findings.map((f, i) => ({ type: f.type, box: painted[i] ?? roundBox(f.box) })),
      counts: countByType(findings),
      ocrMs,
      originalHash,
      sentHash: sha256(data),
    };
    this.recent.set(originalHash, out);
    if (this.recent.size > REMEMBER) this.recent.delete(this.recent.keys().next().value as string);
    return out;
  }

  /**
   * THE HOOK for the send path: the prepared image for `target` under the image policy. allow: as
   * prepared; block: CoreError BLOCKED naming the image; redact: painted, with hashes and counts to audit.
   */
  async forTarget(hash: string, maxPixels: number, target: ImageTarget, name = 'image'): Promise<GuardedImage> {
    const action = this.actionFor(target);
    if (action === 'block') throw new CoreError('BLOCKED', `${name}: images to this target are blocked by the guard policy`);
    const prepared = await this.deps.images.prepare(hash, maxPixels);
    if (action === 'allow') return { action, image: prepared, redaction: null };
    const r = await this.redact(prepared.data, name);
    // Nothing found: the prepared bytes go as they are (already without metadata); a re-encode would only lose quality.
    if (r.regions.length === 0) return { action, image: prepared, redaction: { originalHash: hash, sentHash: prepared.sentHash, counts: {}, regions: [], ocrMs: r.ocrMs } };
    return {
      action,
      image: { ...prepared, mime: r.mime, data: r.data, sentHash: r.sentHash, bytes: r.data.length },
      redaction: { originalHash: hash, sentHash: r.sentHash, counts: r.counts, regions: r.regions, ocrMs: r.ocrMs },
    };
  }

  /**
   * For the send path: a store whose prepare() goes through forTarget, so the one line that prepares a
   * run's images (runs/imageRun.ts prepareParts) needs only this store in place of the plain one; audit()
   * then lists each image sent with its hashes, the action and the counts for the run's audit record.
   */
  storeFor(target: ImageTarget): GuardedStore {
    const sent: ImageAudit[] = [];
    const images = this.deps.images;
    return {
      get: (hash) => images.get(hash),
      registerRefs: (name, refs) => images.registerRefs(name, refs),
      prepare: async (hash, maxPixels) => {
        const g = await this.forTarget(hash, maxPixels, target, images.get(hash).name);
        sent.push({ hash, sentHash: g.image.sentHash, action: g.action, counts: g.redaction?.counts ?? {} });
        return g.image;
      },
      audit: () => [...sent],
    };
  }

  /** guard.previewImage: what would leave for this remote target (blocked: an empty data URL). */
  async previewImage(input: { hash: string; targetId: string }): Promise<ImagePreview> {
    const target: ImageTarget = { kind: 'remote', targetId: input.targetId };
    const action = this.actionFor(target);
    const name = this.deps.images.get(input.hash).name;
    if (action === 'block') return { action, dataUrl: '', regions: [], counts: {} };
    const g = await this.forTarget(input.hash, this.deps.maxPixelsFor?.(input.targetId) ?? Number.MAX_SAFE_INTEGER, target, name);
    return {
      action,
      dataUrl: `data:${g.image.mime};base64,${g.image.data.toString('base64')}`,
      regions: g.redaction?.regions ?? [],
      counts: g.redaction?.counts ?? {},
    };
  }

  async close(): Promise<void> {
    const o = this.ocr;
    this.ocr = null;
    await o?.close();
  }
}

function roundBox(b: ImageRegion['box']): ImageRegion['box'] {
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
}
