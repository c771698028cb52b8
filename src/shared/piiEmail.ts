// Email addresses for pii.ts. Text arrives narrowed, so a full-width ＠ is already '@'.
// People also type one space on either side of the '@' ("zhangsan @ qq.com", to dodge scrapers or by
// accident). That form is taken only when it cannot be prose: a common TLD, and either an email keyword just
// before it or a local part with a digit or . _ + - in it ("see issue @ github.com" stays prose).
import { isWordChar } from './piiValidators';

const HYPHEN = 45;
const DOT = 46;
const SPACE = 32;

const LOCAL_SPECIAL = new Set([...".!#$%&'*+/=?^_`{|}~-"].map((c) => c.charCodeAt(0)));
/** Non-ASCII letters/marks/digits, except scripts written without spaces (CJK), where a name glued to
 *  an address ("联系zhang@example.com") would otherwise become part of it. */
const UNI_WORD = /[\p{L}\p{M}\p{N}]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SPACED_TLDS = new Set(['com', 'cn', 'net', 'org', 'edu', 'gov', 'io', 'co', 'uk', 'hk', 'tw', 'mo', 'sg', 'jp', 'de', 'fr', 'us', 'ca', 'au', 'info', 'biz']);
const EMAIL_WORDS = /邮箱|邮件|电邮|e-?mail|mail/i;
const SPACED_LOCAL = /[0-9._+-]/;

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
export function emailAt(s: string, at: number): [number, number] | null {
  // One optional space each side of the '@'.
  const l = at > 0 && s.charCodeAt(at - 1) === SPACE ? at - 1 : at;
  const r = s.charCodeAt(at + 1) === SPACE ? at + 2 : at + 1;
  let a = l;
  while (a > 0 && localChar(s, a - 1)) a--;
  while (a < l && s.charCodeAt(a) === DOT) a++;
  if (a === l || s.charCodeAt(l - 1) === DOT) return null;
  let b = r;
  while (b < s.length && domainChar(s, b)) b++;
  // Trailing sentence punctuation is not part of the domain.
  while (b > r && (s.charCodeAt(b - 1) === DOT || s.charCodeAt(b - 1) === HYPHEN)) b--;
  const local = s.slice(a, l);
  if (local.length > 64 || local.includes('..')) return null;
  const domain = s.slice(r, b);
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  for (const lb of labels) if (lb.length === 0 || lb.length > 63 || lb.startsWith('-') || lb.endsWith('-')) return null;
  const tld = labels[labels.length - 1] as string;
  if (tld.length < 2 || !/^\p{L}+$/u.test(tld)) return null;
  if (l !== at || r !== at + 1) {
    if (!SPACED_TLDS.has(tld.toLowerCase())) return null;
    if (!SPACED_LOCAL.test(local) && !EMAIL_WORDS.test(s.slice(Math.max(0, a - 16), a))) return null;
  }
  return [a, b];
}
