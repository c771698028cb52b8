// Number-shaped PII (ID cards, bank cards, phones) for pii.ts. Text arrives narrowed (piiValidators.narrow):
// full-width digits, NBSP, U+3000 and dash variants are already ASCII, offsets unchanged.
//
// Numbers are read as "tokens": digit groups joined by separators the way people type them on forms
// ("138 1234 5678", "110105-19900307-4512", "199.8888.7777"). A separator is 1–3 spaces, a hyphen with at
// most one space each side, or a bare dot, and a token uses one of them throughout: where they change, a
// token ends ("2024-11-01 110105 19900307 4512" is a date, then an ID), at the first wider space gap if
// there is one (pasted table columns). An ungrouped candidate may be any one run of a token; a grouped
// candidate must be the whole token and have at most MAX_GROUPS groups, so a table row "2024 1101 0930 …"
// is never cut into an ID-sized window. Two exceptions: right after an ID keyword, the leading groups of a
// token may form the ID ("身份证 110105 19900307 4512 138 1234 5678"); and a token that splits into two
// whole, validated numbers is read as both ("110105 19900307 4512 138 1234 5678").
import type { PiiKind, PiiMatch } from './pii';
import {
  allSame,
  C0,
  cardPrefix,
  idChecksum,
  idLike18,
  idShape18,
  isMobile11,
  luhn,
  msTimestamp,
  numberContext,
  validId15,
} from './piiValidators';

// Local, not imported: these run per character, and a cross-module call costs a getter in some loaders.
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const PLUS = 43;
const DOT = 46;
const COLON = 58;
const SPACE = 32;
const HYPHEN = 45;
const X_UPPER = 88;
const X_LOWER = 120;
const isX = (c: number): boolean => c === X_UPPER || c === X_LOWER;

/** More groups than this is a list or a table row, not one number (6-4-4-4 IDs have 4, 3-3-4-4-4 five). */
export const MAX_GROUPS = 6;

// Reused across calls (pure from the caller's view: reset per token, never escapes).
const gStart: number[] = [];
const gEnd: number[] = [];
/** Kind of the separator before each group (from index 1), see nextGroup. */
const gSep: number[] = [];
const at = (arr: number[], i: number): number => arr[i] as number;

/** A span may not continue a decimal, version or time ("3.13812345678", "13812345678.5", "22:54 0518 …")
 *  or an identifier. */
function edgesOk(s: string, start: number, end: number): boolean {
  if (start > 0) {
    const p = s.charCodeAt(start - 1);
    if (isWordChar(p)) return false;
    if ((p === DOT || p === COLON) && start > 1 && isDigit(s.charCodeAt(start - 2))) return false;
  }
  if (end < s.length) {
    const n = s.charCodeAt(end);
    if (isWordChar(n)) return false;
    if ((n === DOT || n === COLON) && end + 1 < s.length && isDigit(s.charCodeAt(end + 1))) return false;
  }
  return true;
}

function push(out: PiiMatch[], s: string, kind: PiiKind, start: number, end: number): void {
  out.push({ kind, start, end, text: s.slice(start, end) });
}

/** A bare mobile at `a` keeps a country code written before it: "(+86) ", "（+86）", "(86)", "+86 " after a
 *  bracket or a separate token. Returns the new start, or `a`. */
function countryStart(s: string, a: number): number {
  let k = a;
  while (k > 0 && a - k < 2 && s.charCodeAt(k - 1) === SPACE) k--;
  if (k === a && k > 0 && s.charCodeAt(k - 1) === HYPHEN) k--;
  const close = k > 0 ? s.charCodeAt(k - 1) : 0;
  const bracketed = close === 41 || close === 0xff09; // ')' '）'
  if (bracketed) k--;
  if (k < 2 || s.charCodeAt(k - 1) !== 54 || s.charCodeAt(k - 2) !== 56) return a; // "86"
  k -= 2;
  if (k >= 2 && s.charCodeAt(k - 1) === C0 && s.charCodeAt(k - 2) === C0) k -= 2;
  if (k > 0 && s.charCodeAt(k - 1) === PLUS) k--;
  else if (!bracketed) return a; // a bare "86 " before a number is too weak a sign
  if (bracketed) {
    const open = k > 0 ? s.charCodeAt(k - 1) : 0;
    if (open !== 40 && open !== 0xff08) return a; // '(' '（'
    k--;
  }
  // "TEL（+86）138…" is fine; "x+86 138…" continues a word.
  return !bracketed && k > 0 && isWordChar(s.charCodeAt(k - 1)) ? a : k;
}

/** A mainland mobile `s[a, b)`: refused after an order/tracking/invoice keyword ("单号 13912348765"). */
function pushMobile(s: string, a: number, b: number, out: PiiMatch[], bare: boolean): boolean {
  if (numberContext(s, a) === 'order') return false;
  push(out, s, 'phone', bare ? countryStart(s, a) : a, b);
  return true;
}

/** A 13–19 digit card candidate `s[a, b)` (separators allowed inside) whose first digit is at `a`. */
function cardOk(s: string, a: number, b: number, digits: number): boolean {
  if (digits < 13 || digits > 19 || allSame(s, a, b) || msTimestamp(s, a, digits)) return false;
  const ctx = numberContext(s, a);
  return ctx === 'card' || ((ctx === null || ctx === 'phone') && cardPrefix(s, a) && luhn(s, a, b));
}

/** One ungrouped digit run `s[a, b)`; returns true when it was a match. */
function matchRun(s: string, a: number, b: number, out: PiiMatch[]): boolean {
  const len = b - a;
  if (len === 17) {
    const x = s.charCodeAt(b);
    if ((x === X_UPPER || x === X_LOWER) && idShape18(s, a) && idChecksum(s, a, s[b] as string) && edgesOk(s, a, b + 1)) {
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
    if (ctx === null || ctx === 'id' || ctx === 'phone') {
      push(out, s, 'id_card', a, b);
      return true;
    }
    if (ctx === 'order') return false;
  }
  if (len === 11 && isMobile11(s, a)) return pushMobile(s, a, b, out, true);
  if (len === 13 && s.startsWith('86', a) && isMobile11(s, a + 2)) return pushMobile(s, a, b, out, false);
  if (len === 15 && s.startsWith('0086', a) && isMobile11(s, a + 4)) return pushMobile(s, a, b, out, false);
  if (cardOk(s, a, b, len)) {
    push(out, s, 'bank_card', a, b);
    return true;
  }
  return false;
}

/** The digits of groups [0, n) of the current token, with the check X when `x` (validators read offsets). */
function compact(s: string, n: number, x: boolean): string {
  let c = '';
  for (let i = 0; i < n; i++) c += s.slice(gStart[i], gEnd[i]);
  return x ? c + 'X' : c;
}

/** Groups [0, n) as an ID: 18 characters (17 digits + X when `x`) or a legacy 15. */
function groupedId(s: string, n: number, digits: number, x: boolean): boolean {
  if (digits === (x ? 17 : 18)) {
    const c = compact(s, n, x);
    return idShape18(c, 0) && idChecksum(c, 0, c[17] as string);
  }
  if (digits !== 15 || x) return false;
  // No check digit on a legacy ID: a random 15-digit row passes ~1 % of the time, so ask for its own
  // 6-6-3 layout or an ID keyword before it.
  const natural = n === 3 && at(gEnd, 0) - at(gStart, 0) === 6 && at(gEnd, 1) - at(gStart, 1) === 6;
  if (!validId15(compact(s, n, false), 0)) return false;
  const ctx = numberContext(s, at(gStart, 0));
  return ctx === 'id' || (natural && ctx !== 'order');
}

/** A whole grouped token of `n` groups (n ≥ 2), `plus` = index of a leading '+' or -1, `x` = index after
 *  a check X that ends the token, or -1. */
function matchGrouped(s: string, n: number, plus: number, x: number, out: PiiMatch[]): boolean {
  const start = plus >= 0 ? plus : at(gStart, 0);
  let digits = 0;
  let singles = true;
  for (let i = 0; i < n; i++) {
    digits += at(gEnd, i) - at(gStart, i);
    if (at(gEnd, i) - at(gStart, i) !== 1) singles = false;
  }
  // Every kind needs 11 digits but "+<country> …" (8): most grouped tokens are years, prices and dates.
  if (digits < (plus >= 0 ? 8 : 11)) return false;
  // Digits typed one per box ("1 1 0 1 0 5 …") are one number only when they make a whole ID.
  if (n > MAX_GROUPS && !(singles && (digits === 15 || digits === 17 || digits === 18))) return false;
  if (plus < 0 && groupedId(s, n, digits, x >= 0)) {
    const end = x >= 0 ? x : at(gEnd, n - 1);
    if (!edgesOk(s, start, end)) return false;
    push(out, s, 'id_card', start, end);
    return true;
  }
  const end = at(gEnd, n - 1);
  // Other kinds end at the last digit; an X glued to it makes the token a word ("…5678x").
  if (x === end + 1 || n > MAX_GROUPS || !edgesOk(s, start, end)) return false;
  const glen = (i: number): number => at(gEnd, i) - at(gStart, i);

  // Mainland mobile 3-4-4 or 3-8, optionally after an 86 / 0086 group.
  const g0 = at(gStart, 0);
  const m = (glen(0) === 2 && s.startsWith('86', g0)) || (glen(0) === 4 && s.startsWith('0086', g0)) ? 1 : 0;
  // 3-8 ("138 12345678") only after a phone word: a count before a date ("150 20241101") looks the same.
  const mobileGroups =
    (n - m === 3 && glen(m) === 3 && glen(m + 1) === 4 && glen(m + 2) === 4) ||
    (n - m === 2 && glen(m) === 3 && glen(m + 1) === 8 && numberContext(s, start) === 'phone');
  if (mobileGroups && isMobile11(s, at(gStart, m))) return pushMobile(s, start, end, out, m === 0 && plus < 0);
  if (n === 2 && m === 1 && glen(1) === 11 && isMobile11(s, at(gStart, 1))) return pushMobile(s, start, end, out, false);
  // International "+<country> ...": 8–15 digits, country code not starting with 0.
  if (plus >= 0) {
    if (digits >= 8 && digits <= 15 && s.charCodeAt(at(gStart, 0)) !== C0) {
      push(out, s, 'phone', start, end);
      return true;
    }
    return false;
  }
  if (digits < 13 || digits > 19) return false;
  // An ID-shaped 18 (bad checksum or date) is a mistyped ID, not a card, unless a keyword says card.
  if (digits === 18 && idLike18(compact(s, n, false), 0) && numberContext(s, start) !== 'card') return false;
  // Cards in groups of 4, the last group 1–4 digits; Amex 4-6-5. Never dotted: dotted digits are versions.
  if (at(gSep, 1) === SEP_DOT) return false;
  let fours = glen(n - 1) <= 4;
  for (let i = 0; i < n - 1; i++) if (glen(i) !== 4) fours = false;
  const amex = n === 3 && digits === 15 && glen(0) === 4 && glen(1) === 6 && s.charCodeAt(start) === 51;
  if ((fours || amex) && cardOk(s, start, end, digits)) {
    push(out, s, 'bank_card', start, end);
    return true;
  }
  return false;
}

/** After an ID keyword, the leading groups of a longer token that make a valid ID; returns its end or -1. */
function leadingId(s: string, n: number, out: PiiMatch[]): number {
  let digits = 0;
  for (let k = 1; k < n && k <= MAX_GROUPS; k++) {
    digits += at(gEnd, k - 1) - at(gStart, k - 1);
    if (digits > 18) return -1;
    // 18 only: a legacy 15 at the front of a longer run is more likely a mistyped 18 than an ID.
    if (digits !== 18) continue;
    // The keyword is looked for last: most tokens never reach an ID-sized prefix.
    if (groupedId(s, k, digits, false) && edgesOk(s, at(gStart, 0), at(gEnd, k - 1)) && numberContext(s, at(gStart, 0)) === 'id') {
      push(out, s, 'id_card', at(gStart, 0), at(gEnd, k - 1));
      return at(gEnd, k - 1);
    }
  }
  return -1;
}

/** Separator kinds: 1–3 spaces (their count), a bare hyphen, a hyphen with spaces, a dot. */
const SEP_HYPHEN = 4;
const SEP_SPACED_HYPHEN = 5;
const SEP_DOT = 6;
const wideGap = (sep: number): boolean => sep === 2 || sep === 3;
/** Groups read per token at most; a longer run is read on as further tokens. */
const MAX_READ = 64;

/** Index of the next group's first digit if a separator starts at `j`, else -1; its kind in `sepKind`. */
let sepKind = 1;
function nextGroup(s: string, j: number): number {
  let k = j;
  while (k < s.length && s.charCodeAt(k) === SPACE && k - j < 3) k++;
  const c = s.charCodeAt(k);
  sepKind = k - j;
  if (c === HYPHEN && k - j <= 1) {
    k++;
    sepKind = k - j === 1 ? SEP_HYPHEN : SEP_SPACED_HYPHEN;
    if (s.charCodeAt(k) === SPACE) {
      k++;
      sepKind = SEP_SPACED_HYPHEN;
    }
  } else if (c === DOT && k === j) {
    k++;
    sepKind = SEP_DOT;
  }
  return k > j && isDigit(s.charCodeAt(k)) ? k : -1;
}

/** Where the current token of `n` groups must end, as a group count: at the first wider space gap when the
 *  separators differ, else at the first change of separator (before the group it splits when spaces give
 *  way to a hyphen or dot); `n` when they are all alike. A country code's
 *  own separator does not count ("+86 138.1234.5678", "86 138-1234-5678"). */
function uniformGroups(n: number, first: number): number {
  if (n <= first) return n;
  const kind = at(gSep, first);
  let change = -1;
  for (let g = first; g < n; g++) {
    if (at(gSep, g) !== kind && change < 0) change = g;
  }
  if (change < 0) return n;
  for (let g = first; g < n; g++) if (wideGap(at(gSep, g))) return g;
  // Hyphens and dots bind tighter than spaces: in "165 2004 2004-11-14" the second 2004 starts the date.
  // Dates are written with bare hyphens or dots ("2024-11-01", "2011.10.02"), so a group just before one
  // goes with it unless the token was already dotted or hyphenated the same tight way.
  const to = at(gSep, change);
  const toDate = to === SEP_HYPHEN || (to === SEP_DOT && kind !== SEP_HYPHEN);
  return toDate ? change - 1 : change;
}

/** Reads the number token starting at digit `i`; appends matches; returns the index to go on from. */
export function scanNumber(s: string, i: number, out: PiiMatch[]): number {
  const len = s.length;
  let plus = -1;
  if (i > 0 && s.charCodeAt(i - 1) === PLUS && (i < 2 || !isWordChar(s.charCodeAt(i - 2)))) plus = i - 1;
  let n = 0;
  let j = i;
  let x = -1;
  let ccFirst = false;
  for (;;) {
    const a = j;
    while (j < len && isDigit(s.charCodeAt(j))) j++;
    gStart[n] = a;
    gEnd[n] = j;
    n++;
    if (n === 1) ccFirst = (plus >= 0 && j - i <= 4) || (j - i === 2 && s.startsWith('86', i)) || (j - i === 4 && s.startsWith('0086', i));
    const c = s.charCodeAt(j);
    if (isX(c) && n > 1 && !isWordChar(s.charCodeAt(j + 1))) {
      x = j + 1; // a check character ends the token
      break;
    }
    const k = n < MAX_READ ? nextGroup(s, j) : -1;
    if (k < 0) {
      // "… 0 4 X": a check character typed in its own box.
      if (n > 1 && c === SPACE && isX(s.charCodeAt(j + 1)) && !isWordChar(s.charCodeAt(j + 2))) x = j + 2;
      break;
    }
    gSep[n] = sepKind;
    j = k;
  }
  const keep = uniformGroups(n, ccFirst ? 2 : 1);
  if (keep < n) {
    n = keep;
    j = at(gEnd, n - 1);
    x = -1;
  }
  const tokenEnd = x >= 0 ? x : j;

  if (plus >= 0 && n === 1) {
    const d = j - i;
    if (d >= 8 && d <= 15 && s.charCodeAt(i) !== C0 && edgesOk(s, plus, j)) push(out, s, 'phone', plus, j);
    return j;
  }
  if (n > 1 && matchGrouped(s, n, plus, x, out)) return tokenEnd;
  if (n > 2 && plus < 0) {
    const end = leadingId(s, n, out);
    if (end >= 0) return end;
  }
  const before = out.length;
  for (let g = 0; g < n; g++) {
    const a = at(gStart, g);
    const b = at(gEnd, g);
    if (b - a >= 11) matchRun(s, a, b, out);
  }
  if (out.length === before && n > 2 && n <= 2 * MAX_GROUPS && plus < 0) splitInTwo(s, n, x, out);
  return tokenEnd;
}

/** Two grouped numbers typed one after the other ("110105 19900307 4528 138 1234 5678"): taken only when
 *  the run splits into two parts that are each a whole, validated match, so chance needs to strike twice. */
function splitInTwo(s: string, n: number, x: number, out: PiiMatch[]): void {
  const S = gStart.slice(0, n);
  const E = gEnd.slice(0, n);
  const P = gSep.slice(0, n);
  const total = at(E, n - 1) - at(S, 0);
  for (let k = 2; k <= n - 2; k++) {
    if (at(E, k - 1) - at(S, 0) < 11 || total - (at(E, k - 1) - at(S, 0)) < 11) continue;
    const first: PiiMatch[] = [];
    if (!matchGrouped(s, k, -1, -1, first)) continue;
    for (let i = k; i < n; i++) {
      gStart[i - k] = at(S, i);
      gEnd[i - k] = at(E, i);
      gSep[i - k] = at(P, i);
    }
    const second: PiiMatch[] = [];
    const ok = matchGrouped(s, n - k, -1, x, second);
    for (let i = 0; i < n; i++) {
      gStart[i] = at(S, i);
      gEnd[i] = at(E, i);
      gSep[i] = at(P, i);
    }
    if (ok) {
      out.push(...first, ...second);
      return;
    }
  }
}
