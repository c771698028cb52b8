// What the run form and the runs list tell a person before and during a run: how the loaded model's
// parallel sequences meet the sweep's concurrency, and target names instead of keys. Pure.
import type { LoadShapeInput } from '../../../shared/bench.schema';
import type { EngineStatus } from '../../../shared/engine.schema';
import { parseTargetKey } from '../../ui/targets/targetChoices';

/** The most sequences a local model can be loaded with (LoadSettings' bound; the core reloads up to it). */
export const MAX_SEQUENCES = 16;

/**
 * Notes for local targets, shown before Start. The core reloads a local model with as many sequences as the
 * sweep's highest concurrency (up to 16); past that, and for request rates without a cap, requests beyond
 * the sequences wait inside the engine and the measured latency includes that queue.
 */
export function sequenceNotes(
  loads: readonly LoadShapeInput[],
  targetKeys: readonly string[],
  status: Pick<EngineStatus, 'modelId' | 'settings'> | null,
  modelName: (modelId: string) => string,
): { level: 'warn' | 'info'; text: string }[] {
  const locals = [...new Set(targetKeys.flatMap((k) => { const t = parseTargetKey(k); return t?.kind === 'local' ? [t.modelId] : []; }))];
  if (locals.length === 0 || loads.length === 0) return [];
  const caps = loads.map((l) => (l.kind === 'concurrency' ? l.concurrency : (l.maxConcurrency ?? null)));
  const highest = Math.max(1, ...caps.filter((c): c is number => c !== null));
  const uncapped = caps.some((c) => c === null);
  const want = Math.min(MAX_SEQUENCES, highest);
  const out: { level: 'warn' | 'info'; text: string }[] = [];
  if (highest > MAX_SEQUENCES) {
    out.push({ level: 'warn', text: `Concurrency ${highest} is above the ${MAX_SEQUENCES} requests a local model decodes at once: the rest wait in the engine's queue, so latency at that load includes queueing.` });
  }
  if (uncapped) {
    out.push({ level: 'warn', text: `A request rate without a max concurrency lets requests pile up: a local model decodes ${want} at once and the rest wait in its queue. Set Max concurrency to measure decoding, not queueing.` });
  }
  for (const id of locals) {
    const loaded = status?.modelId === id ? (status.settings?.sequences ?? 1) : null;
    if (loaded !== null && loaded >= want) continue;
    out.push({
      level: 'info',
      text: loaded !== null
        ? `${modelName(id)} is loaded with ${loaded} sequence${loaded === 1 ? '' : 's'} (requests decoded at once); before the run it is reloaded with ${want}, so concurrency ${want} really runs in parallel. More sequences use more memory.`
        : `${modelName(id)} is not the loaded model: it is loaded with ${want} sequence${want === 1 ? '' : 's'} before its cells run.`,
    });
  }
  return out;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A run's targets as people know them. The list names targets a run has not reached yet by their key
 * ("remote:01J…:qwen", "local:01J…+01K…@0.5"); these become "vLLM · qwen" and "model.gguf + adapter@0.5".
 */
export function targetNames(
  targets: readonly string[],
  models: readonly { id: string; fileName: string; metadata?: { name: string | null } }[],
  remotes: readonly { id: string; name: string }[],
  adapters: readonly { id: string; fileName: string }[] = [],
): string[] {
  return targets.map((t) => {
    const remote = /^remote:([^:]+):(.+)$/s.exec(t);
    if (remote) return `${remotes.find((r) => r.id === remote[1])?.name ?? 'a remote target'} · ${remote[2]}`;
    const local = /^(?:local:)?([0-9A-HJKMNP-TV-Z]{26})((?:\+[0-9A-HJKMNP-TV-Z]{26}@[\d.]+)*)$/.exec(t);
    if (!local || !ULID.test(local[1] as string)) return t;
    // Named as the core names them in results (bench, evals): the model's own name, else its file.
    const model = models.find((m) => m.id === local[1]);
    const base = model ? (model.metadata?.name ?? model.fileName) : 'a local model';
    const parts = [...(local[2] ?? '').matchAll(/\+([0-9A-HJKMNP-TV-Z]{26})@([\d.]+)/g)].map((m) => `${adapterName(adapters.find((a) => a.id === m[1]))}@${m[2]}`);
    return parts.length ? `${base} + ${parts.join(' + ')}` : base;
  });
}

/** As the core's adapterName: the file name without .gguf. */
function adapterName(a: { fileName: string } | undefined): string {
  return a ? a.fileName.replace(/\.gguf$/i, '') : 'adapter';
}
