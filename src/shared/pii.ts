// PII detection for dataset rows: Chinese resident ID cards, bank cards, phone numbers and emails. Pure and
// allocation-light so it runs over a million rows in the core and on one row in the renderer. Precision
// beats recall here (labelers see every flag), so each kind is validated, not just shape-matched.
//
// Numbers are read as "tokens": maximal digit runs joined by single spaces or hyphens ("138 1234 5678").
// An ungrouped candidate may be any one run of a token; a grouped candidate (3-4-4 phone, 4-4-4-4 card,
// "+44 20 7946 0958") must be the whole token, so "138 1234 5678 9" is not read as a phone.

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

const C0 = 48; // '0'
const C9 = 57; // '9'
const AT = 64; // '@'
const PLUS = 43;
const DOT = 46;
const SPACE = 32;
const HYPHEN = 45;

const isDigit = (c: number): boolean => c >= C0 && c <= C9;
/** ASCII letters, digits and '_': a number glued to these is part of an identifier, hash or word. */
const isWordChar = (c: number): boolean =>
  (c >= C0 && c <= C9) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

// ---------- validators ----------

/** GB 11643 province codes (first two digits of the region code). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
  63, 64, 65, 71, 81, 82, 83,
]);
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function num(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - C0);
  return v;
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

/** Region and birth date of an 18-digit ID look right (checksum not yet considered). */
function idShape18(s: string, at: number): boolean {
  return (
    PROVINCES.has(num(s, at, at + 2)) &&
    validDate(num(s, at + 6, at + 10), num(s, at + 10, at + 12), num(s, at + 12, at + 14))
  );
}

/** `s[at, at+17)` are digits; `check` is the 18th character (digit or X). ISO 7064 MOD 11-2. */
function idChecksum(s: string, at: number, check: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(at + i) - C0) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] === check.toUpperCase();
}

function validId15(s: string, at: number): boolean {
  return PROVINCES.has(num(s, at, at + 2)) && validDate(1900 + num(s, at + 6, at + 8), num(s, at + 8, at + 10), num(s, at + 10, at + 12));
}

/** Luhn over the digits of `s[from, to)`, skipping separators. */
function luhn(s: string, from: number, to: number): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    let d = c - C0;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of real card networks (Amex/JCB/Diners 3, Visa 4, Mastercard 2221–2720 and 5,
 *  UnionPay/Discover/Maestro 6, China domestic 9). Rules out timestamps, which start with 1. */
function cardPrefix(s: string, at: number): boolean {
  const c = s.charCodeAt(at) - C0;
  if (c === 3 || c === 4 || c === 5 || c === 6 || c === 9) return true;
  if (c !== 2) return false;
  const p = num(s, at, at + 4);
  return p >= 2221 && p <= 2720;
}

/** All digits equal ("0000 0000 0000 0000" passes Luhn but is a placeholder). */
function allSame(s: string, from: number, to: number): boolean {
  let first = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    if (first < 0) first = c;
    else if (c !== first) return false;
  }
  return true;
}

function isMobile11(s: string, at: number): boolean {
  const c = s.charCodeAt(at + 1);
  return s.charCodeAt(at) === 49 && c >= 51 && c <= C9; // 1[3-9]
}

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
  if (len === 18 && idShape18(s, a)) {
    // Looks like an ID: either it is one, or it is a mistyped one — never a card.
    if (idChecksum(s, a, s[a + 17] as string)) {
      push(out, s, 'id_card', a, b);
      return true;
    }
    return false;
  }
  if (len === 15 && validId15(s, a)) {
    push(out, s, 'id_card', a, b);
    return true;
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
  if (len >= 13 && len <= 19 && cardPrefix(s, a) && !allSame(s, a, b) && luhn(s, a, b)) {
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
    const g0 = gStart[0] as number;
    if (cardPrefix(s, g0) && !allSame(s, g0, end) && luhn(s, g0, end)) {
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
  if (!mayHavePii(text)) return 0;
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
