// What the audit log records about a run's target: the model file's hash (and its adapters'), or the remote
// endpoint and model. Called for every run: single-row lookups, not whole-library lists.
import type { AuditTarget } from '../../shared/guard.schema';
import type { RunTarget } from '../../shared/schemas';
import type { AdaptersService } from '../adapters/adapters.service';
import type { ModelsService } from '../models/models.service';
import type { TargetsService } from '../targets/targets.service';

export function targetDescriber(deps: { targets: Pick<TargetsService, 'get'>; models: Pick<ModelsService, 'find'>; adapters: Pick<AdaptersService, 'find'> }): (t: RunTarget) => AuditTarget {
  const { targets, models, adapters } = deps;
  return (t) => {
    if (t.kind === 'remote') {
      const info = targets.get(t.targetId);
      return { kind: 'remote', targetId: t.targetId, targetName: info.name, endpoints: info.baseUrls, model: t.model };
    }
    const m = models.find(t.modelId);
    return {
      kind: 'local',
      modelId: t.modelId,
      modelName: m ? (m.metadata.name ?? m.fileName) : t.modelId,
      modelSha256: m?.sha256 ?? null,
      adapters: (t.adapters ?? []).map((u) => {
        const a = adapters.find(u.adapterId);
        return { name: a ? (a.metadata.name ?? a.fileName) : u.adapterId, sha256: a?.sha256 ?? null, scale: u.scale };
      }),
    };
  };
}
