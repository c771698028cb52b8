// Searching past runs by what was asked and answered (History's search box).
import { z } from 'zod';
import { RunSummary } from './schemas';

export const RunSearchHit = RunSummary.extend({
  /** The model's file name when the run was local and the model is still in the library. */
  fileName: z.string().nullable(),
  /** The values the run's {{variables}} were filled with. */
  variables: z.record(z.string(), z.string()),
});
export type RunSearchHit = z.infer<typeof RunSearchHit>;

export const runSearchCommands = {
  /** Newest first; an empty query lists the latest runs. Matches prompts, variable values, outputs and model names. */
  'runs.search': {
    input: z.object({ query: z.string().max(500).default(''), limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(RunSearchHit),
  },
} as const;
