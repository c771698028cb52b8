// Where a run can go, as pickers show it: local library models and "Target name · model" for remote ones.
// Pure, so the Playground and Compare pickers share one spelling of keys and labels.
import type { ModelInfo } from '../../../shared/models.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import type { RemoteModel, TargetCheck, TargetInfo } from '../../../shared/targets.schema';

export type RemoteRunTarget = Extract<RunTarget, { kind: 'remote' }>;

const REMOTE_PREFIX = 'remote:';

/** A select option value. Local keys are bare model ids (ULIDs), so older values stay valid. */
export function targetKey(target: RunTarget): string {
  return target.kind === 'local' ? target.modelId : `${REMOTE_PREFIX}${target.targetId}:${target.model}`;
}

export function parseTargetKey(key: string): RunTarget | null {
  if (!key) return null;
  if (!key.startsWith(REMOTE_PREFIX)) return { kind: 'local', modelId: key };
  const rest = key.slice(REMOTE_PREFIX.length);
  const colon = rest.indexOf(':');
  // Target ids are ULIDs (no colon); the model name may contain anything, colons included.
  if (colon <= 0 || colon === rest.length - 1) return null;
  return { kind: 'remote', targetId: rest.slice(0, colon), model: rest.slice(colon + 1) };
}

export function sameTarget(a: RunTarget | null, b: RunTarget | null): boolean {
  if (!a || !b) return a === b;
  return targetKey(a) === targetKey(b);
}

export function remoteLabel(targetName: string, model: string): string {
  return `${targetName} · ${model}`;
}

/**
 * vLLM lists a LoRA module with the base model as `parent` (and the adapter path as `root`). The base model
 * itself has `root` set to its weights path, so `root` alone only counts when it names another listed model.
 */
export function isLoraModule(model: RemoteModel, all: readonly RemoteModel[]): boolean {
  if (model.parent && model.parent !== model.id) return true;
  if (!model.parent && model.root && model.root !== model.id) return all.some((m) => m.id === model.root);
  return false;
}

/** The base model a LoRA module sits on, for showing next to it. */
export function loraBase(model: RemoteModel): string | null {
  return model.parent ?? model.root ?? null;
}

export interface RemoteChoice {
  key: string;
  target: RemoteRunTarget;
  targetName: string;
  model: string;
  label: string;
  lora: boolean;
}

export interface RemoteChoiceGroup {
  target: TargetInfo;
  choices: RemoteChoice[];
  /** No check yet (its model list is unknown) or the check found no reachable replica. */
  state: 'unchecked' | 'checking' | 'ok' | 'unreachable';
  error: string | null;
}

export function remoteChoiceGroups(
  targets: readonly TargetInfo[],
  checks: Readonly<Record<string, TargetCheck>>,
  checking: readonly string[],
  checkErrors: Readonly<Record<string, string>>,
): RemoteChoiceGroup[] {
  return targets.map((t) => {
    const check = checks[t.id];
    const models = check?.models ?? [];
    const choices = models.map((m) => {
      const target: RemoteRunTarget = { kind: 'remote', targetId: t.id, model: m.id };
      return { key: targetKey(target), target, targetName: t.name, model: m.id, label: remoteLabel(t.name, m.id), lora: isLoraModule(m, models) };
    });
    const failed = checkErrors[t.id] ?? (check && check.replicas.every((r) => !r.ok) ? (check.replicas.find((r) => r.error)?.error ?? 'no replica answered') : null);
    let state: RemoteChoiceGroup['state'] = 'ok';
    if (checking.includes(t.id) && !check) state = 'checking';
    else if (!check && !checkErrors[t.id]) state = 'unchecked';
    else if (failed && choices.length === 0) state = 'unreachable';
    return { target: t, choices, state, error: failed };
  });
}

/** How a picker names a run target it may not list (a reopened run, a model gone from the library). */
export function describeTarget(
  target: RunTarget,
  models: readonly Pick<ModelInfo, 'id' | 'fileName'>[],
  targets: readonly Pick<TargetInfo, 'id' | 'name'>[],
): string {
  if (target.kind === 'local') return models.find((m) => m.id === target.modelId)?.fileName ?? target.modelId;
  const name = targets.find((t) => t.id === target.targetId)?.name ?? 'removed target';
  return remoteLabel(name, target.model);
}

/** A replica error without the request line the row already shows: "GET http://a/v1/models: refused" → "refused". */
export function shortReplicaError(error: string, url: string): string {
  const base = url.replace(/\/+$/, '');
  const m = /^[A-Z]+ (\S+): (.+)$/s.exec(error);
  if (m && (m[1] as string).startsWith(base)) return m[2] as string;
  return error;
}

export interface ReplicaErrorAdvice {
  /** The error without the request line: "could not connect (ECONNREFUSED)". */
  what: string;
  /** The request that failed, "GET http://host:8000/v1/models", else the replica's URL. */
  tried: string;
  /** What to check, for the network failures whose message says only what happened; null when it already says. */
  check: string | null;
}

// The model-list check says only what the network did ("could not connect (ECONNREFUSED)"); a new user needs
// where it went and what to look at. Messages that carry their own "check …" hint keep it.
const ADVICE: readonly [RegExp, string][] = [
  [/bad port/i, 'Fetch refuses this port (as browsers do for ports such as 9, 25 or 6000): serve the model on another port, e.g. 8000.'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/i, 'The host name did not resolve: check the host in the URL (spelling, or use its IP address) and this machine\'s DNS.'],
  [/could not connect|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/i, 'Check that the server is running and listening on that host and port, that the URL is right (it usually ends in /v1), and that no firewall blocks the port.'],
  [/no response within|timed? ?out|ETIMEDOUT/i, 'Nothing answered in time: check that the server is up, the host and port in the URL, and that no firewall silently drops the connection.'],
  [/ECONNRESET|connection broke|socket hang up|UND_ERR_SOCKET/i, 'The connection was cut: check the server\'s log, and whether the URL should be https rather than http (or the other way round).'],
];

export function replicaErrorAdvice(error: string, url: string): ReplicaErrorAdvice {
  const m = /^([A-Z]+ \S+): (.+)$/s.exec(error);
  const tried = m ? (m[1] as string) : url;
  const what = shortReplicaError(error, url);
  if (/\bcheck\b/i.test(what)) return { what, tried, check: null };
  const check = ADVICE.find(([re]) => re.test(what))?.[1] ?? null;
  return { what, tried, check };
}
