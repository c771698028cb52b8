// The app.* command handlers: what this Lamplight is and what this machine can run.
import { availableParallelism, platform } from 'node:os';
import { getLlamaGpuTypes } from 'node-llama-cpp';
import type { AppInfo } from '../../shared/app.schema';
import { appCommands } from '../../shared/app.schema';
import type { HandlersFor } from '../handlerMap';

let gpuTypes: Promise<string[]> | null = null;
function supportedGpu(): Promise<string[]> {
  gpuTypes ??= getLlamaGpuTypes('supported')
    .then((types) => ['cpu', ...types.filter((t): t is Exclude<typeof t, false> => t !== false)])
    .catch(() => ['cpu']);
  return gpuTypes;
}

export function appHandlers(app: Pick<AppInfo, 'version' | 'dataDir' | 'transport'>): HandlersFor<typeof appCommands> {
  return {
    'app.info': async () => ({
      version: app.version,
      dataDir: app.dataDir,
      transport: app.transport,
      platform: platform(),
      availableParallelism: availableParallelism(),
      supportedGpu: await supportedGpu(),
    }),
  };
}
