// From OCR lines to the boxes to paint: the text PII detectors (shared/pii.ts, the user's custom rules) run
// on each line as read and on a "joined" text where the spaces OCR puts inside numbers are gone
// ("6222 0212 3456 7890 128" is one card), and each finding's characters are mapped back to the words they
// came from. Painting is solid black over the padded word boxes, then a re-encode that keeps no metadata.
import sharp from 'sharp';
import { findPii } from '../../shared/pii';
import type { CompiledPiiRule } from '../../shared/piiMask';
import type { Box, OcrLine } from './ocr';

export interface ImageFinding {
  /** id_card, bank_card, phone, email, or a custom rule's NAME. */
  type: string;
  /** The union of the word boxes the finding covers, in the image's pixels. */
  box: Box;
  /** The raw text as read (never leaves the core: callers mask it). */
  text: string;
}

/** One character of the searched text → the index of the word it came from (-1: a joining character). */
interface Indexed {
  text: string;
  owner: number[];
}

const DIGITISH = /^[0-9OoIl|SB.\-–—,:;/()+]+$/;
/** Letters OCR reads for digits; mapped 1:1 so offsets stay, and only in words that are mostly digits. */
const AS_DIGIT: Record<string, string> = { O: '0', o: '0', I: '1', l: '1', '|': '1', S: '5', B: '8' };

function mostlyDigits(w: string): boolean {
  let d = 0;
  for (const c of w) if (c >= '0' && c <= '9') d++;
  return d >= 2 && d / w.length >= 0.6 && DIGITISH.test(w);
}

/** An address whose @ OCR read as § or © (same length, so offsets stay). */
const MISREAD_AT = /^([\w.+-]+)[§©]([\w-]+(?:\.[\w-]+)*\.?)$/;

function digitize(w: string): string {
  if (mostlyDigits(w)) return w.replace(/[OoIl|SB]/g, (c) => AS_DIGIT[c] ?? c);
  const m = MISREAD_AT.exec(w);
  return m ? `${m[1]}@${m[2]}` : w;
}

const endsDigit = (s: string) => /[0-9Xx]$/.test(s) && /[0-9]/.test(s);
const startsDigit = (s: string) => /^[0-9]/.test(s);
/** "name@corp. com.cn": OCR put a space after a dot inside an address. */
const splitAddress = (prev: string, w: string) => /@[\w.-]*\.$/.test(prev) && /^[a-z]{2,}/i.test(w);

/**
 * Two views of the words: `asRead` joins a line's words with spaces (lines with \n); `joined` also drops
 * the space between two words when both sides are digits (or after the dot of an address), reads O/l/I as
 * 0/1 inside numbers and § or © as @ inside an address.
 */
export function indexWords(lines: readonly OcrLine[], joinDigits: boolean): { text: string; owner: number[] } {
  const out: Indexed = { text: '', owner: [] };
  let wi = 0;
  for (const line of lines) {
    let prev = '';
    for (const word of line.words) {
      const w = joinDigits ? digitize(word.text) : word.text;
      if (prev !== '' && !(joinDigits && ((endsDigit(prev) && startsDigit(w)) || splitAddress(prev, w)))) {
        out.text += ' ';
        out.owner.push(-1);
      }
      out.text += w;
      for (let i = 0; i < w.length; i++) out.owner.push(wi);
      prev = w;
      wi++;
    }
    out.text += '\n';
    out.owner.push(-1);
  }
  return out;
}

function union(boxes: readonly Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Every PII finding in the OCR'd lines, one per distinct set of words (both views agree → one finding). */
export function findInLines(lines: readonly OcrLine[], rules: readonly CompiledPiiRule[] = []): ImageFinding[] {
  const words = lines.flatMap((l) => l.words);
  const found = new Map<string, ImageFinding>();
  for (const joinDigits of [false, true]) {
    const { text, owner } = indexWords(lines, joinDigits);
    const spans: { type: string; start: number; end: number }[] = findPii(text).map((m) => ({ type: m.kind, start: m.start, end: m.end }));
    for (const r of rules) {
      r.regex.lastIndex = 0;
      for (const m of text.matchAll(r.regex)) if (m[0]) spans.push({ type: r.name, start: m.index, end: m.index + m[0].length });
    }
    for (const s of spans) {
      const ids = [...new Set(owner.slice(s.start, s.end).filter((i) => i >= 0))].sort((a, b) => a - b);
      if (ids.length === 0) continue;
      const key = ids.join(',');
      if (found.has(key)) continue;
      // A finding covering the same words as a longer one adds nothing to paint.
      found.set(key, { type: s.type, box: union(ids.map((i) => (words[i] as { box: Box }).box)), text: text.slice(s.start, s.end) });
    }
  }
  return [...found.values()];
}

export type OutputFormat = 'png' | 'jpeg' | 'webp';

/** Black boxes over `boxes` (padded by a share of their height), re-encoded with no metadata. */
export async function paintBoxes(image: Buffer, boxes: readonly Box[], format: OutputFormat): Promise<{ data: Buffer; painted: Box[] }> {
  const base = sharp(image).rotate(); // boxes are in the upright image's pixels (OCR saw it rotated too)
  const { width = 1, height = 1 } = await base.clone().toBuffer({ resolveWithObject: true }).then((r) => r.info);
  const painted: Box[] = [];
  for (const b of boxes) {
    const pad = Math.max(3, Math.round(b.h * 0.2));
    const x = Math.max(0, Math.floor(b.x - pad));
    const y = Math.max(0, Math.floor(b.y - pad));
    const x1 = Math.min(width, Math.ceil(b.x + b.w + pad));
    const y1 = Math.min(height, Math.ceil(b.y + b.h + pad));
    if (x1 > x && y1 > y) painted.push({ x, y, w: x1 - x, h: y1 - y });
  }
  let img = base.flatten({ background: '#ffffff' });
  if (painted.length) {
    const flat = await img.png({ compressionLevel: 1 }).toBuffer();
    img = sharp(flat).composite(
      painted.map((p) => ({ input: { create: { width: p.w, height: p.h, channels: 3 as const, background: '#000000' } }, left: p.x, top: p.y })),
    );
  }
  // sharp writes no EXIF/XMP/ICC unless asked (keepMetadata/withMetadata), which is what we want.
  const data =
    format === 'jpeg' ? await img.jpeg({ quality: 90, mozjpeg: true }).toBuffer() : format === 'webp' ? await img.webp({ quality: 90 }).toBuffer() : await img.png().toBuffer();
  return { data, painted };
}

/** Counts by type, for the audit record and the CLI (never values). */
export function countByType(findings: readonly { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return counts;
}
