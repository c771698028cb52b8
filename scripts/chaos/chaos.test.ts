// The chaos harness itself: a few real kills on two paths come back clean, and its checks do catch a lost
// label and an unaudited policy when the database is made to hold them.
import { describe, expect, it } from 'vitest';
import { openTestCore, tempDir } from '../../src/core/testing/testCore';
import { closeAfterEach } from '../../src/core/testing/closeAfterEach';
import { parseArgs, runChaos } from './chaos';
import { prepareChild } from './childRunner';
import { setupPath } from './chaosPaths';

const opened = closeAfterEach();

describe('chaos harness', () => {
  it('bundles the child with node-llama-cpp stubbed (a core module importing a name the stub lacks falls back to slow tsx starts)', async () => {
    expect((await prepareChild()).execArgv).toEqual([]);
  });

  it('kills a child labeling and one appending audit records, and finds nothing lost after each restart', async () => {
    const r = await runChaos({ iterations: 4, paths: ['labels', 'audit'], seed: 7, cliEvery: 1000 });
    expect(r.paths.map((p) => p.path)).toEqual(['labels', 'audit']);
    for (const p of r.paths) {
      expect(p.problems).toEqual([]);
      expect(p.iterations).toBe(4);
      // Kills land mid-write, after acknowledged writes, and the real CLI verified the log once.
      expect(p.killsAfterFirstAck).toBeGreaterThan(0);
      expect(p.ackedWrites).toBeGreaterThan(0);
      expect(p.cliVerifies).toBe(1);
    }
    expect(r.total).toMatchObject({ iterations: 8, writesLost: 0, integrityFailures: 0, verifyFailures: 0, broken: 0, childFailures: 0 });
    expect(r.ok).toBe(true);
  }, 120_000);

  it('reports an acknowledged label the database does not hold, and a policy stored without its record', async () => {
    const dir = tempDir('lamplight-chaos-check-');
    const core = opened.core(openTestCore({ dataDir: dir }));
    const labels = await setupPath('labels', core, dir, 'http://127.0.0.1:9/v1');
    const row = (await core.invoke('datasets.rows', { datasetId: (await core.invoke('datasets.list', {}))[0]?.id as string, limit: 1 })).rows[0]?.id as number;
    const at = (kind: 'send' | 'ack', ...words: string[]) => ({ kind, words, atMs: 0 });
    const lost = await labels.check(core, [at('send', String(row), 'x-3'), at('ack', String(row), 'x-3')]);
    expect(lost.acked).toBe(1);
    expect(lost.lost).toEqual([`row ${row}: label "x-3" was acknowledged, the database has null`]);

    const audit = await setupPath('audit', core, dir, 'http://127.0.0.1:9/v1');
    expect((await audit.check(core, [])).broken).toEqual([]);
    // A policy saved the way a kill before its record would leave it.
    core.db.prepare("INSERT INTO guard_policy (id, policy_json, updated_at, updated_by) VALUES (1, '{}', 0, NULL) ON CONFLICT (id) DO UPDATE SET policy_json = '{}'").run();
    const r = await audit.check(core, []);
    expect(r.broken).toHaveLength(1);
    expect(r.broken[0]).toMatch(/has no audit record: its change went unaudited/);
  });

  it('refuses unknown options and paths with the reason', () => {
    expect(parseArgs(['--json', '--iterations', '5', '--paths', 'runs,evals'])).toMatchObject({ json: true, iterations: 5, paths: ['runs', 'evals'] });
    expect(() => parseArgs(['--paths', 'labels,disks'])).toThrow('--paths: unknown path disks (known: labels, import, runs, evals, audit)');
    expect(() => parseArgs(['--iterations', '0'])).toThrow('--iterations: expected an integer ≥ 1, got "0"');
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });
});
