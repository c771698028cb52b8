// The profiles.* and datasets.* command handlers, spread into createCore's handler map. Inputs arrive parsed
// by datasetsCommands' schemas; handlers only call the service.
import type { z } from 'zod';
import type { datasetsCommands } from '../../shared/datasets.schema';
import type { profilesCommands } from '../../shared/profiles.schema';
import type { DatasetsService } from './datasets.service';

type DatasetCommands = typeof datasetsCommands & Pick<typeof profilesCommands, 'profiles.list' | 'profiles.create'>;
export type DatasetHandlers = {
  [N in keyof DatasetCommands]: (input: z.output<DatasetCommands[N]['input']>) => z.output<DatasetCommands[N]['output']> | Promise<z.output<DatasetCommands[N]['output']>>;
};

export function datasetHandlers(s: DatasetsService): DatasetHandlers {
  return {
    'profiles.list': () => s.profiles(),
    'profiles.create': ({ name, role }) => s.createProfile(name, role),
    'datasets.list': () => s.list(),
    'datasets.get': ({ datasetId }) => s.get(datasetId),
    'datasets.remove': ({ datasetId }) => ({ removed: s.remove(datasetId) }),
    'datasets.rename': ({ datasetId, name }) => s.rename(datasetId, name),
    'datasets.preview': (input) => s.preview(input),
    'datasets.import': async (input) => {
      const out = await s.import(input);
      return { dataset: out.dataset, imported: out.imported, badTotal: out.badTotal, bad: out.bad };
    },
    'datasets.cancelImport': ({ importId }) => ({ cancelled: s.cancelImport(importId) }),
    'datasets.rows': ({ datasetId, filter, offset, limit, countCap }) => s.rows(datasetId, filter, offset, limit, countCap),
    'datasets.row': ({ datasetId, rowId }) => s.row(datasetId, rowId),
    'datasets.label': ({ datasetId, rowId, labelerId, patch }) => s.label(datasetId, rowId, labelerId, patch),
    'datasets.undo': ({ datasetId, labelerId }) => ({ row: s.undo(datasetId, labelerId) }),
    'datasets.setLabelSchema': ({ datasetId, schema }) => s.setLabelSchema(datasetId, schema),
    'datasets.analyze': ({ datasetId, modelId }) => s.analyze(datasetId, modelId),
    'datasets.stats': ({ datasetId }) => s.stats(datasetId),
    'datasets.split': ({ datasetId, ...opts }) => s.split(datasetId, opts),
    'datasets.export': (req) => s.export(req),
    'datasets.draft': ({ datasetId, ...opts }) => s.draft(datasetId, opts),
    'datasets.cancelJob': ({ jobId }) => ({ cancelled: s.cancelJob(jobId) }),
    'datasets.jobs': ({ datasetId }) => s.jobList(datasetId),
    'datasets.candidates': ({ datasetId, rowId, targets, params }) => s.candidates(datasetId, rowId, targets, params),
  };
}
