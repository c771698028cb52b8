// Where a workload's prompts come from: generated (synthetic), given inline, a dataset's rows, or a test
// set's rows rendered through a prompt version (as evaluations render them).
import type { Workload } from '../../shared/bench.schema';
import { RowFilter } from '../../shared/datasets.schema';
import type { DatasetsService } from '../datasets/datasets.service';
import { CoreError } from '../errors';
import type { EvalPrompts, EvalRowsSource } from '../evals/evals.service';
import { syntheticPrompt } from './arrivals';
import { imageWorkload, type BenchImageStore, type ImagesWorkload } from './benchImages';
import type { BenchPrompt } from './benchJob';
import type { ImageWorkloadInfo } from './benchMetrics';

export interface BenchSources {
  dataset(datasetId: string, limit: number): Promise<BenchPrompt[]>;
  testSet(testSetId: string, promptVersionId: string, limit: number): Promise<BenchPrompt[]>;
  images(w: ImagesWorkload, needed: number): Promise<{ prompts: BenchPrompt[]; info: ImageWorkloadInfo }>;
}

/** An image workload's prompts and what its images are (for the results); other workloads have no images. */
export async function workloadImagePrompts(w: Workload, needed: number, sources: BenchSources | null): Promise<{ prompts: BenchPrompt[]; imageInfo: ImageWorkloadInfo | null }> {
  if (w.kind !== 'images') return { prompts: await workloadPrompts(w, needed, sources), imageInfo: null };
  if (!sources) throw new CoreError('BAD_INPUT', 'image workloads are not available here');
  const r = await sources.images(w, Math.min(needed, 10_000));
  return { prompts: nonEmpty(r.prompts, 'the workload has no images'), imageInfo: r.info };
}

/** Characters of synthetic prompts kept at once; longer runs cycle through them. */
const SYNTHETIC_CHARS = 8_000_000;

/** The workload's prompts, in order; the job cycles through them when it needs more. */
export async function workloadPrompts(w: Exclude<Workload, { kind: 'images' }>, needed: number, sources: BenchSources | null): Promise<BenchPrompt[]> {
  switch (w.kind) {
    case 'synthetic': {
      // ~5 characters a word: keep memory bounded for long prompts × many requests.
      const n = Math.max(1, Math.min(needed, Math.floor(SYNTHETIC_CHARS / (w.inputLen * 5))));
      return Array.from({ length: n }, (_, i) => ({ systemPrompt: '', userMessage: syntheticPrompt(w.inputLen, w.seed, i) }));
    }
    case 'prompts':
      return w.prompts.map((p) => ({ systemPrompt: '', userMessage: p }));
    case 'dataset':
      if (!sources) throw new CoreError('BAD_INPUT', 'dataset workloads are not available here');
      return nonEmpty(await sources.dataset(w.datasetId, Math.min(needed, 10_000)), 'the dataset has no rows');
    case 'testset':
      if (!sources) throw new CoreError('BAD_INPUT', 'test set workloads are not available here');
      return nonEmpty(await sources.testSet(w.testSetId, w.promptVersionId, Math.min(needed, 10_000)), 'the test set has no rows');
  }
}

function nonEmpty(p: BenchPrompt[], why: string): BenchPrompt[] {
  if (p.length === 0) throw new CoreError('BAD_INPUT', `workload: ${why}`);
  return p;
}

export function coreBenchSources(c: { datasets: Pick<DatasetsService, 'rows' | 'row'>; prompts: EvalPrompts; testSetRows: EvalRowsSource; images?: BenchImageStore }): BenchSources {
  return {
    async images(w, needed) {
      if (!c.images) throw new CoreError('BAD_INPUT', 'image workloads need the image store');
      return imageWorkload(w, needed, c.images, (id) => c.testSetRows.rows(id));
    },
    async dataset(datasetId, limit) {
      let page = c.datasets.rows(datasetId, RowFilter.parse({ status: 'accepted' }), 0, limit, limit);
      if (page.rows.length === 0) page = c.datasets.rows(datasetId, RowFilter.parse({}), 0, limit, limit);
      return page.rows.map((summary) => {
        const messages = c.datasets.row(datasetId, summary.id).record.messages;
        const system = messages[0]?.role === 'system' ? messages[0].content : '';
        const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? summary.prompt;
        return { systemPrompt: system, userMessage: user };
      });
    },
    async testSet(testSetId, promptVersionId, limit) {
      const r = c.prompts.render(promptVersionId, {});
      const rows = (await c.testSetRows.rows(testSetId)).slice(0, limit);
      return rows.map((row) => ({ ...r.playground, variables: row.variables, params: r.params, jsonSchema: r.jsonSchema }));
    },
  };
}
