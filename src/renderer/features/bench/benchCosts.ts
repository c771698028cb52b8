// Benchmark results priced with the cost profiles: per cell (the table, the scatter) and per target (the
// break-even chart). The money math is shared/costModel's; this only picks which measurements it sees.
import type { BenchResult, CostProfile } from '../../../shared/bench.schema';
import { breakEven, estimateCost, monthlyCurve, tokenMix, type CostEstimate } from '../../../shared/costModel';
import { breakEvenRange, byTarget, capacityCell, loadLabel, profileKey, type Series, type XY } from './benchCharts';

export type { CostEstimate };

/** One cell priced at its own measured throughput and token mix; null when it cannot be (nothing completed). */
export function cellCost(profile: CostProfile | null | undefined, cell: BenchResult): CostEstimate | null {
  if (!profile) return null;
  try {
    return estimateCost(profile, { requestThroughput: cell.requestThroughput, totalTokenThroughput: cell.totalTokenThroughput }, tokenMix(cell));
  } catch {
    return null;
  }
}

export interface TargetCost {
  key: string;
  label: string;
  cell: BenchResult;
  estimate: CostEstimate;
}

/** Each priced target at its capacity cell (see capacityCell). */
export function targetCosts(results: readonly BenchResult[], profiles: Readonly<Record<string, { profile: CostProfile }>>): TargetCost[] {
  return byTarget(results).flatMap((g) => {
    const profile = profiles[profileKey(g.key)]?.profile;
    const cell = capacityCell(g.cells);
    const estimate = cell ? cellCost(profile, cell) : null;
    return cell && estimate ? [{ key: g.key, label: g.label, cell, estimate }] : [];
  });
}

export interface BreakEvenPair {
  a: string;
  b: string;
  callsPerMonth: number | null;
  cheaperBelow: string | null;
  /** Why there is no number: different currencies. */
  problem: string | null;
}

export interface BreakEvenView {
  maxCalls: number;
  series: Series[];
  crossings: (XY & { between: [string, string] })[];
  pairs: BreakEvenPair[];
}

/** Monthly cost against calls/month per priced target, the first crossing of each pair marked. */
export function breakEvenView(costs: readonly TargetCost[], callsPerMonth: number, points = 60): BreakEvenView {
  const pairs: BreakEvenPair[] = [];
  const crossings: BreakEvenView['crossings'] = [];
  for (let i = 0; i < costs.length; i++) {
    for (let j = i + 1; j < costs.length; j++) {
      const a = costs[i] as TargetCost;
      const b = costs[j] as TargetCost;
      try {
        const be = breakEven(a.estimate, b.estimate);
        pairs.push({ a: a.label, b: b.label, callsPerMonth: be.callsPerMonth, cheaperBelow: be.cheaperBelow === 'a' ? a.label : be.cheaperBelow === 'b' ? b.label : null, problem: null });
        if (be.callsPerMonth != null) crossings.push({ x: be.callsPerMonth, y: Math.max(a.estimate.monthlyAt(be.callsPerMonth), b.estimate.monthlyAt(be.callsPerMonth)), between: [a.label, b.label] });
      } catch (error) {
        pairs.push({ a: a.label, b: b.label, callsPerMonth: null, cheaperBelow: null, problem: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  const maxCalls = breakEvenRange(callsPerMonth, crossings.map((c) => c.x));
  const series = costs.map((c) => ({ key: c.key, label: c.label, points: monthlyCurve(c.estimate, maxCalls, points).map((p) => ({ x: p.calls, y: p.cost })) }));
  return { maxCalls, series, crossings: crossings.filter((c) => c.x <= maxCalls), pairs };
}

export interface CostPoint extends XY {
  /** "c=4", "2 req/s": which load this point was measured at. */
  load: string;
}

/** The cost-vs-latency scatter: per priced target, one point per load at its p95 latency. Empty while nothing is priced. */
export function costLatencyPoints(
  results: readonly BenchResult[],
  profiles: Readonly<Record<string, { profile: CostProfile }>>,
  metric: 'ttft' | 'e2el',
): { key: string; label: string; currency: string; points: CostPoint[] }[] {
  const byKey = new Map<string, { key: string; label: string; currency: string; points: CostPoint[] }>();
  for (const r of results) {
    const est = cellCost(profiles[profileKey(r.targetKey)]?.profile, r);
    if (!est) continue;
    const g = byKey.get(r.targetKey) ?? { key: r.targetKey, label: r.targetLabel, currency: est.currency, points: [] };
    g.points.push({ x: metric === 'ttft' ? r.ttftMs.p95 : r.e2elMs.p95, y: est.perThousandRequests, load: loadLabel(r.load) });
    byKey.set(r.targetKey, g);
  }
  return [...byKey.values()];
}
