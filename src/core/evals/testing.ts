// Evaluations over a real core for tests: commands called as the transports call them (input parsed by
// evalsCommands' schemas, output checked against theirs).
import type { z } from 'zod';
import { evalsCommands, type EvalCommandName, type EvalCommands, type EvalProgress } from '../../shared/evals.schema';
import { PromptContent, type PromptContentInput } from '../../shared/prompts.schema';
import type { Core } from '../createCore';
import { CoreError } from '../errors';
import { PromptsRepo } from '../prompts/prompts.repo';
import { PromptsService } from '../prompts/prompts.service';
import { openTestCore } from '../testing/testCore';
import { evalHandlers } from './evals.handlers';
import type { EvalsService } from './evals.service';

export interface EvalTestCore {
  core: Core;
  evals: EvalsService;
  prompts: PromptsService;
  call<N extends EvalCommandName>(name: N, input: z.input<EvalCommands[N]['input']>): Promise<z.output<EvalCommands[N]['output']>>;
  /** Every progress event so far. */
  progress: EvalProgress[];
  /** Runs stored with source 'eval' (judge runs included). */
  evalRuns(): number;
  close(): Promise<void>;
}

export function openEvalCore(opts: { dataDir?: string } = {}): EvalTestCore {
  const core = openTestCore(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const evals = core.evals;
  const handlers = evalHandlers(evals);
  const progress: EvalProgress[] = [];
  evals.on('progress', (p) => progress.push(p));
  const count = core.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM runs WHERE source = 'eval'");
  return {
    core,
    evals,
    prompts: new PromptsService(new PromptsRepo(core.db)),
    progress,
    async call(name, input) {
      const spec = evalsCommands[name];
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        throw new CoreError('BAD_INPUT', `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      }
      const out = await (handlers[name] as (i: unknown) => unknown)(parsed.data);
      return spec.output.parse(out) as never;
    },
    evalRuns: () => (count.get() as { n: number }).n,
    async close() {
      evals.close();
      await core.close();
    },
  };
}

/** A prompt with one version; returns the version id. */
export function savePrompt(prompts: PromptsService, name: string, content: PromptContentInput): string {
  return prompts.create({ name, description: '', content: PromptContent.parse(content), message: '', author: 'test' }).version.id;
}
