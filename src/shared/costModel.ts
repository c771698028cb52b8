// The cost model of the cost and latency lab: turns a cost profile and a measured benchmark cell into
// money per request, per token and per month, and compares two targets. Pure: runs in the core and in
// the renderer. All money is in the profile's currency; nothing here converts currencies.
import type { BenchResult, CostProfile } from './bench.schema';

/** A month is 30.44 days (365.25 / 12, rounded as the lab shows it). */
export const DAYS_PER_MONTH = 30.44;
export const HOURS_PER_MONTH = DAYS_PER_MONTH * 24; // 730.56 h
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600; // 2,630,016 s

export interface TokenMix {
  inputTokensPerRequest: number;
  outputTokensPerRequest: number;
}

/** Mean tokens per completed request of a benchmark cell. @throws RangeError when nothing completed. */
export function tokenMix(r: Pick<BenchResult, 'totalInputTokens' | 'totalOutputTokens' | 'completed'>): TokenMix {
  if (!(r.completed > 0)) throw new RangeError('No completed requests to take the token mix from.');
  return { inputTokensPerRequest: r.totalInputTokens / r.completed, outputTokensPerRequest: r.totalOutputTokens / r.completed };
}

export interface CostEstimate {
  currency: string;
  /** APIs: blended price of the mix. Hardware: at capacity, i.e. busy for `utilization` of the month. */
  perMillionTokens: number;
  /** APIs: the price of 1,000 requests. Hardware: at capacity, as perMillionTokens. */
  perThousandRequests: number;
  /** Cost of serving `callsPerMonth` requests in a month; hardware adds whole units past capacity. */
  monthlyAt(callsPerMonth: number): number;
  /** fixed monthly cost (hardware amortization + hosting) and variable cost per request */
  fixedPerMonth: number;
  variablePerRequest: number;
  /** requests per month the hardware can serve at the measured throughput and utilization; Infinity for APIs */
  capacityPerMonth: number;
}

/**
 * Cost of one target.
 *
 * API: variablePerRequest = (in × inputPer1M + out × outputPer1M) / 1e6; fixedPerMonth = 0;
 * perMillionTokens = variablePerRequest / (in + out) × 1e6; capacity is unlimited. `measured` is unused:
 * an API bills tokens, not time.
 *
 * Server / edge, per unit of hardware:
 * - fixedPerMonth = purchasePrice / amortizationMonths + hostingPerMonth + power, where power is billed
 *   for the whole month: powerWatts / 1000 × 730.56 h × electricityPerKwh. The box is kept on to serve,
 *   and idle draw is a large share of load draw, so this errs on the high side and keeps
 *   variablePerRequest = 0 (all cost is fixed, one number per unit).
 * - capacityPerMonth = requestThroughput × 2,630,016 s × utilization (the measured full-load rate,
 *   sustained for `utilization` of the month).
 * - perThousandRequests = fixedPerMonth / capacityPerMonth × 1000 and perMillionTokens =
 *   fixedPerMonth / (totalTokenThroughput × 2,630,016 s × utilization) × 1e6: the unit cost when fully
 *   used at the stated utilization; at lower volume each request costs more.
 * - monthlyAt(calls) = max(1, ceil(calls / capacityPerMonth)) × fixedPerMonth: one unit is paid even
 *   when idle, and past capacity whole extra units are bought (a step function).
 * Amortization is not stopped after amortizationMonths: the estimate is the cost while paying off.
 *
 * @throws RangeError for a mix without tokens, or hardware measured at zero throughput.
 */
export function estimateCost(profile: CostProfile, measured: { requestThroughput: number; totalTokenThroughput: number }, mix: TokenMix): CostEstimate {
  const tokensPerRequest = mix.inputTokensPerRequest + mix.outputTokensPerRequest;
  if (!(mix.inputTokensPerRequest >= 0 && mix.outputTokensPerRequest >= 0 && tokensPerRequest > 0 && Number.isFinite(tokensPerRequest))) {
    throw new RangeError('The token mix must have a positive, finite number of tokens per request.');
  }
  if (profile.kind === 'api') {
    const perRequest = (mix.inputTokensPerRequest * profile.inputPer1M + mix.outputTokensPerRequest * profile.outputPer1M) / 1e6;
    return makeEstimate(profile.currency, 0, perRequest, Infinity, (perRequest / tokensPerRequest) * 1e6, perRequest * 1000);
  }
  if (!(measured.requestThroughput > 0 && measured.totalTokenThroughput > 0)) {
    throw new RangeError('Hardware cost needs a measured throughput above zero (no request completed?).');
  }
  const powerPerMonth = (profile.powerWatts / 1000) * HOURS_PER_MONTH * profile.electricityPerKwh;
  const fixed = profile.purchasePrice / profile.amortizationMonths + profile.hostingPerMonth + powerPerMonth;
  const busySeconds = SECONDS_PER_MONTH * profile.utilization;
  const capacity = measured.requestThroughput * busySeconds;
  const tokenCapacity = measured.totalTokenThroughput * busySeconds;
  return makeEstimate(profile.currency, fixed, 0, capacity, (fixed / tokenCapacity) * 1e6, (fixed / capacity) * 1000);
}

function makeEstimate(currency: string, fixedPerMonth: number, variablePerRequest: number, capacityPerMonth: number, perMillionTokens: number, perThousandRequests: number): CostEstimate {
  const estimate = { currency, fixedPerMonth, variablePerRequest, capacityPerMonth, perMillionTokens, perThousandRequests };
  return { ...estimate, monthlyAt: (calls) => monthlyCost(estimate, calls) };
}

type CostLine = Pick<CostEstimate, 'fixedPerMonth' | 'variablePerRequest' | 'capacityPerMonth'>;

/** units(calls) × fixed + variable × calls, units = max(1, ceil(calls / capacity)) (1 for APIs). */
function monthlyCost(e: CostLine, calls: number): number {
  if (!(calls >= 0)) throw new RangeError(`Calls per month must be ≥ 0, got ${calls}.`);
  return unitsFor(e.capacityPerMonth, calls) * e.fixedPerMonth + e.variablePerRequest * calls;
}

function unitsFor(capacity: number, calls: number): number {
  return Number.isFinite(capacity) ? Math.max(1, Math.ceil(calls / capacity)) : 1;
}

/** Long-run cost per request: variable plus fixed spread over a full unit. */
function longRunSlope(e: CostLine): number {
  return e.variablePerRequest + (Number.isFinite(e.capacityPerMonth) ? e.fixedPerMonth / e.capacityPerMonth : 0);
}

/** Safety cap on the step segments scanned; only reached by near-identical staircases. */
const MAX_SEGMENTS = 1_000_000;

/**
 * The lowest monthly volume at which the option cheaper at low volume stops being cheaper, i.e. costs
 * become equal (or, at a step, the cheaper one jumps above the other). `cheaperBelow` names that option.
 * Both are null when it never happens, including when both cost the same at zero calls with the same
 * cost per request. With step costs the order can flip back past later steps; this is the first flip
 * (monthlyCurve shows the rest).
 * @throws Error when the currencies differ.
 */
export function breakEven(a: CostEstimate, b: CostEstimate): { callsPerMonth: number | null; cheaperBelow: 'a' | 'b' | null } {
  if (a.currency !== b.currency) {
    throw new Error(`Cannot find a break-even between costs in different currencies ("${a.currency}" and "${b.currency}"); convert one profile first.`);
  }
  // Cheaper just above zero calls: lower fixed cost, then lower cost per request.
  const order = Math.sign(a.fixedPerMonth - b.fixedPerMonth) || Math.sign(a.variablePerRequest - b.variablePerRequest);
  if (order === 0) return { callsPerMonth: null, cheaperBelow: null };
  const [low, high] = order < 0 ? [a, b] : [b, a];
  const calls = firstFlip(low, high);
  return calls === null ? { callsPerMonth: null, cheaperBelow: null } : { callsPerMonth: calls, cheaperBelow: order < 0 ? 'a' : 'b' };
}

/**
 * inf{c > 0 : cost_low(c) ≥ cost_high(c)}, scanning the segments between capacity multiples where both
 * costs are linear. Bounds: slope·c ≤ cost(c) ≤ fixed + slope·c. So if low's long-run slope is smaller,
 * low stays cheaper past fixed_low / (slope_high − slope_low); if larger, a flip must come before
 * fixed_high / (slope_low − slope_high).
 */
function firstFlip(low: CostLine, high: CostLine): number | null {
  const sLow = longRunSlope(low);
  const sHigh = longRunSlope(high);
  const horizon = sLow < sHigh ? low.fixedPerMonth / (sHigh - sLow) : Infinity;
  const dv = low.variablePerRequest - high.variablePerRequest;
  const cLow = low.capacityPerMonth;
  const cHigh = high.capacityPerMonth;
  let iLow = 0; // whole units of `low` filled before this segment
  let iHigh = 0;
  let start = 0;
  for (let n = 0; n < MAX_SEGMENTS && start < horizon; n++) {
    const endLow = Number.isFinite(cLow) ? (iLow + 1) * cLow : Infinity;
    const endHigh = Number.isFinite(cHigh) ? (iHigh + 1) * cHigh : Infinity;
    const end = Math.min(endLow, endHigh);
    // On (start, end]: cost_low − cost_high = a0 + dv·c.
    const a0 = (iLow + 1) * low.fixedPerMonth - (iHigh + 1) * high.fixedPerMonth;
    if (start > 0 && a0 + dv * start >= 0) return start;
    if (end === Infinity) return dv > 0 ? Math.max(start, -a0 / dv) : null;
    if (a0 + dv * end >= 0) return Math.max(start, -a0 / dv);
    if (end === endLow) iLow++;
    if (end === endHigh) iHigh++;
    start = end;
  }
  return null;
}

/**
 * `points` evenly spaced volumes from 0 to maxCalls (default 50, at least 2) with their monthly cost,
 * plus the volume at each full capacity multiple in range (when there are no more than `points` of
 * them) so a chart reaches the top of every step. Sorted by calls; cost never decreases.
 */
export function monthlyCurve(e: CostEstimate, maxCalls: number, points = 50): { calls: number; cost: number }[] {
  if (!(maxCalls >= 0 && Number.isFinite(maxCalls))) throw new RangeError(`maxCalls must be a finite number ≥ 0, got ${maxCalls}.`);
  const n = Math.max(2, Math.floor(points));
  const calls = Array.from({ length: n }, (_, i) => (i === n - 1 ? maxCalls : (maxCalls * i) / (n - 1)));
  const steps = Number.isFinite(e.capacityPerMonth) ? Math.floor(maxCalls / e.capacityPerMonth) : 0;
  if (steps <= n) for (let k = 1; k <= steps; k++) calls.push(k * e.capacityPerMonth);
  const unique = [...new Set(calls)].sort((x, y) => x - y);
  return unique.map((c) => ({ calls: c, cost: e.monthlyAt(c) }));
}
