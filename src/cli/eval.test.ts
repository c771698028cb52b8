// `lamplight eval` in-process over a real core: usage errors exit 2 before anything runs, a failed
// threshold exits 1 and names the column, a passing run exits 0; remote targets on the fault server,
// local ones on the tiny generated model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../core/fixtures/ensureFixtures';
import type { EvalExport } from '../core/evals/evalResults';
import { openEvalCore, savePrompt, type EvalTestCore } from '../core/evals/testing';
import { sseStream, startFaultServer, type FaultServer } from '../core/remote/testing/faultServer';
import { tempDir } from '../core/testing/testCore';
// main first: commands import UsageError from it, so it must start the cycle (as the bin does).
import { main } from './main';
import { evalCommand } from './eval';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

let fx: { tinyQ8_0: string };
const servers: FaultServer[] = [];
const cores: EvalTestCore[] = [];
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return p;
}

const say = (text: string) => sseStream({ tokens: [text] });
const tests = Array.from({ length: 4 }, (_, i) => ({ vars: { q: `q${i}` }, expected: 'ok' }));

/** A right on 1 of 4 rows, B on all 4; cells run row by row, A then B (remote concurrency 1). */
async function abConfig(dir: string, extra: Record<string, unknown> = {}) {
  const server = await startFaultServer(tests.flatMap((_, i) => [say(i === 0 ? 'ok' : 'nope'), say('ok')]));
  servers.push(server);
  return writeJson(dir, 'eval.json', {
    name: 'ci gate',
    prompts: [
      { name: 'Terse', messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0 } },
      { name: 'Careful', messages: [{ role: 'system', content: 'Think first.' }, { role: 'user', content: 'Answer {{q}}' }] },
    ],
    targets: [{ targetUrl: server.baseUrl, model: 'm' }],
    tests,
    assertions: [{ type: 'equals' }],
    concurrency: { remote: 1 },
    ...extra,
  });
}

/** The command over an open test core (the CLI opens its own; this lets several runs share one database). */
async function runWith(t: EvalTestCore, ...args: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await evalCommand.run({ args, dataDir: t.core.dataDir, version: '0.0.0-test', out: (s) => void (out += s), err: (s) => void (err += s), openCore: () => t.core });
  return { code, out, err };
}

describe('lamplight eval: usage', () => {
  it('--help documents the config file and the exit codes', async () => {
    const r = await cli('eval', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: lamplight eval --config FILE.json');
    expect(r.out).toContain('"testSetPath"');
    expect(r.out).toContain('Exit status: 0');
    expect((await cli('--help')).out).toMatch(/^ {2}eval\b/m);
  });

  it('exits 2, saying what is wrong, for bad flags and files that cannot run', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const run = (...args: string[]) => cli('--data-dir', dataDir, 'eval', ...args);
    const cases: [string[], RegExp][] = [
      [[], /give --config FILE or --id EVAL_ID/],
      [['--config', 'a.json', '--id', 'x'], /one of them/],
      [['--config', join(dir, 'missing.json')], /cannot read --config .*missing\.json": no such file/],
      [['--config', writeJson(dir, 'bad.json', '{ nope')], /bad\.json" is not JSON/],
      [['--config', writeJson(dir, 'shape.json', { name: 'x', prompts: [], tests: [] })], /prompts: Too small.*tests/],
      [['--config', writeJson(dir, 'ok.json', { name: 'x', prompts: [{ versionId: 'v' }], tests: [{ vars: {} }] }), '--min-pass-rate', '1.5'], /--min-pass-rate must be a number from 0 to 1, got "1.5"/],
      [['--bogus'], /--bogus/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.code, `${args.join(' ')}\n${r.err}`).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain('Usage: lamplight eval');
    }

    // Problems only the core can see are usage errors too, and name the field.
    const server = await startFaultServer([]);
    servers.push(server);
    const missingVar = writeJson(dir, 'vars.json', {
      name: 'x',
      prompts: [{ name: 'P', messages: [{ role: 'user', content: 'Say {{word}}' }] }],
      targets: [{ targetUrl: server.baseUrl, model: 'm' }],
      tests: [{ vars: { other: '1' } }],
      assertions: [{ type: 'isJson' }],
    });
    const r = await cli('--data-dir', tempDir(), 'eval', '--config', missingVar);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/row 1 has no \{\{word\}\} for "P" v1/);
    const badMessages = writeJson(dir, 'msgs.json', { name: 'x', prompts: [{ name: 'P', messages: [{ role: 'assistant', content: 'hi' }] }], tests: [{ vars: {} }] });
    const r2 = await cli('--data-dir', tempDir(), 'eval', '--config', badMessages);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/prompts\.0\.messages\.0\.role: the last message must be the user message/);
    const r3 = await cli('--data-dir', tempDir(), 'eval', '--id', 'NOPE');
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/--id: No evaluation with id NOPE/);
  });
});

describe('lamplight eval: runs', () => {
  it('exits 1 naming the version × target under the threshold; prints the table and the A/B verdict; writes JSON and CSV', async () => {
    const dir = tempDir();
    const config = await abConfig(dir, { thresholds: { minPassRate: 0.5 } });
    const json = join(dir, 'out.json');
    const r = await cli('--data-dir', tempDir(), 'eval', '--config', config, '--json', json, '--csv', join(dir, 'out.csv'));
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/FAIL: threshold minPassRate: "Terse" v1 on 127\.0\.0\.1:\d+ · m: pass rate 25\.0% < min 50\.0% \(1\/4\)/);
    expect(r.err).not.toMatch(/Careful.*pass rate/);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^PROMPT\s+VERSION\s+TARGET\s+PASSED\s+PASS RATE\s+ERRORS\s+TTFT\s+E2E\s+TOKENS$/);
    expect(lines[1]).toMatch(/^Terse\s+v1\s+127\.0\.0\.1:\d+ · m\s+1\/4\s+25\.0%\s+0\s+\d+ ms\s+\d+ ms\s+1\.0$/);
    expect(lines[2]).toMatch(/^Careful\s+v1\s+.*4\/4\s+100\.0%/);
    expect(r.out).toContain('A/B "Terse" v1 (A) vs "Careful" v1 (B) on 127.0.0.1');
    // 3 of 4 rows flip to B: McNemar p = 0.25, so no claim.
    expect(r.out).toMatch(/: no significant difference\n {2}A passes 1\/4, B passes 4\/4; McNemar p = 0\.250/);
    const j = JSON.parse(readFileSync(json, 'utf8')) as EvalExport;
    expect(j.thresholds).toMatchObject({ minPassRate: 0.5, complete: true, passed: false });
    expect(j.rows).toHaveLength(4);
    expect(j.rows[1]?.cells.map((c) => c?.output)).toEqual(['nope', 'ok']);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').split('\r\n')).toHaveLength(1 + 8 + 1);
  });

  it('exits 0 when the thresholds pass, --min-pass-rate overriding the file; prompts are reused by name or get a new version', async () => {
    const t = openEvalCore();
    cores.push(t);
    const dir = tempDir();
    const first = await runWith(t, '--config', await abConfig(dir, { thresholds: { minPassRate: 0.9 } }), '--min-pass-rate', '0.25');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain('OK: every version × target passes at least 25.0%');

    const again = await runWith(t, '--config', await abConfig(dir, { thresholds: { minPassRate: 0.9 } }));
    expect(again.code).toBe(1);
    const changed = await abConfig(dir, {
      prompts: [
        { name: 'Terse', messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0 } },
        { name: 'careful', messages: [{ role: 'user', content: 'Answer {{q}} slowly' }] },
      ],
    });
    expect((await runWith(t, '--config', changed)).code).toBe(0);
    const [e3, e2, e1] = t.evals.list(10);
    expect(e2?.definition.promptVersionIds).toEqual(e1?.definition.promptVersionIds);
    expect(e3?.definition.promptVersionIds[0]).toBe(e1?.definition.promptVersionIds[0]);
    expect(e3?.columns.map((c) => `${c.promptName} v${c.versionNumber}`)).toEqual(['Terse v1', 'Careful v2']);
  });

  it('--id resumes a stored evaluation, running only the cells not stored yet', async () => {
    const t = openEvalCore();
    cores.push(t);
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Say {{q}}' }] });
    const server = await startFaultServer(tests.map(() => say('ok')));
    servers.push(server);
    const target = await t.core.invoke('targets.add', { name: 'box', baseUrls: [server.baseUrl], maxRetries: 0 });
    const ev = await t.call('evals.create', {
      name: 'resume me',
      promptVersionIds: [v],
      targets: [{ kind: 'remote', targetId: target.id, model: 'm' }],
      rows: tests.map((x) => ({ variables: x.vars, expected: x.expected })),
      assertions: [{ type: 'equals' }],
      concurrency: { remote: 1 },
    });
    const off = t.core.on('runs.finished', () => t.evals.cancel(ev.id));
    t.evals.start(ev.id);
    await t.evals.wait(ev.id);
    off();
    expect(t.evals.get(ev.id)).toMatchObject({ status: 'cancelled', stored: 1 });

    const json = join(tempDir(), 'r.json');
    const { code, out, err } = await runWith(t, '--id', ev.id, '--json', json);
    expect(code, err).toBe(0);
    expect(err).toContain(`Evaluation ${ev.id}: 4 cells, 1 already stored`);
    expect(out).toMatch(/^P\s+v1\s+box · m\s+4\/4\s+100\.0%/m);
    expect(t.evalRuns()).toBe(4);
    expect((JSON.parse(readFileSync(json, 'utf8')) as EvalExport).eval).toMatchObject({ status: 'done', stored: 4 });
  });

  it('adds and loads a local model file, reads tests from CSV, and exits 0', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    writeFileSync(join(dir, 'cases.csv'), 'topic,expected,label\ntides,"a, b",one\n"moons ""big""",c,two\n');
    const config = writeJson(dir, 'local.json', {
      name: 'local smoke',
      prompts: [{ name: 'Explainer', messages: [{ role: 'user', content: 'Tell me about {{topic}}' }], params: { temperature: 0, seed: 1, maxTokens: 6 } }],
      targets: [{ model: fx.tinyQ8_0, settings: { contextSize: 512 } }],
      tests: { testSetPath: 'cases.csv' },
      assertions: [{ type: 'regex', pattern: '.+', flags: 's' }, { type: 'maxLatency', ms: 60_000 }],
      thresholds: { minPassRate: 1 },
    });
    const json = join(dir, 'out.json');
    const r = await cli('--data-dir', dataDir, 'eval', '--config', config, '--json', json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Explainer\s+v1\s+\S+\s+2\/2\s+100\.0%/m);
    const j = JSON.parse(readFileSync(json, 'utf8')) as EvalExport;
    expect(j.rows.map((row) => [row.variables.topic, row.expected, row.label])).toEqual([
      ['tides', 'a, b', 'one'],
      ['moons "big"', 'c', 'two'],
    ]);
    expect(j.eval.columns[0]?.target.kind).toBe('local');
    expect(j.rows.every((row) => row.cells[0]?.runId)).toBe(true);
  });
});
