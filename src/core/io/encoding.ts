// Which text encoding a dataset file uses: UTF-8 (with or without a BOM) or GB18030/GBK, common in Chinese
// logs. GB18030 never uses byte 0x0a inside a character, so lines split on bytes before decoding.
import { isUtf8 } from 'node:buffer';
import type { DatasetEncoding } from '../../shared/datasets.record';
import { decodeUtf8Line, type LineDecoder } from './lineReader';

export function hasUtf8Bom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

export function hasUtf16Bom(b: Uint8Array): boolean {
  return b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return false;
  return true;
}

/** Trailing bytes that start a UTF-8 character the sample cut short (0 when it ends on a boundary). */
function cutShortTail(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const byte = b[b.length - k] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

function validUtf8Prefix(b: Buffer): boolean {
  return isUtf8(b.subarray(0, b.length - cutShortTail(b)));
}

function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) || // CJK unified ideographs
    (c >= 0x3400 && c <= 0x4dbf) || // extension A
    (c >= 0x3000 && c <= 0x303f) || // CJK punctuation
    (c >= 0xff00 && c <= 0xffef) // full-width forms
  );
}

/**
 * GB18030 when the bytes decode as it and what is not ASCII is mostly Chinese: a stray bad line is allowed
 * (decoded lossily, it gives U+FFFD), Latin-1 or random bytes are not.
 */
function plausibleGb18030(b: Buffer): boolean {
  // Streaming: a character the sample cut short is left out, not counted as bad.
  const text = new TextDecoder('gb18030').decode(b, { stream: true });
  let cjk = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (isCjk(c)) cjk++;
    else other++;
  }
  return cjk > 0 && cjk >= 2 * other;
}

/** UTF-8 when the sample is valid UTF-8 (ASCII included); GB18030 when it plausibly is that; else UTF-8. */
export function detectEncoding(sample: Buffer): 'utf-8' | 'gb18030' {
  const body = hasUtf8Bom(sample) ? sample.subarray(3) : sample;
  if (isAscii(body) || validUtf8Prefix(body)) return 'utf-8';
  return plausibleGb18030(body) ? 'gb18030' : 'utf-8';
}

/** True when a sample says nothing about the encoding: all ASCII, so a later part of the file must decide. */
export function isAsciiSample(sample: Buffer): boolean {
  return isAscii(hasUtf8Bom(sample) ? sample.subarray(3) : sample);
}

export function lineDecoder(encoding: DatasetEncoding): LineDecoder {
  if (encoding === 'utf-8') return decodeUtf8Line;
  const strict = new TextDecoder('gb18030', { fatal: true });
  const lossy = new TextDecoder('gb18030');
  return (body) => {
    try {
      return { text: strict.decode(body), error: null };
    } catch {
      return { text: lossy.decode(body), error: 'not valid GB18030' };
    }
  };
}
