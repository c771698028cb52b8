// OCR then the detectors; long digit runs that no detector took are counted (a card read with one wrong
// digit fails Luhn and goes out unpainted, though then unreadable as a card too).
import type { CompiledPiiRule } from '../../shared/piiMask';
import { numberContext } from '../../shared/piiValidators';
import type { OcrEngine } from './ocr';
import { findInLines, indexWords, type ImageFinding } from './redact';

/** Runs of 11+ digits (after joining OCR's splits) that no finding covers: maybe a misread number. */
export function doubtfulRuns(lines: Parameters<typeof indexWords>[0], findings: readonly ImageFinding[]): number {
  const { text, owner } = indexWords(lines, true);
  const words = lines.flatMap((l) => l.words);
  let n = 0;
  for (const m of text.matchAll(/[0-9]{11,19}/g)) {
    // What a keyword says is an order or invoice number is no misread card (piiValidators' rule).
    if (numberContext(text, m.index) === 'order') continue;
    const ids = new Set(owner.slice(m.index, m.index + m[0].length).filter((i) => i >= 0));
    const covered = [...ids].every((i) => {
      const b = (words[i] as { box: ImageFinding['box'] }).box;
      return findings.some((f) => b.x >= f.box.x - 1 && b.y >= f.box.y - 1 && b.x + b.w <= f.box.x + f.box.w + 1 && b.y + b.h <= f.box.y + f.box.h + 1);
    });
    if (!covered) n++;
  }
  return n;
}

export interface Detection {
  findings: ImageFinding[];
  ocrMs: number;
  /** Long digit runs no detector took: a misread number, or just an order number (the bench counts them). */
  doubtful: number;
}

/**
 * One OCR read, then the detectors. A second read at other scales where a run was doubtful was measured on
 * the corpus (bench:imageguard, 30 images): it rescued nothing (a small "6" read as "5" at every scale from
 * 1.5× to 6×) and cost 3.7× the time, so it is not done.
 */
export async function detect(ocr: OcrEngine, image: Buffer, rules: readonly CompiledPiiRule[] = []): Promise<Detection> {
  const r = await ocr.recognize(image);
  const findings = findInLines(r.lines, rules);
  return { findings, ocrMs: r.ms, doubtful: doubtfulRuns(r.lines, findings) };
}

