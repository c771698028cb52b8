// Field normalization for extraction scoring. Every rule is declared by the template, never guessed:
// `1.280` is 1.28 where '.' is the decimal separator and 1280 where ',' is; a date is read in the declared
// day/month order unless its form says the order itself (a leading 4-digit year, 年月日, a month name).
import { z } from 'zod';

export const DecimalSeparator = z.enum(['.', ',']);
export type DecimalSeparator = z.infer<typeof DecimalSeparator>;
export const DateOrder = z.enum(['DMY', 'MDY', 'YMD']);
export type DateOrder = z.infer<typeof DateOrder>;

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };
const ok = (value: string): Normalized => ({ ok: true, value });
const bad = (reason: string): Normalized => ({ ok: false, reason });

/** Full-width and compatibility characters folded (ＡＢＣ１２３ → ABC123, ideographic space → space). */
export function foldWidth(s: string): string {
  return s.normalize('NFKC');
}

/** Text: width folded, runs of whitespace to one space, trimmed; case kept unless folded. */
export function normalizeText(s: string, caseSensitive = true): Normalized {
  const t = foldWidth(s).replace(/\s+/g, ' ').trim();
  return ok(caseSensitive ? t : t.toLowerCase());
}

/** IDs (tax ID, invoice number): width folded, all whitespace removed; upper-cased unless case-sensitive. */
export function normalizeId(s: string, caseSensitive = false): Normalized {
  const t = foldWidth(s).replace(/\s+/g, '');
  return ok(caseSensitive ? t : t.toUpperCase());
}

// Grouping marks allowed in amounts besides the separator that is not the decimal one.
const SPACES = /[\s\u00a0\u202f']/g;

/**
 * An amount as a canonical decimal string ("1280", "1.28", "-3.5"). Currency symbols and codes are
 * dropped; grouping must be in threes (so "1,28" with '.' declared is refused, not read as 128).
 */
export function normalizeAmount(input: string | number, decimal: DecimalSeparator): Normalized {
  if (typeof input === 'number') return Number.isFinite(input) ? ok(canonical(String(input))) : bad(`${input} is not a finite number`);
  let s = foldWidth(input).trim();
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  // Currency symbols and codes (¥, $, €, CNY, RMB, 元 …) and anything else that is not part of a number.
  s = s.replace(/[^\d.,\s\u00a0\u202f'+-]/g, '').trim();
  if (/^-|-$/.test(s)) negative = true;
  s = s.replace(/^[+-]|[+-]$/g, '').trim();
  if (/[+-]/.test(s)) return bad(`"${input}" has a sign inside the number`);
  if (!/\d/.test(s)) return bad(`"${input}" has no digits`);
  const group = decimal === '.' ? ',' : '.';
  const parts = s.split(decimal);
  if (parts.length > 2) return bad(`"${input}" has more than one decimal separator '${decimal}'`);
  const [intPart, frac = ''] = parts as [string, string?];
  if (!/^\d*$/.test(frac.replace(SPACES, ''))) return bad(`"${input}" has a grouping mark after the decimal separator '${decimal}'`);
  const groups = intPart.split(new RegExp(`[${group}\\s\\u00a0\\u202f']+`));
  if (groups.length > 1 && (groups.slice(1).some((g) => g.length !== 3) || !/^\d{1,3}$/.test(groups[0] ?? ''))) {
    return bad(`"${input}" is not grouped in threes with '${decimal}' as the decimal separator`);
  }
  const digits = groups.join('');
  if (!/^\d*$/.test(digits)) return bad(`"${input}" is not a number`);
  const text = `${digits || '0'}${frac ? `.${frac.replace(SPACES, '')}` : ''}`;
  return ok(canonical(`${negative ? '-' : ''}${text}`));
}

/** "001280.500" → "1280.5", "-0" → "0". */
function canonical(num: string): string {
  const neg = num.startsWith('-');
  let [i = '0', f = ''] = num.replace(/^[+-]/, '').split('.');
  i = i.replace(/^0+(?=\d)/, '');
  f = f.replace(/0+$/, '');
  const body = f ? `${i}.${f}` : i;
  return neg && body !== '0' ? `-${body}` : body;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthOf = (word: string) => MONTHS.indexOf(word.slice(0, 3).toLowerCase()) + 1;

function ymd(y: number, m: number, d: number, input: string): Normalized {
  if (m < 1 || m > 12) return bad(`"${input}": month ${m} is not 1–12`);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > days) return bad(`"${input}": day ${d} is not in ${y}-${String(m).padStart(2, '0')}`);
  return ok(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}
/** Two-digit years are read as 20yy (invoices, not birth dates). */
const year = (s: string) => (s.length === 2 ? 2000 + Number(s) : Number(s));

/** A date as YYYY-MM-DD. Forms: 2025-10-01, 2025/10/1, 2025年10月1日, 1 Oct 2025, October 1, 2025, and
 *  d/m/y or m/d/y (separators / . - or space) read in the declared order. */
export function normalizeDate(input: string, order: DateOrder): Normalized {
  const s = foldWidth(input).trim().replace(/\s+/g, ' ');
  let m = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})(?:T.*)?$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]), input);
  m = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]{3,})\.?,? (\d{4})$/.exec(s);
  if (m && monthOf(m[2] as string) > 0) return ymd(Number(m[3]), monthOf(m[2] as string), Number(m[1]), input);
  m = /^([A-Za-z]{3,})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(s);
  if (m && monthOf(m[1] as string) > 0) return ymd(Number(m[3]), monthOf(m[1] as string), Number(m[2]), input);
  m = /^(\d{2})[-/. ](\d{1,2})[-/. ](\d{1,2})$/.exec(s);
  if (m && order === 'YMD') return ymd(year(m[1] as string), Number(m[2]), Number(m[3]), input);
  m = /^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$/.exec(s);
  if (m) {
    if (order === 'YMD') return bad(`"${input}" ends with the year but the template declares YMD`);
    const [a, b] = [Number(m[1]), Number(m[2])];
    return order === 'DMY' ? ymd(year(m[3] as string), b, a, input) : ymd(year(m[3] as string), a, b, input);
  }
  return bad(`"${input}" is not a date this template reads (order ${order})`);
}

/** The rule in words, shown beside the scores. */
export function describeAmountRule(decimal: DecimalSeparator): string {
  return decimal === '.' ? "decimal '.', grouping ',' or space (1.280 = 1.28)" : "decimal ',', grouping '.' or space (1.280 = 1280)";
}
