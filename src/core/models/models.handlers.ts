// The models.* command handlers: the model library, downloads and each file's chat template.
import type { modelsCommands } from '../../shared/models.schema';
import type { HandlersFor } from '../handlerMap';
import { modelTemplate } from './chatTemplate';
import type { DownloadsService } from './downloads.service';
import type { ModelsService } from './models.service';

/** What models.remove needs of the engine, by shape: the engine sits above the model library, not beside it. */
interface LoadedModel {
  readonly status: { readonly modelId: string | null };
  unload(): Promise<unknown>;
}

export function modelsHandlers(d: { models: ModelsService; downloads: DownloadsService; engine: LoadedModel }): HandlersFor<typeof modelsCommands> {
  const { models, downloads, engine } = d;
  return {
    'models.list': () => models.list(),
    'models.add': ({ path }) => models.add(path),
    'models.scan': ({ dir }) => models.scan(dir),
    'models.remove': async ({ modelId }) => {
      // The loaded model is unloaded first, so its file is not held open after it leaves the library.
      if (engine.status.modelId === modelId) await engine.unload();
      return { removed: models.remove(modelId) };
    },
    'models.download': ({ uri, dir, projector }) => downloads.start(uri, dir, { projector }),
    'models.cancelDownload': async ({ downloadId }) => ({ cancelled: await downloads.cancel(downloadId) }),
    'models.downloads': () => downloads.list(),
    'models.template': ({ modelId }) => modelTemplate(models.get(modelId).path),
  };
}
