// The process the chaos harness kills: opens the real core on a data folder and writes along one path until
// SIGKILLed. Protocol on stdout, one line each: "ready" once the core is open, "send KEY VALUE" before a
// write, "ack KEY VALUE" only after the core call that stores it returned, "info WORDS…" for facts the
// parent checks (e.g. how many eval cells a resume skipped).
import { writeSync } from 'node:fs';
import { createCore } from '../../src/core/createCore';
import { mulberry32 } from '../../src/shared/prng';
import type { ChildConfig } from './chaosConfig';
import { CHAOS_WORDS } from './chaosServer';

const config = JSON.parse(process.argv[2] as string) as ChildConfig;
const out = (line: string) => writeSync(1, line + '\n');
const core = createCore({ dataDir: config.dataDir, version: '0.0.0-chaos', transport: 'browser-host' });
out('ready');
const rand = mulberry32(config.seed);
// Every loop is bounded: a child the parent fails to kill still ends.
const MAX_WRITES = 20_000;

async function labels(c: Extract<ChildConfig, { path: 'labels' }>): Promise<void> {
  for (let i = 0; i < MAX_WRITES; i++) {
    const rowId = c.firstRowId + Math.floor(rand() * c.rowCount);
    const note = `${config.tag}-${i}`;
    out(`send ${rowId} ${note}`);
    await core.invoke('datasets.label', { datasetId: c.datasetId, rowId, labelerId: c.labelerId, patch: { status: i % 2 ? 'rejected' : 'accepted', rating: (i % 5) + 1, note } });
    out(`ack ${rowId} ${note}`);
  }
}

async function imports(c: Extract<ChildConfig, { path: 'import' }>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const name = `${config.tag}-${i}`;
    out(`send ${name} -`);
    const r = await core.invoke('datasets.import', { path: c.file, name });
    out(`ack ${name} ${r.dataset.id}`);
  }
}

async function runs(c: Extract<ChildConfig, { path: 'runs' }>): Promise<void> {
  let n = 0;
  const lane = async () => {
    while (n < MAX_WRITES) {
      const i = n++;
      const { runId } = await core.invoke('runs.start', {
        target: { kind: 'remote', targetId: c.targetId, model: c.model },
        systemPrompt: '',
        userMessage: `question ${config.tag}-${i}`,
        variables: {},
      });
      out(`send ${runId} -`);
      await core.runs.wait(runId);
      out(`ack ${runId} -`);
    }
  };
  await Promise.all([lane(), lane()]);
}

async function evals(c: Extract<ChildConfig, { path: 'evals' }>): Promise<void> {
  const open = core.db.prepare<[], { id: string }>("SELECT id FROM evals WHERE status != 'done' ORDER BY created_at DESC, id DESC LIMIT 1");
  const results = core.db.prepare<[string], { key: string; run_id: string | null }>(
    "SELECT version_id || '/' || target_key || '/' || row_id AS key, run_id FROM eval_results WHERE eval_id = ? AND error IS NULL",
  );
  for (let e = 0; e < 100; e++) {
    const evalId =
      open.get()?.id ??
      (
        await core.invoke('evals.create', {
          name: `${config.tag}-${e}`,
          promptVersionIds: [c.versionId],
          targets: [{ kind: 'remote', targetId: c.targetId, model: c.model }],
          rows: Array.from({ length: c.rows }, (_, i) => ({ variables: { q: `q${i}` }, expected: null })),
          assertions: [{ type: 'contains', value: CHAOS_WORDS[2] as string }],
          concurrency: { remote: 3 },
        })
      ).id;
    const seen = new Set(results.all(evalId).map((r) => r.key));
    const started = await core.invoke('evals.start', { evalId });
    out(`info start ${evalId} ${started.skipped} ${started.total}`);
    // A cell is acknowledged once its row is committed: polled, since progress events are throttled.
    const poll = () => {
      for (const r of results.all(evalId)) {
        if (seen.has(r.key)) continue;
        seen.add(r.key);
        out(`ack ${evalId}/${r.key} ${r.run_id ?? '-'}`);
      }
    };
    const timer = setInterval(poll, 4);
    await core.evals.wait(evalId);
    clearInterval(timer);
    poll();
  }
}

async function audit(c: Extract<ChildConfig, { path: 'audit' }>): Promise<void> {
  const head = core.db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM audit_log');
  const base = core.guard.policy();
  for (let i = 0; i < MAX_WRITES; i++) {
    if (i % 4 === 3) {
      // A refused command is audited too (kind 'denied').
      out(`send denied-${i} -`);
      await core.dispatch('targets.remove', { targetId: 'x' }, { profileId: c.labelerId });
    } else {
      out(`send policy-${i} -`);
      await core.invoke('guard.setPolicy', {
        policy: { ...base, output: { rules: [{ kind: 'maxLength', name: `${config.tag}-${i}`, action: 'flag', enabled: true, chars: 1000 + i }] } },
      });
    }
    out(`ack ${head.get()?.seq ?? 0} -`);
  }
}

const paths = { labels, import: imports, runs, evals, audit } as const;
await (paths[config.path] as (c: ChildConfig) => Promise<void>)(config);
await core.close();
out('done');
