// Compare: one prompt on several targets at once. Remote columns stream concurrently; local columns
// share the loaded model's sequences. Each column is an ordinary run; the comparison ties them together.
import type { Comparison, CompareRequest } from '../../shared/compare.schema';
import { ulid } from '../../shared/ids';
import type { RunRecord } from '../../shared/runs.schema';
import { CoreError } from '../errors';
import type { RunsService } from '../runs/runs.service';
import type { CompareRepo } from './compare.repo';

export class CompareService {
  constructor(
    private readonly repo: CompareRepo,
    private readonly runs: RunsService,
  ) {}

  async start(req: CompareRequest): Promise<{ comparisonId: string; runIds: string[] }> {
    // Targets set to 'auto' are asked about images first; each column is prepared under its own budget.
    await Promise.all(req.columns.map((target) => this.runs.detectImages({ ...req, target })));
    const runIds: string[] = [];
    try {
      for (const [i, target] of req.columns.entries()) {
        runIds.push(
          this.runs.start({
            runId: req.runIds?.[i],
            source: 'compare',
            target,
            modelId: null,
            systemPrompt: req.systemPrompt,
            userMessage: req.userMessage,
            variables: req.variables,
            images: req.images,
            imageVariables: req.imageVariables,
            params: req.params,
            jsonSchema: req.jsonSchema,
            // A column whose target refuses the images fails with the reason; the others run.
            refusalAsRun: true,
          }).runId,
        );
      }
    } catch (e) {
      // A column that cannot start (model not loaded, unknown target) cancels the ones already started.
      for (const id of runIds) this.runs.cancel(id);
      throw e;
    }
    const comparison: Comparison = {
      id: ulid(),
      createdAt: Date.now(),
      systemPrompt: req.systemPrompt,
      userMessage: req.userMessage,
      variables: req.variables,
      params: req.params,
      jsonSchema: req.jsonSchema,
      runIds,
    };
    this.repo.insert(comparison);
    return { comparisonId: comparison.id, runIds };
  }

  get(id: string): { comparison: Comparison; runs: RunRecord[] } {
    const comparison = this.repo.get(id);
    if (!comparison) throw new CoreError('NOT_FOUND', `No comparison with id ${id}`);
    return { comparison, runs: comparison.runIds.map((r) => this.runs.get(r)) };
  }

  list(limit: number) {
    return this.repo.list(limit);
  }
}
