// PII detection for dataset rows: Chinese resident ID cards, bank cards, phone numbers and emails. Pure and
// allocation-light so it runs over a million rows in the core and on one row in the renderer. Precision
// beats recall here (labelers see every flag), so each kind is validated, not just shape-matched.
//
// Numbers (ID cards, bank cards, phones) are read by piiNumbers.ts, grouped forms included. Full-width
// digits and separators are read as ASCII (piiValidators.narrow keeps offsets unchanged).
// A keyword just before a number decides what the checksums cannot: after 卡号/账号/card a 13–19 digit
// number is a card even when Luhn fails; after 订单/order/发票 it never is, nor a phone.
import { emailAt } from './piiEmail';
import { scanNumber } from './piiNumbers';
import { narrow } from './piiValidators';

export type PiiKind = 'id_card' | 'bank_card' | 'phone' | 'email';
export const PII_KINDS: readonly PiiKind[] = ['id_card', 'bank_card', 'phone', 'email'];
export const PII_BIT: Record<PiiKind, number> = { id_card: 1, bank_card: 2, phone: 4, email: 8 };

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  text: string;
}

const PLACEHOLDER: Record<PiiKind, string> = {
  id_card: '[ID_CARD]',
  bank_card: '[BANK_CARD]',
  phone: '[PHONE]',
  email: '[EMAIL]',
};

const AT = 64; // '@'
// Local, not imported: this runs per character, and a cross-module call costs a getter in some loaders.
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const DOT = 46;
const SPACE = 32;
const HYPHEN = 45;

function push(out: PiiMatch[], s: string, kind: PiiKind, start: number, end: number): void {
  out.push({ kind, start, end, text: s.slice(start, end) });
}

// ---------- public API ----------

/** All PII spans in `text`, non-overlapping, in order. */
export function findPii(text: string): PiiMatch[] {
  const wide = text;
  text = narrow(text);
  const out = findNarrow(text);
  // Report what the user wrote (full-width and all); offsets are the same in both.
  if (text !== wide) for (const m of out) m.text = wide.slice(m.start, m.end);
  return out;
}

function findNarrow(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  const len = text.length;
  // Emails first: digits inside an address ("13812345678@qq.com") belong to the address.
  let emailEnds: number[] | null = null;
  let at = text.indexOf('@');
  while (at >= 0) {
    const e = emailAt(text, at);
    if (e) {
      push(out, text, 'email', e[0], e[1]);
      (emailEnds ??= []).push(e[0], e[1]);
      at = text.indexOf('@', e[1]);
    } else at = text.indexOf('@', at + 1);
  }
  let ei = 0;
  // The native regex scan skips prose to the next digit; JS looks only at numbers.
  DIGIT.lastIndex = 0;
  for (let i = 0; i < len; i++) {
    DIGIT.lastIndex = i;
    if (!DIGIT.test(text)) break;
    i = DIGIT.lastIndex - 1;
    if (emailEnds) {
      while (ei < emailEnds.length && (emailEnds[ei + 1] as number) <= i) ei += 2;
      if (ei < emailEnds.length && (emailEnds[ei] as number) <= i) {
        i = (emailEnds[ei + 1] as number) - 1;
        continue;
      }
    }
    const before = out.length;
    let j = scanNumber(text, i, out);
    // A token may run into an email ("13812345678 a1@x.cn"): drop number matches that overlap one.
    if (emailEnds && out.length > before) {
      for (let k = out.length - 1; k >= before; k--) {
        const m = out[k] as PiiMatch;
        for (let q = 0; q < emailEnds.length; q += 2) {
          if (m.start < (emailEnds[q + 1] as number) && m.end > (emailEnds[q] as number)) {
            out.splice(k, 1);
            break;
          }
        }
      }
    }
    if (out.length > before) j = Math.max(j, (out[out.length - 1] as PiiMatch).end);
    i = j - 1;
  }
  if (emailEnds) out.sort((x, y) => x.start - y.start);
  return out;
}

const DIGIT = /[0-9]/g;
const DIGIT_OR_AT = /[0-9@]/g;

/** Whether `text` has an '@' or a number token of at least 8 digits (the least any kind needs). The
 *  native regex scan skips prose; only the characters of each number are looked at in JS. */
function mayHavePii(text: string): boolean {
  const len = text.length;
  DIGIT_OR_AT.lastIndex = 0;
  while (DIGIT_OR_AT.test(text)) {
    let i = DIGIT_OR_AT.lastIndex - 1;
    let c = text.charCodeAt(i);
    if (c === AT) return true;
    let run = 0;
    for (;;) {
      if (isDigit(c)) {
        if (++run >= 8) return true;
      } else if (!(c === SPACE || c === HYPHEN || c === DOT)) break;
      if (++i >= len) break;
      c = text.charCodeAt(i);
    }
    DIGIT_OR_AT.lastIndex = i;
  }
  return false;
}

/** Bitmask (PII_BIT) of the kinds in `text`; a cheap pre-scan answers 0 for most rows. */
export function piiMask(text: string): number {
  if (!mayHavePii(narrow(text))) return 0;
  let mask = 0;
  for (const m of findPii(text)) mask |= PII_BIT[m.kind];
  return mask;
}

/** `text` with each PII span (of `kinds`, default all) replaced by its placeholder, e.g. "[PHONE]". */
export function maskPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): string {
  const matches = findPii(text);
  if (matches.length === 0) return text;
  let out = '';
  let last = 0;
  for (const m of matches) {
    if (!kinds.includes(m.kind)) continue;
    out += text.slice(last, m.start) + PLACEHOLDER[m.kind];
    last = m.end;
  }
  return out + text.slice(last);
}
