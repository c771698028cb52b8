// Where a batched decode step's time goes, for measurements only (LAMPLIGHT_STEP_TRACE=<file>): the decode
// gate reports when tokens queue and when a group is let through, and the context's native calls are wrapped
// to time the decode itself and the sampling after it. Each step of single-token decodes is split into
//   dispatch  group let through → native decode starts
//   decode    the native decode
//   sample    decode end → the last sampled token is back in JS
//   js        last sample back → first next token queued (each sequence's JS: detokenize, stop checks, …)
//   spread    first → last next token queued (the gate holds the first ones meanwhile)
//   gate      last queued → group let through
// and the per-phase means and medians, by group size, are rewritten to the file every 64 steps.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LlamaContext } from 'node-llama-cpp';

const PHASES = ['dispatch', 'decode', 'sample', 'js', 'spread', 'gate'] as const;
type Phase = (typeof PHASES)[number];
type Step = Record<Phase, number> & { size: number };

export class StepTrace {
  private released = 0;
  private size = 0;
  /** A prompt is among the decodes queued since the last release (the group about to go) / in the group that went last. */
  private prompt = false;
  private groupPrompt = false;
  private decodeStart = 0;
  private decodeEnd = 0;
  private lastSample = 0;
  private firstQueued = 0;
  private lastQueued = 0;
  readonly steps: Step[] = [];

  constructor(private readonly file: string | null) {}

  /** From LAMPLIGHT_STEP_TRACE; null when unset. */
  static fromEnv(): StepTrace | null {
    const f = process.env.LAMPLIGHT_STEP_TRACE;
    return f ? new StepTrace(f) : null;
  }

  /** Wraps the context's native decode and sampling calls with timers (the native object is sealed: a proxy). */
  wrap(context: LlamaContext): void {
    const c = context as unknown as { _ctx: Record<string | symbol, unknown> };
    const real = c._ctx;
    const call = (k: string | symbol, args: unknown[]) => (real[k] as (...a: unknown[]) => unknown).apply(real, args);
    c._ctx = new Proxy(real, {
      get: (t, k) => {
        const v = t[k];
        if (k === 'decodeBatch') {
          return async (...args: unknown[]) => {
            this.decodeStart = performance.now();
            try {
              return await call(k, args);
            } finally {
              this.decodeEnd = performance.now();
            }
          };
        }
        if (k === 'sampleToken') {
          return async (...args: unknown[]) => {
            try {
              return await call(k, args);
            } finally {
              this.lastSample = performance.now();
            }
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  }

  /** A decode request reached the gate. */
  queued(prompt: boolean): void {
    const now = performance.now();
    if (this.firstQueued === 0) this.firstQueued = now;
    this.lastQueued = now;
    if (prompt) this.prompt = true;
  }

  /** The gate let `size` decodes through. The step that ends here began at the previous release. */
  release(size: number): void {
    const now = performance.now();
    if (this.released > 0 && !this.groupPrompt && this.size >= 1 && this.decodeEnd > this.decodeStart && this.decodeStart >= this.released) {
      const sampled = Math.max(this.lastSample, this.decodeEnd);
      this.record({
        size: this.size,
        dispatch: this.decodeStart - this.released,
        decode: this.decodeEnd - this.decodeStart,
        sample: sampled - this.decodeEnd,
        js: Math.max(0, this.firstQueued - sampled),
        spread: Math.max(0, this.lastQueued - Math.max(this.firstQueued, sampled)),
        gate: now - this.lastQueued,
      });
    }
    this.released = now;
    this.size = size;
    this.groupPrompt = this.prompt;
    this.prompt = false;
    this.firstQueued = 0;
  }

  private record(step: Step): void {
    this.steps.push(step);
    if (this.file && this.steps.length % 64 === 0) writeFileSync(this.file, JSON.stringify({ ...this.summary(), decodes: this.steps.map((x) => `${x.size}:${x.decode.toFixed(1)}`).join(' ') }, null, 1));
  }

  /** Per group size: steps, and each phase's mean and median in ms. */
  summary(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    const sizes = [...new Set(this.steps.map((s) => s.size))].sort((a, b) => a - b);
    for (const size of sizes) {
      const xs = this.steps.filter((s) => s.size === size);
      const row: Record<string, number> = { steps: xs.length };
      let total = 0;
      for (const p of PHASES) {
        const v = xs.map((s) => s[p]).sort((a, b) => a - b);
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        total += mean;
        row[`${p}Mean`] = Math.round(mean * 100) / 100;
        row[`${p}P50`] = Math.round((v[v.length >> 1] ?? 0) * 100) / 100;
      }
      row.stepMean = Math.round(total * 100) / 100;
      const d = xs.map((s) => s.decode).sort((a, b) => a - b);
      row.decodeP90 = Math.round((d[Math.floor(d.length * 0.9)] ?? 0) * 100) / 100;
      row.decodeMax = Math.round((d.at(-1) ?? 0) * 100) / 100;
      out[`size${size}`] = row;
    }
    return out;
  }
}
