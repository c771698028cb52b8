// The datasets.* command handlers, spread into createCore's handler map. Inputs arrive parsed by
// datasetsCommands' schemas; handlers only call the services (profiles.* are in core/profiles).
import type { datasetsCommands } from '../../shared/datasets.schema';
import type { ProfilesService } from '../profiles/profiles.service';
import type { DatasetsService } from './datasets.service';
import type { HandlersFor } from '../handlerMap';

export type DatasetHandlers = HandlersFor<typeof datasetsCommands>;

export function datasetHandlers(s: DatasetsService, profiles: ProfilesService): DatasetHandlers {
  return {
    'datasets.list': () => s.list(),
    'datasets.get': ({ datasetId }) => s.get(datasetId),
    'datasets.remove': ({ datasetId }) => ({ removed: s.remove(datasetId) }),
    'datasets.rename': ({ datasetId, name }) => s.rename(datasetId, name),
    'datasets.preview': (input) => s.preview(input),
    'datasets.import': async (input) => {
      const out = await s.import(input);
      return { dataset: out.dataset, imported: out.imported, badTotal: out.badTotal, bad: out.bad };
    },
    'datasets.importImages': async (input) => {
      const out = await s.importImages(input);
      return { dataset: out.dataset, imported: out.imported, images: out.images, skipped: out.skipped, notes: out.notes };
    },
    'datasets.cancelImport': ({ importId }) => ({ cancelled: s.cancelImport(importId) }),
    'datasets.rows': ({ datasetId, filter, offset, limit, countCap }) => s.rows(datasetId, filter, offset, limit, countCap),
    'datasets.row': ({ datasetId, rowId }) => s.row(datasetId, rowId),
    // Only admins label (or undo) as someone else.
    'datasets.label': ({ datasetId, rowId, labelerId, patch, baseVersion }) => {
      profiles.assertSelf(labelerId);
      return s.label(datasetId, rowId, labelerId, patch, baseVersion);
    },
    'datasets.undo': ({ datasetId, labelerId }) => {
      profiles.assertSelf(labelerId);
      return { row: s.undo(datasetId, labelerId) };
    },
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
