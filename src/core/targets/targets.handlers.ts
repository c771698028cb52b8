// The targets.* command handlers: remote OpenAI-compatible targets, their health, and loadLora/unloadLora:
// vLLM's runtime LoRA routes on every replica of a target, then a fresh check so the model list (and every
// model picker) shows the adapter, or no longer shows it.
import type { targetsCommands } from '../../shared/targets.schema';
import { CoreError } from '../errors';
import type { HandlersFor } from '../handlerMap';
import { callLoraRoute, type LoraFailureKind, type LoraOutcome, type LoraRoute } from './loraClient';
import type { TargetsService } from './targets.service';

type Failure = Extract<LoraOutcome, { ok: false }>;

interface Verb {
  route: LoraRoute;
  /** "load", "unload" */
  word: string;
  /** "Loaded", "Unloaded" */
  done: string;
  /** A failure that already means the wanted state on that replica. */
  settled: LoraFailureKind;
}

const LOAD: Verb = { route: 'load_lora_adapter', word: 'load', done: 'Loaded', settled: 'already_loaded' };
const UNLOAD: Verb = { route: 'unload_lora_adapter', word: 'unload', done: 'Unloaded', settled: 'not_loaded' };

const line = (f: Failure) => `replica ${f.replica} : ${f.message}`;
const replicas = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

/**
 * Calls the route on every replica at once. All replicas succeed (or already are in the wanted state) →
 * done; none succeed → a CoreError naming each replica's reason; some → done: false with those reasons.
 */
async function onEveryReplica(
  targets: TargetsService,
  targetId: string,
  verb: Verb,
  name: string,
  body: Record<string, string>,
): Promise<{ done: boolean; message: string }> {
  const { name: targetName, timeouts, endpoints } = targets.replicaEndpoints(targetId);
  // Loading may fetch the adapter first; give it the same patience as a first token.
  const timeoutMs = Math.max(timeouts.connectMs, timeouts.firstTokenMs);
  const outcomes = await Promise.all(endpoints.map((e) => callLoraRoute(e, verb.route, body, timeoutMs)));
  const ok = outcomes.filter((o) => o.ok);
  const failures = outcomes.filter((o): o is Failure => !o.ok);
  const settled = failures.filter((f) => f.kind === verb.settled);
  const real = failures.filter((f) => f.kind !== verb.settled);
  const subject = `LoRA adapter "${name}" on ${targetName}`;

  if (ok.length === 0 && real.length === 0) {
    const state = verb === LOAD ? 'is already loaded' : 'is not loaded';
    throw new CoreError(verb === LOAD ? 'CONFLICT' : 'NOT_FOUND', `${subject} ${state}: ${settled.map(line).join('; ')}`);
  }
  if (ok.length === 0 && settled.length === 0) {
    throw new CoreError(real[0]?.code ?? 'REMOTE', `Could not ${verb.word} ${subject}: ${real.map(line).join('; ')}`);
  }

  // Something changed on the server: the model list is stale. check() emits targets.changed itself.
  const check = await targets.check(targetId);
  const listed = check.models.some((m) => m.id === name);
  const notes: string[] = [];
  if (settled.length) notes.push(`${verb === LOAD ? 'already loaded' : 'not loaded'} on ${settled.map((f) => f.replica).join(', ')}`);
  if (verb === LOAD && !listed) notes.push('the server does not list it in /v1/models yet');
  if (verb === UNLOAD && listed) notes.push('a replica still lists it in /v1/models');

  if (real.length === 0) {
    const use = verb === LOAD ? ` Pick "${name}" as the model to use it.` : '';
    return { done: true, message: `${verb.done} ${subject} (${[replicas(ok.length + settled.length), ...notes].join('; ')}).${use}` };
  }
  const where = `${ok.length + settled.length} of ${replicas(outcomes.length)}`;
  return { done: false, message: `${verb.done} ${subject} only on ${[where, ...notes].join('; ')}: ${real.map(line).join('; ')}` };
}

export function targetsHandlers(targets: TargetsService): HandlersFor<typeof targetsCommands> {
  return {
    'targets.list': () => targets.list(),
    'targets.add': (input) => targets.add(input),
    'targets.update': ({ targetId, patch }) => targets.update(targetId, patch),
    'targets.remove': ({ targetId }) => ({ removed: targets.remove(targetId) }),
    'targets.check': ({ targetId }) => targets.check(targetId),
    'targets.loadLora': async ({ targetId, name, path }) => {
      const r = await onEveryReplica(targets, targetId, LOAD, name, { lora_name: name, lora_path: path });
      return { loaded: r.done, message: r.message };
    },
    'targets.unloadLora': async ({ targetId, name }) => {
      const r = await onEveryReplica(targets, targetId, UNLOAD, name, { lora_name: name });
      return { unloaded: r.done, message: r.message };
    },
  };
}
