// What the audit log records about a run's target: the model file's hash (and its adapters'), or the remote
// endpoint and model. Called for every run: single-row lookups, not whole-library lists.
import type { AdapterInfo } from '../../shared/adapters.schema';
import type { AuditTarget } from '../../shared/guard.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { RunTarget } from '../../shared/runs.schema';
import type { TargetInfo } from '../../shared/targets.schema';

/** The lookups it needs (TargetsService, ModelsService, AdaptersService), by shape: the guard imports no feature. */
export interface TargetLookups {
  targets: { get(id: string): TargetInfo };
  models: { find(id: string): ModelInfo | null };
  adapters: { find(id: string): AdapterInfo | null };
}

export function targetDescriber(deps: TargetLookups): (t: RunTarget) => AuditTarget {
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
