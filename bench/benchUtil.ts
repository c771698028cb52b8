// Small helpers every benchmark script shares: progress on stderr (stdout carries only the JSON with
// --json), nearest-rank percentiles and rounding for the reported figures.

/** Writes progress lines to stderr unless the script prints JSON only. */
export function progressLog(jsonOnly: boolean | undefined): (s: string) => void {
  return (s) => {
    if (!jsonOnly) process.stderr.write(s + '\n');
  };
}

/** Nearest-rank percentile (p in 0–100) of unsorted values. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
