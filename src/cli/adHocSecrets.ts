// `run --target-url` and `bench --target-url` make a target for one command: its API key and headers stay in
// this process. Everything else goes to the workspace's own key store — above all the audit log's HMAC key:
// with a store of their own, the records these commands append could not be checkpointed, and `audit
// verify` then called the log broken ("records past the checkpoint … added outside Lamplight").
import type { SecretStore } from '../core/secrets/secretStore';

/** Target secrets (`target:…`) in memory, the rest read and written through `workspace`. */
export function adHocSecrets(workspace: SecretStore): SecretStore {
  const kept = new Map<string, string>();
  const mine = (k: string) => k.startsWith('target:');
  return {
    description: workspace.description,
    get: (k) => (mine(k) ? (kept.get(k) ?? null) : workspace.get(k)),
    set: (k, v) => (mine(k) ? void kept.set(k, v) : workspace.set(k, v)),
    delete: (k) => (mine(k) ? void kept.delete(k) : workspace.delete(k)),
  };
}
