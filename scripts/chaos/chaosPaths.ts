// Each path's setup (once, on its own data folder) and its check after every kill. A check runs on a
// freshly opened core — the restart, with its recovery — and compares what the database holds with what
// the killed child acknowledged.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Core } from '../../src/core/createCore';
import { writeMessagesFile } from '../../src/core/datasets/testing/files';
import type { ChaosPath, ChildConfig } from './chaosConfig';
import type { Line } from './childRunner';
import { CHAOS_ANSWER, CHAOS_MODEL } from './chaosServer';

export interface CheckResult {
  /** Acknowledged writes in this child's output. */
  acked: number;
  /** Acknowledged writes the database does not hold as acknowledged (must stay 0). */
  lost: string[];
  /** Other broken promises of the path: partial datasets, half rows, redone cells, unaudited changes. */
  broken: string[];
}

export interface PathRunner {
  /** Kill after up to this many acks (the plan draws 1..maxAcks). */
  maxAcks: number;
  childConfig(tag: string, seed: number): ChildConfig;
  check(core: Core, lines: readonly Line[]): Promise<CheckResult>;
}

const IMPORT_ROWS = 3000;
const LABEL_ROWS = 400;
const EVAL_ROWS = 24;
/** Imported datasets kept between iterations; older ones are removed so the file stays small. */
const KEEP_DATASETS = 3;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function remoteTarget(core: Core, baseUrl: string): Promise<string> {
  return (await core.invoke('targets.add', { name: 'chaos', baseUrls: [baseUrl], maxRetries: 0 })).id;
}

export async function setupPath(path: ChaosPath, core: Core, dataDir: string, baseUrl: string): Promise<PathRunner> {
  const base = { dataDir };
  switch (path) {
    case 'labels': {
      const file = writeMessagesFile(dataDir, LABEL_ROWS, {}, 'labels.jsonl');
      const { dataset } = await core.invoke('datasets.import', { path: file, name: 'labels' });
      const labeler = await core.invoke('profiles.create', { name: 'Labeler', role: 'labeler' });
      const firstRowId = (await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 1 })).rows[0]?.id as number;
      return labelsRunner({ ...base, path, datasetId: dataset.id, labelerId: labeler.id, firstRowId, rowCount: LABEL_ROWS });
    }
    case 'import':
      return importRunner({ ...base, path, file: writeMessagesFile(dataDir, IMPORT_ROWS, {}, 'import.jsonl'), rows: IMPORT_ROWS });
    case 'runs':
      return runsRunner({ ...base, path, targetId: await remoteTarget(core, baseUrl), model: CHAOS_MODEL });
    case 'evals': {
      const { version } = await core.invoke('prompts.create', {
        name: 'chaos',
        description: '',
        content: { messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0 } },
        message: '',
        author: 'chaos',
      });
      return evalsRunner({ ...base, path, targetId: await remoteTarget(core, baseUrl), model: CHAOS_MODEL, versionId: version.id, rows: EVAL_ROWS });
    }
    case 'audit': {
      const labeler = await core.invoke('profiles.create', { name: 'Refused', role: 'labeler' });
      return auditRunner({ ...base, path, labelerId: labeler.id });
    }
  }
}

type Cfg<P extends ChaosPath> = Omit<Extract<ChildConfig, { path: P }>, 'tag' | 'seed'>;
const withTag = <P extends ChaosPath>(c: Cfg<P>) => (tag: string, seed: number) => ({ ...c, tag, seed }) as unknown as ChildConfig;
const acks = (lines: readonly Line[]) => lines.filter((l) => l.kind === 'ack');

function labelsRunner(c: Cfg<'labels'>): PathRunner {
  // Per row: the last acknowledged note, and notes sent after it (a write in flight may have committed).
  const acked = new Map<number, string>();
  const inFlight = new Map<number, Set<string>>();
  return {
    maxAcks: 40,
    childConfig: withTag(c),
    async check(core, lines) {
      for (const l of lines) {
        const [row, note] = [Number(l.words[0]), l.words[1] as string];
        if (l.kind === 'send') (inFlight.get(row) ?? inFlight.set(row, new Set()).get(row))?.add(note);
        if (l.kind === 'ack') {
          acked.set(row, note);
          inFlight.set(row, new Set());
        }
      }
      const get = core.db.prepare<[number], { note: string | null; status: string; rating: number | null }>('SELECT note, status, rating FROM dataset_rows WHERE id = ?');
      const lost: string[] = [];
      for (const [row, note] of acked) {
        const r = get.get(row);
        const n = r?.note ?? null;
        if (n !== note && !(n !== null && inFlight.get(row)?.has(n))) {
          lost.push(`row ${row}: label "${note}" was acknowledged, the database has ${JSON.stringify(n)}`);
          continue;
        }
        // The note names the write; its status and rating must be that write's too.
        const i = Number((n as string).split('-').at(-1));
        if (r?.status !== (i % 2 ? 'rejected' : 'accepted') || r.rating !== (i % 5) + 1) lost.push(`row ${row}: note "${n}" stored with status ${r?.status} and rating ${r?.rating}, not its own`);
      }
      return { acked: acks(lines).length, lost, broken: [] };
    },
  };
}

function importRunner(c: Cfg<'import'>): PathRunner {
  const acked = new Map<string, string>(); // name → dataset id
  return {
    maxAcks: 3,
    childConfig: withTag(c),
    async check(core, lines) {
      for (const l of acks(lines)) acked.set(l.words[0] as string, l.words[1] as string);
      // A crashed import is removed by the restarted core in the background: wait for it (bounded).
      const leftovers = core.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM datasets WHERE state != 'ready'");
      for (let i = 0; i < 600 && (leftovers.get()?.n ?? 0) > 0; i++) await sleep(50);
      const broken: string[] = [];
      const left = leftovers.get()?.n ?? 0;
      if (left > 0) broken.push(`${left} unfinished import(s) still present after restart`);
      const ready = core.db
        .prepare<[], { id: string; name: string; row_count: number; n: number }>(
          "SELECT d.id, d.name, d.row_count, (SELECT count(*) FROM dataset_rows r WHERE r.dataset_id = d.id) AS n FROM datasets d WHERE d.state = 'ready' ORDER BY d.created_at",
        )
        .all();
      for (const d of ready) {
        if (d.row_count !== c.rows || d.n !== c.rows) broken.push(`dataset ${d.name}: ${d.n} rows stored, ${d.row_count} recorded, the file has ${c.rows} (partial import)`);
      }
      const orphans = core.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM dataset_rows WHERE dataset_id NOT IN (SELECT id FROM datasets WHERE state = 'ready')").get()?.n ?? 0;
      if (orphans > 0 && left === 0) broken.push(`${orphans} rows belong to no dataset (orphans)`);
      const byId = new Set(ready.map((d) => d.id));
      const lost = [...acked].filter(([, id]) => !byId.has(id)).map(([name, id]) => `dataset ${name} (${id}) was acknowledged as imported and is gone`);
      // Keep the file small: the oldest datasets go (a removal is itself crash-safe, and checked next time).
      for (const d of ready.slice(0, Math.max(0, ready.length - KEEP_DATASETS))) {
        await core.invoke('datasets.remove', { datasetId: d.id });
        for (const [name, id] of acked) if (id === d.id) acked.delete(name);
      }
      await core.datasets.idle();
      return { acked: acks(lines).length, lost, broken };
    },
  };
}

/** Runs whose ai_call audit record is missing: a stored AI call the audit log does not show. */
function unauditedRuns(core: Core): string[] {
  return core.db
    .prepare<[], { id: string; stop_reason: string }>(
      `SELECT r.id, r.stop_reason FROM runs r WHERE r.id NOT IN (SELECT json_extract(body_json, '$.runId') FROM audit_log WHERE kind = 'ai_call' AND json_extract(body_json, '$.runId') IS NOT NULL)`,
    )
    .all()
    .map((r) => `run ${r.id} (${r.stop_reason}) has no audit record`);
}

function runsRunner(c: Cfg<'runs'>): PathRunner {
  const acked = new Set<string>();
  return {
    maxAcks: 8,
    childConfig: withTag(c),
    async check(core, lines) {
      for (const l of acks(lines)) acked.add(l.words[0] as string);
      const rows = core.db.prepare<[], { id: string; status: string; stop_reason: string | null; output: string; error: string | null }>('SELECT id, status, stop_reason, output, error FROM runs').all();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const lost: string[] = [];
      for (const id of acked) {
        const r = byId.get(id);
        if (!r || r.status !== 'done' || r.output !== CHAOS_ANSWER) lost.push(`run ${id} finished before the kill but is stored as ${r ? `${r.status}/${r.stop_reason} with ${r.output.length} chars` : 'missing'}`);
      }
      const broken: string[] = [];
      for (const r of rows) {
        if (r.status !== 'done') broken.push(`run ${r.id} is still '${r.status}' after restart`);
        else if (r.stop_reason === 'interrupted' ? r.output !== '' : r.output !== CHAOS_ANSWER || r.error !== null) {
          broken.push(`run ${r.id}: half a row (${r.stop_reason}, ${r.output.length} chars, error ${r.error})`);
        }
      }
      broken.push(...unauditedRuns(core));
      return { acked: acks(lines).length, lost, broken };
    },
  };
}

function evalsRunner(c: Cfg<'evals'>): PathRunner {
  // Every clean cell seen at the previous check: key → the run that produced it. A resume must keep them all.
  let before = new Map<string, string | null>();
  const cellsStmt = (core: Core) =>
    core.db.prepare<[], { key: string; run_id: string | null }>("SELECT eval_id || '/' || version_id || '/' || target_key || '/' || row_id AS key, run_id FROM eval_results WHERE error IS NULL");
  return {
    maxAcks: 12,
    childConfig: withTag(c),
    async check(core, lines) {
      const now = new Map(cellsStmt(core).all().map((r) => [r.key, r.run_id]));
      const broken: string[] = [];
      const lost: string[] = [];
      for (const l of lines) {
        if (l.kind !== 'info' || l.words[0] !== 'start') continue;
        const [evalId, skipped] = [l.words[1] as string, Number(l.words[2])];
        const stored = [...before.keys()].filter((k) => k.startsWith(`${evalId}/`)).length;
        if (skipped !== stored) broken.push(`eval ${evalId}: resume skipped ${skipped} cells, ${stored} were stored`);
      }
      for (const [key, runId] of before) if (now.get(key) !== runId) broken.push(`cell ${key}: stored with run ${runId}, now ${now.get(key) ?? 'missing'} (redone)`);
      for (const l of acks(lines)) {
        const [key, runId] = [l.words[0] as string, l.words[1] === '-' ? null : (l.words[1] as string)];
        if (!now.has(key) || now.get(key) !== runId) lost.push(`cell ${key} was stored (run ${runId}) and is now ${now.get(key) ?? 'missing'}`);
      }
      const evalRuns = core.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM runs WHERE source = 'eval'").get()?.n ?? 0;
      if (evalRuns < now.size) broken.push(`${now.size} cells stored but only ${evalRuns} eval runs`);
      broken.push(...unauditedRuns(core));
      before = now;
      return { acked: acks(lines).length, lost, broken };
    },
  };
}

function auditRunner(c: Cfg<'audit'>): PathRunner {
  let ackedSeq = 0;
  // An unaudited policy stays stored until the next change: reported once, not after every later kill.
  let reported: string | null = null;
  return {
    maxAcks: 40,
    childConfig: withTag(c),
    async check(core, lines) {
      for (const l of acks(lines)) ackedSeq = Math.max(ackedSeq, Number(l.words[0]));
      const head = core.db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM audit_log').get()?.seq ?? 0;
      const lost = head < ackedSeq ? [`audit records ${head + 1}–${ackedSeq} were acknowledged and are gone`] : [];
      // The stored policy must be the one its last audit record names: a change is never unaudited.
      const broken: string[] = [];
      const json = core.db.prepare<[], { policy_json: string }>('SELECT policy_json FROM guard_policy WHERE id = 1').get()?.policy_json;
      if (json !== undefined) {
        const last = core.db.prepare<[], { body_json: string }>("SELECT body_json FROM audit_log WHERE kind = 'policy' ORDER BY seq DESC LIMIT 1").get();
        const decisions = last ? (JSON.parse(last.body_json) as { decisions: string[] }).decisions : [];
        if (!decisions.includes(`policy sha256 ${sha256(json)}`) && reported !== json) {
          reported = json;
          broken.push(`the stored policy (sha256 ${sha256(json).slice(0, 12)}…) has no audit record: its change went unaudited`);
        }
      }
      return { acked: acks(lines).length, lost, broken };
    },
  };
}

export const dataDirOf = (root: string, path: ChaosPath) => join(root, path);
