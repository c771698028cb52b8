// A model named on the command line: a library id, or a .gguf path added to the library if new. Goes
// through the contract like everything the CLI does (models.add finds a path already in the library).
import type { Core } from '../core/createCore';
import type { ModelInfo } from '../shared/models.schema';

export async function resolveModel(core: Core, idOrPath: string): Promise<ModelInfo> {
  const byId = (await core.invoke('models.list', {})).find((m) => m.id === idOrPath);
  return byId ?? core.invoke('models.add', { path: idOrPath });
}
