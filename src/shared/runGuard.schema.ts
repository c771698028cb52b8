// What the guard did on one run: stored with the run and shown with it. Kept apart from guard.schema so
// schemas.ts can use it without an import cycle.
import { z } from 'zod';

export const PiiAction = z.enum(['mask', 'warn', 'block', 'allow']);
export type PiiAction = z.infer<typeof PiiAction>;

export const OutputCheck = z.object({
  decision: z.enum(['pass', 'flag', 'block']),
  /** One line per rule that matched: `rule "no secrets" (block): contains "password"`. */
  reasons: z.array(z.string()),
});
export type OutputCheck = z.infer<typeof OutputCheck>;

/** What the guard did on one run; stored with the run (no raw PII values in it). */
export const RunGuard = z.object({
  piiAction: PiiAction,
  /** Count per kind of what was found (and masked when piiAction is mask). */
  piiCounts: z.record(z.string(), z.number().int()),
  /** The masked texts as sent; null when nothing was masked. */
  sentSystem: z.string().nullable(),
  sentUser: z.string().nullable(),
  output: OutputCheck.nullable(),
});
export type RunGuard = z.infer<typeof RunGuard>;

