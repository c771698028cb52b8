// Checksums, dates, region codes and nearby-keyword tests behind the PII detectors (pii.ts). Every
// function reads a string in place by offsets so the scanner never allocates per candidate.

export const C0 = 48; // '0'
export const C9 = 57; // '9'

export const isDigit = (c: number): boolean => c >= C0 && c <= C9;
/** ASCII letters, digits and '_': a number glued to these is part of an identifier, hash or word. */
export const isWordChar = (c: number): boolean =>
  (c >= C0 && c <= C9) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

// ---------- full-width input ----------

/** Characters that Chinese input methods produce in full width: digits, ＋ － ． Ｘ ｘ ＠ and the ideographic
 *  space. No-break, thin and narrow no-break spaces count as a space; Unicode dashes and minus as '-'. */
const WIDE = /[\u00a0\u2009\u202f\u3000\u2010-\u2014\u2212\uff0b\uff0d\uff0e\uff10-\uff19\uff20\uff38\uff58]/;
const WIDE_G = new RegExp(WIDE.source, 'g');

function narrowChar(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0xa0 || c === 0x2009 || c === 0x202f || c === 0x3000) return ' ';
  if ((c >= 0x2010 && c <= 0x2014) || c === 0x2212) return '-';
  return String.fromCharCode(c - 0xfee0);
}

/** `s` with full-width digits and separators mapped to ASCII, one UTF-16 unit for one, so every offset
 *  into the result is an offset into `s`. Returns `s` itself when nothing needs mapping. */
export function narrow(s: string): string {
  return WIDE.test(s) ? s.replace(WIDE_G, narrowChar) : s;
}

// ---------- numbers ----------

export function num(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - C0);
  return v;
}

/** GB 11643 province codes (first two digits of the region code). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
  63, 64, 65, 71, 81, 82, 83,
]);
/** Hong Kong, Macau, Taiwan and the 83 series: residence-permit numbers use the bare province (810000). */
const BARE_PROVINCE_OK = new Set([71, 81, 82, 83]);
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const THIS_YEAR = new Date().getFullYear();

/** A region code that could be on an ID: a known province and, on the mainland, a prefecture (not "00");
 *  Hong Kong, Macau, Taiwan and the 83 series only as the bare province. */
export function plausibleRegion(s: string, at: number): boolean {
  const p = num(s, at, at + 2);
  if (!PROVINCES.has(p)) return false;
  // Residence permits use exactly 710000/810000/820000/830000; "83 39 30" is no region.
  if (BARE_PROVINCE_OK.has(p)) return num(s, at + 2, at + 6) === 0;
  return num(s, at + 2, at + 4) !== 0;
}

/** A real calendar date from 1900 up to this year (a birth date cannot be in a future year). */
export function validDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > THIS_YEAR || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

/** Region and birth date of an 18-digit ID look right (checksum not yet considered). */
export function idShape18(s: string, at: number): boolean {
  return plausibleRegion(s, at) && validDate(num(s, at + 6, at + 10), num(s, at + 10, at + 12), num(s, at + 12, at + 14));
}

/** The GB 11643 (ISO 7064 MOD 11-2) check character of the 17 digits at `s[at]`. */
export function idCheckChar(s: string, at: number): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(at + i) - C0) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

/** `s[at, at+17)` are digits; `check` is the 18th character (digit, X or x). */
export function idChecksum(s: string, at: number, check: string): boolean {
  return idCheckChar(s, at) === check.toUpperCase();
}

/** Legacy 15-digit ID (before 1999): region, then YYMMDD in the 1900s, then a 3-digit sequence. */
export function validId15(s: string, at: number): boolean {
  return plausibleRegion(s, at) && validDate(1900 + num(s, at + 6, at + 8), num(s, at + 8, at + 10), num(s, at + 10, at + 12));
}

/** Luhn over the digits of `s[from, to)`, skipping separators. */
export function luhn(s: string, from: number, to: number): boolean {
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
export function cardPrefix(s: string, at: number): boolean {
  const c = s.charCodeAt(at) - C0;
  if (c === 3 || c === 4 || c === 5 || c === 6 || c === 9) return true;
  if (c !== 2) return false;
  const p = num(s, at, at + 4);
  return p >= 2221 && p <= 2720;
}

/** All digits equal ("0000 0000 0000 0000" passes Luhn but is a placeholder). */
export function allSame(s: string, from: number, to: number): boolean {
  let first = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) continue;
    if (first < 0) first = c;
    else if (c !== first) return false;
  }
  return true;
}

/** Region and birth year of an 18-digit ID, whatever the month and day: a mistyped ID, not a card. */
export function idLike18(s: string, at: number): boolean {
  const y = num(s, at + 6, at + 10);
  return plausibleRegion(s, at) && y >= 1900 && y <= THIS_YEAR;
}

/** A 13-digit Unix time in milliseconds from 2017 to 2033 (1[5-9]…, then 20…): logs are full of them. */
export function msTimestamp(s: string, at: number, digits: number): boolean {
  if (digits !== 13 || s.charCodeAt(at) !== 49) return false;
  const c = s.charCodeAt(at + 1);
  return c >= 53 && c <= C9;
}

export function isMobile11(s: string, at: number): boolean {
  const c = s.charCodeAt(at + 1);
  return s.charCodeAt(at) === 49 && c >= 51 && c <= C9; // 1[3-9]
}

// ---------- keywords just before a number ----------

/** A keyword labels a number when it ends at most GAP characters before it ("银行卡号（储蓄卡）：", "card
 *  number (debit): "); the window also holds the keyword itself (the longest is 11 characters). */
const GAP = 12;
const WINDOW = GAP + 11;
const CARD_WORDS = /卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号|账户|帐户|card(?:\s*(?:no\b|number|#))?|acct|account(?:\s*(?:no\b|number|#))?/gi;
const ORDER_WORDS = /订单|单号|运单|快递|发票|流水|工单|编号|序列号|order|invoice|tracking|serial|ticket|\bref(?:erence)?\b/gi;
const ID_WORDS = /身份证|身份号|证件|证号|\bid\b|\bnric\b|\bic\b|identity/gi;
/** Only so that a phone label nearer than an order word keeps the phone ("订单已发货，电话 138…"). */
const PHONE_WORDS = /电话|手机|联系|致电|tel\b|phone|mobile|call|whatsapp|微信/gi;

function lastIn(re: RegExp, w: string): number {
  re.lastIndex = 0;
  let last = -1;
  for (let m = re.exec(w); m; m = re.exec(w)) last = m.index + m[0].length;
  return last;
}

export type NumberContext = 'card' | 'order' | 'id' | 'phone' | null;

/** What the nearest keyword a few characters before `at` says the number is: a card or bank account, an
 *  order/invoice/serial number, an ID, a phone, or nothing said. */
export function numberContext(s: string, at: number): NumberContext {
  const w = s.slice(Math.max(0, at - WINDOW), at);
  const card = lastIn(CARD_WORDS, w);
  const order = lastIn(ORDER_WORDS, w);
  const id = lastIn(ID_WORDS, w);
  const phone = lastIn(PHONE_WORDS, w);
  const best = Math.max(card, order, id, phone);
  if (best < 0 || best < w.length - GAP) return null;
  return best === card ? 'card' : best === order ? 'order' : best === id ? 'id' : 'phone';
}
