// Python string and number behaviour that the ported metrics depend on. sacreBLEU and rouge-score are
// Python, and their numbers hinge on str.split(), str.rstrip() and format(x, '.Nf'); JavaScript's
// nearest equivalents differ at the edges (\s includes U+FEFF but not U+001C–U+001F or U+0085;
// toFixed rounds exact ties away from zero, Python to even).

// Exactly the code points for which Python's str.isspace() is true (and so str.split() splits on).
const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`);
const PY_TRAILING_SPACE = new RegExp(`[${PY_WHITESPACE}]+$`);

/** Python's `s.split()` with no arguments: runs of whitespace separate, no empty strings. */
export function pySplit(s: string): string[] {
  return s.split(PY_SPACE_RUN).filter((t) => t !== '');
}

/** Python's `s.rstrip()` with no arguments. */
export function pyRstrip(s: string): string {
  return s.replace(PY_TRAILING_SPACE, '');
}

/**
 * Python's `f'{x:.{digits}f}'`: the nearest decimal, with exact ties going to the even digit.
 * toFixed() is already nearest; an exact tie shows as a 5 followed only by zeros in the exact
 * expansion, which toFixed(100) prints in full for any tie (a tie has at most digits+1 decimals).
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  const nearest = abs.toFixed(digits);
  if (abs >= 1e21) return sign + nearest;
  const exact = abs.toFixed(100);
  const dot = exact.indexOf('.');
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return sign + nearest;
  // An exact tie: toFixed rounded away from zero; Python keeps the truncation when its last digit is even.
  const truncated = digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
  return sign + (Number(truncated[truncated.length - 1]) % 2 === 0 ? truncated : nearest);
}
