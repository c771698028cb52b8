// PII detection for dataset rows: Chinese resident ID cards, bank cards, phone numbers and emails. Pure and
// allocation-light so it runs over a million rows in the core and on one row in the renderer. Precision
// beats recall here (labelers see every flag), so each kind is validated, not just shape-matched.
//
// Numbers are read as "tokens": maximal digit runs joined by single spaces or hyphens ("138 1234 5678").
// An ungrouped candidate may be any one run of a token; a grouped candidate (3-4-4 phone, 4-4-4-4 card,
// "+44 20 7946 0958") must be the whole token, so "138 1234 5678 9" is not read as a phone.
// Full-width digits and separators are read as ASCII (piiValidators.narrow keeps offsets unchanged).
// A keyword just before a number decides what the checksums cannot: after 卡号/账号/card a 13–19 digit
// number is a card even when Luhn fails; after 订单/order/发票 it never is.
import {
  allSame,
  C0,
  cardPrefix,
  idChecksum,
  idLike18,
  idShape18,
  isDigit,
  isMobile11,
  isWordChar,
  luhn,
  msTimestamp,
  narrow,
  numberContext,
  validId15,
} from './piiValidators';

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
const PLUS = 43;
const DOT = 46;
const SPACE = 32;
const HYPHEN = 45;

// ---------- number tokens ----------

// Reused across calls (pure from the caller's view: reset per token, never escapes).
const gStart: number[] = [];
const gEnd: number[] = [];

/** A span may not continue a decimal or version ("3.13812345678", "13812345678.5") or an identifier. */
function edgesOk(s: string, start: number, end: number): boolean {
  if (start > 0) {
    const p = s.charCodeAt(start - 1);
    if (isWordChar(p)) return false;
    if (p === DOT && start > 1 && isDigit(s.charCodeAt(start - 2))) return false;
  }
  if (end < s.length) {
    const n = s.charCodeAt(end);
    if (isWordChar(n)) return false;
    if (n === DOT && end + 1 < s.length && isDigit(s.charCodeAt(end + 1))) return false;
  }
  return true;
}

function push(out: PiiMatch[], s: string, kind: PiiKind, start: number, end: number): void {
  out.push({ kind, start, end, text: s.slice(start, end) });
}

/** A 13–19 digit card candidate `s[a, b)` (separators allowed inside) whose first digit is at `a`. */
function cardOk(s: string, a: number, b: number, digits: number): boolean {
  if (digits < 13 || digits > 19 || allSame(s, a, b) || msTimestamp(s, a, digits)) return false;
  const ctx = numberContext(s, a);
  return ctx === 'card' || (ctx === null && cardPrefix(s, a) && luhn(s, a, b));
}

/** One ungrouped digit run `s[a, b)`; returns true when it was a match. */
function matchRun(s: string, a: number, b: number, out: PiiMatch[]): boolean {
  const len = b - a;
  if (len === 17) {
    const x = s.charCodeAt(b);
    if ((x === 88 || x === 120) && idShape18(s, a) && idChecksum(s, a, s[b] as string) && edgesOk(s, a, b + 1)) {
      push(out, s, 'id_card', a, b + 1);
      return true;
    }
    // fall through: a 17-digit card number is possible when no X follows
  }
  if (!edgesOk(s, a, b)) return false;
  if (len === 18 && idLike18(s, a)) {
    // Looks like an ID: either it is one, or a mistyped one — a card only when a keyword says so.
    if (idShape18(s, a) && idChecksum(s, a, s[a + 17] as string)) {
      push(out, s, 'id_card', a, b);
      return true;
    }
    if (numberContext(s, a) === 'card' && !allSame(s, a, b)) {
      push(out, s, 'bank_card', a, b);
      return true;
    }
    return false;
  }
  if (len === 15 && validId15(s, a)) {
    const ctx = numberContext(s, a);
    if (ctx === null || ctx === 'id') {
      push(out, s, 'id_card', a, b);
      return true;
    }
    if (ctx === 'order') return false;
  }
  if (len === 11 && isMobile11(s, a)) {
    push(out, s, 'phone', a, b);
    return true;
  }
  if (len === 13 && s.startsWith('86', a) && isMobile11(s, a + 2)) {
    push(out, s, 'phone', a, b);
    return true;
  }
  if (len === 15 && s.startsWith('0086', a) && isMobile11(s, a + 4)) {
    push(out, s, 'phone', a, b);
    return true;
  }
  if (cardOk(s, a, b, len)) {
    push(out, s, 'bank_card', a, b);
    return true;
  }
  return false;
}

/** A whole grouped token of `n` groups (n ≥ 2), `plus` = index of a leading '+' or -1. */
function matchGrouped(s: string, n: number, plus: number, out: PiiMatch[]): boolean {
  const start = plus >= 0 ? plus : (gStart[0] as number);
  const end = gEnd[n - 1] as number;
  if (!edgesOk(s, start, end)) return false;
  let digits = 0;
  for (let i = 0; i < n; i++) digits += (gEnd[i] as number) - (gStart[i] as number);
  const glen = (i: number): number => (gEnd[i] as number) - (gStart[i] as number);

  // Mainland mobile 3-4-4, optionally after an 86 / 0086 group.
  let m = 0;
  if (n === 4 && (glen(0) === 2 || glen(0) === 4)) {
    const p = s.slice(gStart[0], gEnd[0]);
    if (p === '86' || p === '0086') m = 1;
  }
  if (n - m === 3 && glen(m) === 3 && glen(m + 1) === 4 && glen(m + 2) === 4 && isMobile11(s, gStart[m] as number)) {
    push(out, s, 'phone', start, end);
    return true;
  }
  if (n === 2 && glen(1) === 11 && isMobile11(s, gStart[1] as number)) {
    const p = s.slice(gStart[0], gEnd[0]);
    if (p === '86' || p === '0086') {
      push(out, s, 'phone', start, end);
      return true;
    }
  }
  // International "+<country> ...": 8–15 digits, country code not starting with 0.
  if (plus >= 0) {
    if (digits >= 8 && digits <= 15 && s.charCodeAt(gStart[0] as number) !== C0) {
      push(out, s, 'phone', start, end);
      return true;
    }
    return false;
  }
  // Card in groups of 4, the last group 1–4 digits.
  if (digits >= 13 && digits <= 19) {
    for (let i = 0; i < n - 1; i++) if (glen(i) !== 4) return false;
    if (cardOk(s, gStart[0] as number, end, digits)) {
      push(out, s, 'bank_card', start, end);
      return true;
    }
  }
  return false;
}

/** Reads the number token starting at digit `i`; appends matches; returns the index after the token. */
function scanToken(s: string, i: number, out: PiiMatch[]): number {
  const len = s.length;
  let n = 0;
  let j = i;
  for (;;) {
    const a = j;
    while (j < len && isDigit(s.charCodeAt(j))) j++;
    gStart[n] = a;
    gEnd[n] = j;
    n++;
    const c = s.charCodeAt(j);
    if ((c === SPACE || c === HYPHEN) && j + 1 < len && isDigit(s.charCodeAt(j + 1))) j++;
    else break;
  }
  let plus = -1;
  if (i > 0 && s.charCodeAt(i - 1) === PLUS && (i < 2 || !isWordChar(s.charCodeAt(i - 2)))) plus = i - 1;

  if (plus >= 0 && n === 1) {
    const d = j - i;
    if (d >= 8 && d <= 15 && s.charCodeAt(i) !== C0 && edgesOk(s, plus, j)) {
      push(out, s, 'phone', plus, j);
      return j;
    }
    return j;
  }
  if (n > 1 && matchGrouped(s, n, plus, out)) return j;
  for (let g = 0; g < n; g++) {
    const a = gStart[g] as number;
    const b = gEnd[g] as number;
    if (b - a >= 11) matchRun(s, a, b, out);
  }
  return j;
}

// ---------- emails ----------

const LOCAL_SPECIAL = new Set([...".!#$%&'*+/=?^_`{|}~-"].map((c) => c.charCodeAt(0)));
/** Non-ASCII letters/marks/digits, except scripts written without spaces (CJK), where a name glued to
 *  an address ("联系zhang@example.com") would otherwise become part of it. */
const UNI_WORD = /[\p{L}\p{M}\p{N}]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

function uniWord(s: string, i: number): boolean {
  const ch = s[i] as string;
  // Surrogate halves are treated as letters of astral scripts; CJK Ext-B etc. are rare in addresses.
  return UNI_WORD.test(ch) && !UNSPACED.test(ch);
}

function localChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return isWordChar(c) || LOCAL_SPECIAL.has(c);
  return uniWord(s, i);
}

function domainChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return isWordChar(c) || c === HYPHEN || c === DOT;
  return uniWord(s, i);
}

/** Email around the '@' at `at`, or null. */
function emailAt(s: string, at: number): [number, number] | null {
  let a = at;
  while (a > 0 && localChar(s, a - 1)) a--;
  while (a < at && s.charCodeAt(a) === DOT) a++;
  if (a === at || s.charCodeAt(at - 1) === DOT) return null;
  let b = at + 1;
  while (b < s.length && domainChar(s, b)) b++;
  // Trailing sentence punctuation is not part of the domain.
  while (b > at + 1 && (s.charCodeAt(b - 1) === DOT || s.charCodeAt(b - 1) === HYPHEN)) b--;
  const local = s.slice(a, at);
  if (local.length > 64 || local.includes('..')) return null;
  const domain = s.slice(at + 1, b);
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  for (const l of labels) if (l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-')) return null;
  const tld = labels[labels.length - 1] as string;
  if (tld.length < 2 || !/^\p{L}+$/u.test(tld)) return null;
  return [a, b];
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
  for (let i = 0; i < len; i++) {
    if (!isDigit(text.charCodeAt(i))) continue;
    if (emailEnds) {
      while (ei < emailEnds.length && (emailEnds[ei + 1] as number) <= i) ei += 2;
      if (ei < emailEnds.length && (emailEnds[ei] as number) <= i) {
        i = (emailEnds[ei + 1] as number) - 1;
        continue;
      }
    }
    const before = out.length;
    let j = scanToken(text, i, out);
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
      } else if (!(c === SPACE || c === HYPHEN)) break;
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
