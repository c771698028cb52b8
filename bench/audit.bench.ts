// bench:audit — the hash-chained audit log on a real database file: append rate (each append is its own
// IMMEDIATE transaction, hash, and HMAC checkpoint file write, as in the app), full-chain verify rate, a
// filtered first page (newest first, with its total), and JSONL export throughput.
//   npx tsx bench/audit.bench.ts [--json] [--records N] [--queries N]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openDb } from '../src/core/db/openDb';
import { AuditLog, type NewAuditEntry } from '../src/core/guard/auditLog';
import { FileSecretStore } from '../src/core/secrets/secretStore';
import { Mulberry32 } from '../src/shared/prng';
import type { AuditFilter } from '../src/shared/guard.schema';
import { pct, progressLog, round } from './benchUtil';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    records: { type: 'string', default: '20000' },
    queries: { type: 'string', default: '200' },
  },
});
const N = Number(values.records);
const QUERIES = Number(values.queries);
const log = progressLog(values.json);

const prng = new Mulberry32(20261124);
const rnd = () => prng.nextUint32() / 2 ** 32;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const hex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
const PATHS = ['playground', 'compare', 'eval', 'dataset', 'bench', 'api', 'cli'] as const;
const PROFILES = ['01JPROFILEOWNER0000000000A', '01JPROFILEANALYST000000000B', '01JPROFILELABELER000000000C'];

/** Bodies shaped like the app's: mostly remote calls with parameters, some masked PII, some failures. */
function entry(i: number): NewAuditEntry {
  const remote = rnd() < 0.7;
  const masked = remote && rnd() < 0.2;
  const r = rnd();
  const finishReason = r < 0.03 ? 'abort' : r < 0.06 ? null : r < 0.08 ? 'blocked' : pick(['stop', 'stop', 'stop', 'length']);
  const start = 1_790_000_000_000 + i * 1500;
  return {
    kind: r > 0.99 ? 'denied' : 'ai_call',
    startedAt: start,
    endedAt: start + Math.floor(200 + rnd() * 8000),
    profileId: pick(PROFILES),
    profileName: pick(['Owner', 'Analyst Li', 'Labeler Wang']),
    role: pick(['admin', 'analyst', 'labeler'] as const),
    path: pick(PATHS),
    target: remote
      ? { kind: 'remote', targetId: '01JTARGET00000000000000001', targetName: pick(['GPU box', 'vLLM cluster', 'Partner API']), endpoints: [`http://10.0.${Math.floor(rnd() * 4)}.12:8000/v1`], model: pick(['Qwen2.5-72B-Instruct', 'deepseek-v3', 'glm-4-9b-chat']) }
      : { kind: 'local', modelId: '01JMODEL000000000000000001', modelName: 'qwen2.5-7b-instruct-q4_k_m.gguf', modelSha256: hex(), adapters: rnd() < 0.3 ? [{ name: 'support-lora', sha256: hex(), scale: 1 }] : [] },
    params: { temperature: round(rnd(), 2), top_p: 0.9, max_tokens: pick([256, 512, 1024]), seed: Math.floor(rnd() * 1e6) },
    promptVersionId: rnd() < 0.5 ? `01JPROMPTVERSION${String(i % 1000).padStart(10, '0')}` : null,
    runId: `01JRUN${String(i).padStart(20, '0')}`,
    inputHash: hex(),
    outputHash: finishReason === null ? null : hex(),
    pii: masked ? { action: 'mask', counts: { phone: 1 + Math.floor(rnd() * 3), id_card: Math.floor(rnd() * 2) } } : remote ? { action: 'mask', counts: {} } : null,
    decisions: [...(masked ? ['pii: masked phone numbers and id cards before sending to GPU box'] : []), ...(rnd() < 0.05 ? ['output: flagged by rule "no internal hostnames"'] : [])],
    promptTokens: Math.floor(50 + rnd() * 2000),
    completionTokens: Math.floor(rnd() * 800),
    finishReason,
    error: finishReason === null ? 'connect ECONNREFUSED 10.0.1.12:8000' : finishReason === 'abort' ? 'cancelled by the user' : null,
  };
}

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-bench-audit-'));
  try {
    const db = openDb(join(dir, 'lamplight.db'));
    const audit = new AuditLog(db, { dataDir: dir, secrets: new FileSecretStore(dir) });
    const entries = Array.from({ length: N }, (_, i) => entry(i));
    const t0 = performance.now();
    for (const e of entries) audit.append(e);
    const appendMs = performance.now() - t0;
    log(`append: ${N} in ${(appendMs / 1000).toFixed(2)} s`);

    const t1 = performance.now();
    const v = audit.verify();
    const verifyMs = performance.now() - t1;
    if (!v.ok || v.count !== N) throw new Error(`verify failed: ${v.message}`);
    log(`verify: ${(verifyMs / 1000).toFixed(2)} s`);

    const filters: AuditFilter[] = [{ outcome: 'masked' }, { path: 'eval' }, { target: 'qwen' }, { profileId: PROFILES[1] as string, outcome: 'error' }, { kind: 'denied' }];
    const lat: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const f = filters[q % filters.length] as AuditFilter;
      const s = performance.now();
      audit.list(f, 200);
      lat.push(performance.now() - s);
    }
    const out = join(dir, 'audit.jsonl');
    const t2 = performance.now();
    const exp = audit.exportJsonl(out, {});
    const exportMs = performance.now() - t2;
    const bytes = statSync(out).size;
    const dbBytes = statSync(join(dir, 'lamplight.db')).size;
    db.close();

    const result = {
      bench: 'audit',
      records: N,
      append: { ms: Math.round(appendMs), recordsPerSec: Math.round(N / (appendMs / 1000)), usPerRecord: round((appendMs * 1000) / N, 1) },
      verify: { ms: Math.round(verifyMs), recordsPerSec: Math.round(N / (verifyMs / 1000)) },
      listFiltered: { queries: QUERIES, limit: 200, p50Ms: round(pct(lat, 50)), p95Ms: round(pct(lat, 95)), maxMs: round(Math.max(...lat)) },
      export: { records: exp.count, mb: round(bytes / 1e6, 1), ms: Math.round(exportMs), mbPerSec: round(bytes / 1e6 / (exportMs / 1000), 1) },
      avgRecordBytes: Math.round(bytes / exp.count),
      dbMb: round(dbBytes / 1e6, 1),
    };
    process.stdout.write(JSON.stringify(result, null, values.json ? 0 : 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
