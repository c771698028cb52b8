// `lamplight bench` in-process: --target-url against the scheduled loopback server (no stored target, the
// key sent but never stored nor printed), --json output shape, --out, --prompts, and usage errors.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScheduledServer, type ScheduledServer } from '../core/bench/testing/scheduledServer';
import { openTestCore, tempDir } from '../core/testing/testCore';
// main first: commands import UsageError from it, so it must start the cycle (as the bin does).
import { main } from './main';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

const servers: ScheduledServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const KEY = 'sk-bench-secret-123';

describe('lamplight bench', () => {
  it('benchmarks a URL with --json, sends the key, and stores neither the key nor the target', async () => {
    const server = await startScheduledServer({ firstMs: 40, everyMs: 10, tokens: 5, apiKey: KEY });
    servers.push(server);
    const dir = tempDir();
    const outFile = join(dir, 'report.json');
    const r = await cli('--data-dir', dir, 'bench', '--target-url', server.baseUrl, '--model', 'm', '--key', KEY, '--requests', '8', '--concurrency', '2', '--input-len', '16', '--output-len', '5', '--json', '--out', outFile);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { state: string; results: Record<string, unknown>[] };
    expect(report.state).toBe('done');
    expect(report.results).toHaveLength(1);
    const cell = report.results[0]!;
    for (const k of ['ttftMs', 'tpotMs', 'itlMs', 'e2elMs']) expect(Object.keys(cell[k] as object).sort()).toEqual(['mean', 'median', 'p90', 'p95', 'p99']);
    for (const k of ['requestThroughput', 'outputThroughput', 'totalTokenThroughput', 'goodput', 'completed', 'failed']) expect(typeof cell[k]).toBe('number');
    expect(cell.completed).toBe(8);
    expect(cell.failed).toBe(0);
    expect((cell.ttftMs as { median: number }).median).toBeGreaterThanOrEqual(39);
    expect(JSON.parse(readFileSync(outFile, 'utf8')).run.results).toHaveLength(1);

    const stats = await server.stats();
    expect(stats.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
    // Nothing in the data folder or the output holds the key; the temporary target is gone.
    expect(r.out).not.toContain(KEY);
    // Every file, in every folder the core made (images/, …).
    for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) expect(readFileSync(join(f.parentPath, f.name)).includes(KEY)).toBe(false);
    const core = openTestCore({ dataDir: dir });
    try {
      expect(await core.invoke('targets.list', {})).toEqual([]);
      expect((await core.invoke('bench.list', { limit: 5 })).map((b) => b.state)).toEqual(['done']);
      // Its AI calls are audited and checkpointed with the workspace's key (not one kept in memory and lost).
      const verified = await core.invoke('audit.verify', {});
      expect(verified).toMatchObject({ ok: true, headSeq: verified.count, checkpointSeq: verified.count });
      expect(verified.count).toBeGreaterThanOrEqual(8);
    } finally {
      await core.close();
    }
  });

  it('reads --prompts and runs Poisson arrivals with --rate', async () => {
    const server = await startScheduledServer({ firstMs: 5, everyMs: 2, tokens: 3 });
    servers.push(server);
    const dir = tempDir();
    const prompts = join(dir, 'p.jsonl');
    writeFileSync(prompts, '{"prompt": "one"}\n"two"\nthree\n');
    const r = await cli('--data-dir', dir, 'bench', '--target-url', server.baseUrl, '--model', 'm', '--prompts', prompts, '--requests', '6', '--rate', '50', '--concurrency', '3', '--warmup', '0', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { results: { completed: number; load: { kind: string } }[] };
    expect(report.results[0]!.completed).toBe(6);
    expect(report.results[0]!.load.kind).toBe('rate');
    const users = (await server.stats()).bodies.map((b) => ((b as { messages: { content: string }[] }).messages.at(-1) as { content: string }).content);
    // Poisson arrivals may overtake each other on a loaded machine: the prompts, cycled, not their order.
    expect([...users].sort()).toEqual(['one', 'one', 'three', 'three', 'two', 'two']);
  });

  it('refuses wrong calls with exit code 2', async () => {
    expect((await cli('--data-dir', tempDir(), 'bench')).code).toBe(2);
    expect((await cli('--data-dir', tempDir(), 'bench', '--target-url', 'http://127.0.0.1:1/v1')).code).toBe(2);
    expect((await cli('--data-dir', tempDir(), 'bench', '--target-url', 'http://127.0.0.1:1/v1', '--model', 'm', '--concurrency', 'x')).code).toBe(2);
  });
});
