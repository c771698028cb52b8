// Time left in a running evaluation, from the cells finished since this start (pure, so it is testable).
import type { EvalProgress } from '../../../shared/evals.schema';

/** Where this start began: cells already done and when. */
export interface EtaBase {
  evalId: string;
  done: number;
  at: number;
}

/** Milliseconds left at the rate cells finished since `base`; null until one has finished, or when not running. */
export function etaMs(base: EtaBase | null, p: EvalProgress, now: number): number | null {
  if (!base || base.evalId !== p.evalId || p.status !== 'running') return null;
  const finished = p.done - base.done;
  const elapsed = now - base.at;
  if (finished <= 0 || elapsed <= 0) return null;
  return Math.max(0, ((p.total - p.done) * elapsed) / finished);
}

export function formatEta(ms: number | null): string {
  if (ms === null) return 'ETA after the first cell';
  const s = Math.round(ms / 1000);
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  if (m < 60) return `about ${m} min ${s % 60} s left`;
  return `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}
