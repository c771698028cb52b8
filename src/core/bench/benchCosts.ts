// Cost columns for exports: each cell priced with its target's stored cost profile (src/shared/costModel).
import type { BenchResult } from '../../shared/bench.schema';
import { estimateCost, tokenMix } from '../../shared/costModel';
import type { StoredCost } from './bench.repo';
import type { ExtraColumns } from './benchReport';

export function costColumns(costs: readonly StoredCost[]): ExtraColumns | null {
  if (costs.length === 0) return null;
  const byKey = new Map(costs.map((c) => [c.targetKey, c]));
  return {
    header: ['cost_currency', 'cost_per_1m_tokens', 'cost_per_1k_requests'],
    cells(r: BenchResult) {
      const c = byKey.get(r.targetKey);
      if (!c) return ['', '', ''];
      try {
        const e = estimateCost(c.profile, r, tokenMix(r));
        return [e.currency, e.perMillionTokens.toFixed(4), e.perThousandRequests.toFixed(4)];
      } catch {
        // Nothing completed (or zero throughput): no price to give.
        return [c.profile.currency, '', ''];
      }
    },
  };
}
