// bench:server --soak: 1,000 streamed requests (250 each at concurrency 1, 2, 4, 8; 32 output tokens) sent
// through Lamplight's own remote client (the latency lab, bench.start with a remote target) to llama-server
// and to Lamplight's API server, with pauses longer than the servers' keep-alive timeout (5 s) between
// bursts so pooled sockets go idle and are closed by the server. Failed requests and retries are counted apart.
import { rmSync } from 'node:fs';
import type { BenchRun } from '../src/shared/bench.schema';
import { createCore } from '../src/core/createCore';
import type { SecretStore } from '../src/core/secrets/secretStore';
import { tempDir } from '../src/core/testing/testCore';
import { startLamplight, startLlama, type RunningServer, type ServerSpec } from './benchServers';

const LEVELS = [1, 2, 4, 8];
const PAUSE_MS = 6_500;

export interface SoakReport {
  server: string;
  requests: number;
  failed: number;
  /** Requests that needed more than one attempt, and the extra attempts in all. */
  retriedRequests: number;
  retries: number;
  errors: string[];
  perLevel: { concurrency: number; completed: number; failed: number; outputTokPerSec: number }[];
}

function memorySecrets(): SecretStore {
  const m = new Map<string, string>();
  return { description: 'memory (bench)', get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v), delete: (k) => void m.delete(k) };
}

async function soakOne(server: RunningServer, log: (s: string) => void, perLevel: number): Promise<SoakReport> {
  const dataDir = tempDir('lamplight-soak-');
  const core = createCore({ dataDir, version: '0.0.0-bench', transport: 'browser-host', secrets: memorySecrets() });
  try {
    const t = await core.invoke('targets.add', { name: server.name, baseUrls: [server.baseUrl], apiKey: server.key });
    const report: SoakReport = { server: server.name, requests: 0, failed: 0, retriedRequests: 0, retries: 0, errors: [], perLevel: [] };
    for (const c of LEVELS) {
      const { benchId } = await core.invoke('bench.start', {
        name: `soak ${server.name} c=${c}`,
        targets: [{ target: { kind: 'remote', targetId: t.id, model: server.model } }],
        workload: { kind: 'synthetic', inputLen: 32, outputLen: 32, seed: c },
        loads: [{ kind: 'concurrency', concurrency: c }],
        warmupRequests: 0,
        requests: perLevel,
      });
      const run: BenchRun = await core.bench.wait(benchId);
      const r = run.results[0];
      if (!r) throw new Error(`soak ${server.name} c=${c}: no result (${run.state}: ${run.error ?? ''})`);
      report.requests += r.completed + r.failed;
      report.failed += r.failed;
      report.errors.push(...r.errors);
      report.perLevel.push({ concurrency: c, completed: r.completed, failed: r.failed, outputTokPerSec: Math.round(r.outputThroughput * 10) / 10 });
      log(`soak ${server.name} c=${c}: ${r.completed} ok, ${r.failed} failed, ${r.outputThroughput.toFixed(1)} tok/s`);
      // Let keep-alive sockets go idle past the server's timeout before the next burst.
      await new Promise((res) => setTimeout(res, PAUSE_MS));
    }
    // Every request is a stored run with its number of attempts.
    const runs = await core.invoke('runs.list', { limit: 1000 });
    for (const s of runs) {
      const rec = core.runs.get(s.id);
      if (rec.source !== 'bench') continue;
      const extra = Math.max(0, (rec.attempts ?? 1) - 1);
      if (extra > 0) report.retriedRequests++;
      report.retries += extra;
    }
    report.errors = [...new Set(report.errors)].slice(0, 10);
    return report;
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Soaks llama-server, then Lamplight's own server (never both busy at once). */
export async function soak(spec: ServerSpec, log: (s: string) => void, perLevel = 250): Promise<SoakReport[]> {
  const reports: SoakReport[] = [];
  for (const start of [startLlama, startLamplight]) {
    const server = await start(spec);
    try {
      reports.push(await soakOne(server, log, perLevel));
    } finally {
      await server.stop();
    }
  }
  return reports;
}
