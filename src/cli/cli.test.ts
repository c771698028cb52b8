// The `lamplight` command: main() in-process with captured output over a real core, and the real bin once
// as a subprocess (version, and `serve` when the UI is built).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../shared/models.schema';
import type { RunRecord } from '../shared/runs.schema';
import type { Core } from '../core/createCore';
import { ensureFixtureModels, FIXTURE_FILES } from '../core/fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { main } from './main';
import { rendererDir } from './serve';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  // main()'s io type is inferred from process.stdout.write, hence the boolean.
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
const cores: Core[] = [];

beforeAll(async () => {
  fx = await ensureFixtureModels();
});
afterAll(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

describe('main() in-process', () => {
  it('--help lists every command and exits 0; no command at all exits 2', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const name of ['serve', 'serve-api', 'models', 'run', 'fixtures']) expect(r.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(r.out).toContain('--data-dir');
    expect((await cli()).code).toBe(2);
    const sub = await cli('run', '--help');
    expect(sub.code).toBe(0);
    expect(sub.out).toContain('--model FILE_OR_ID');
  });

  it('an unknown command or flag exits 2 and says what was wrong', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
    const flag = await cli('--data-dir', tempDir(), 'models', 'list', '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('--bogus');
  });

  it('run without --model exits 2 naming --model, and opens no database', async () => {
    const dataDir = tempDir();
    const r = await cli('--data-dir', dataDir, 'run', '--prompt', 'hi');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--model');
    expect(r.err).toContain('Usage: lamplight run');
    expect(existsSync(`${dataDir}/lamplight.db`)).toBe(false);
    const nan = await cli('--data-dir', dataDir, 'run', '--model', fx.tinyQ8_0, '--prompt', 'x', '--max-tokens', 'lots');
    expect(nan.code).toBe(2);
    expect(nan.err).toContain('--max-tokens must be an integer');
  });

  it('models add --json reads the header, waits for the hash, and models list shows it', async () => {
    const dataDir = tempDir();
    const added = await cli('--data-dir', dataDir, 'models', 'add', fx.tinyQ8_0, '--json');
    expect(added.code, added.err).toBe(0);
    const m = JSON.parse(added.out) as ModelInfo;
    expect(m.metadata.architecture).toBe('llama');
    expect(m.metadata.fileType).toBe('Q8_0');
    expect(m.path).toBe(fx.tinyQ8_0);
    expect(m.hashStatus).toBe('done');
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);

    // --data-dir after the command works too.
    const list = await cli('models', 'list', '--json', '--data-dir', dataDir);
    expect(list.code, list.err).toBe(0);
    expect((JSON.parse(list.out) as ModelInfo[]).map((x) => x.id)).toEqual([m.id]);

    const table = await cli('--data-dir', dataDir, 'models', 'list');
    expect(table.out).toMatch(/^ID\s+FILE\s+ARCH/m);
    expect(table.out).toContain(FIXTURE_FILES.tinyQ8_0);
  });

  it('models add refuses broken files with exit 1, naming the file and the reason', async () => {
    const dataDir = tempDir();
    const notGguf = await cli('--data-dir', dataDir, 'models', 'add', fx.notGguf);
    expect(notGguf.code).toBe(1);
    expect(notGguf.err).toContain(FIXTURE_FILES.notGguf);
    expect(notGguf.err).toContain('not a GGUF');
    const truncated = await cli('--data-dir', dataDir, 'models', 'add', fx.truncated);
    expect(truncated.code).toBe(1);
    expect(truncated.err).toContain('broken-truncated');
    expect(truncated.err).toMatch(/truncated/);
    const list = await cli('--data-dir', dataDir, 'models', 'list', '--json');
    expect(JSON.parse(list.out)).toEqual([]);
  });

  it('run renders variables, generates exactly --max-tokens, and stores a run another core can read', async () => {
    const dataDir = tempDir();
    const r = await cli(
      '--data-dir', dataDir, 'run', '--model', fx.tinyQ8_0, '--prompt', 'Hi {{x}}', '--var', 'x=there',
      '--max-tokens', '8', '--seed', '3', '--temperature', '0', '--json',
    );
    expect(r.code, r.err).toBe(0);
    const rec = JSON.parse(r.out) as RunRecord;
    expect(rec.completionTokens).toBe(8);
    expect(rec.stopReason).toBe('maxTokens');
    expect(rec.output.length).toBeGreaterThan(0);
    expect(rec.error).toBeNull();
    expect(rec.userMessage).toBe('Hi {{x}}');
    expect(rec.variables).toEqual({ x: 'there' });
    expect(rec.renderedPrompt).toContain('Hi there');
    expect(rec.params).toMatchObject({ maxTokens: 8, seed: 3, temperature: 0 });
    expect(rec.loadSettings?.gpu).toBe('cpu');

    const c = openTestCore({ dataDir });
    cores.push(c);
    const runs = await c.invoke('runs.list', {});
    expect(runs.map((x) => x.id)).toEqual([rec.id]);
    expect((await c.invoke('runs.get', { runId: rec.id })).output).toBe(rec.output);
    expect((await c.invoke('models.list', {})).map((m) => m.path)).toEqual([fx.tinyQ8_0]);
  });
});

describe('the bin as a subprocess', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const bin = fileURLToPath(new URL('../../bin/lamplight.mjs', import.meta.url));
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

  function run(args: string[]) {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, exited, out: () => out, err: () => err };
  }

  it('--version prints the package version', async () => {
    const p = run(['--version']);
    const { code } = await p.exited;
    expect(code, p.err()).toBe(0);
    expect(p.out().trim()).toBe(pkg.version);
  });

  it('serve-api loads the model, prints the base URL and a generated key, serves /v1/models, and exits 0 on SIGTERM', async () => {
    const p = run(['serve-api', '--model', fx.tinyQ8_0, '--port', '0', '--threads', '1', '--context', '256', '--gpu', 'cpu', '--data-dir', tempDir()]);
    try {
      const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL and key within 150 s; stdout: ${p.out()} stderr: ${p.err()}`)), 150_000);
        p.child.stdout.on('data', () => {
          const u = /base URL: (http:\/\/127\.0\.0\.1:\d+\/v1)\n/.exec(p.out());
          const k = /key: (\S+)\n/.exec(p.out());
          if (!u || !k) return;
          clearTimeout(t);
          resolve({ url: u[1] as string, key: k[1] as string });
        });
        void p.exited.then(({ code }) => reject(new Error(`serve-api exited early (${code}): ${p.err()}`)));
      });
      const res = await fetch(`${url}/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { id: string; owned_by: string }[] };
      expect(body.data).toEqual([expect.objectContaining({ id: FIXTURE_FILES.tinyQ8_0.replace(/\.gguf$/, ''), owned_by: 'lamplight' })]);
      const denied = await fetch(`${url}/models`, { headers: { authorization: 'Bearer wrong-key' } });
      expect(denied.status).toBe(401);
      await denied.text();
      expect(p.err()).not.toContain(key); // printed once, on stdout, never logged

      p.child.kill('SIGTERM');
      const exit = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      expect(exit, `still running 10 s after SIGTERM; stdout: ${p.out()}`).toEqual({ code: 0, signal: null });
      expect(p.out()).toContain('Stopping');
    } finally {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
  }, 240_000); // a loaded machine can take minutes to start a process and load a model

  it('serve-api with a key of its own does not print it, and refuses bad flags with exit 2', async () => {
    const bad = await cli('--data-dir', tempDir(), 'serve-api', '--model', fx.tinyQ8_0, '--parallel', '17');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--parallel/);
    const noModel = await cli('--data-dir', tempDir(), 'serve-api');
    expect(noModel.code).toBe(2);
    expect(noModel.err).toContain('--model is required');
    const help = await cli('serve-api', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--parallel N');

    const p = run(['serve-api', '--model', fx.tinyQ8_0, '--port', '0', '--key', 'chosen-key-1234', '--threads', '1', '--context', '256', '--gpu', 'cpu', '--data-dir', tempDir()]);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL within 150 s; stderr: ${p.err()}`)), 150_000);
        p.child.stdout.on('data', () => {
          if (!/base URL: /.test(p.out())) return;
          clearTimeout(t);
          resolve();
        });
        void p.exited.then(({ code }) => reject(new Error(`serve-api exited early (${code}): ${p.err()}`)));
      });
      expect(p.out()).not.toContain('chosen-key-1234');
      expect(p.out()).not.toMatch(/key:/);
      p.child.kill('SIGINT');
      expect(await p.exited).toEqual({ code: 0, signal: null });
    } finally {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
  }, 240_000);

  const built = existsSync(`${rendererDir()}/index.html`);
  it.skipIf(!built)('serve --port 0 prints a working URL and exits 0 on SIGTERM (needs out/renderer: npm run build)', async () => {
    const p = run(['serve', '--port', '0', '--data-dir', tempDir()]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL within 150 s; stderr: ${p.err()}`)), 150_000);
        p.child.stdout.on('data', () => {
          const m = /open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(p.out());
          if (!m) return;
          clearTimeout(t);
          resolve(m[1] as string);
        });
        void p.exited.then(({ code }) => reject(new Error(`serve exited early (${code}): ${p.err()}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      await res.text();
      const bare = await fetch(new URL('/', url));
      expect(bare.status).toBe(401);
      await bare.text();

      const t0 = Date.now();
      p.child.kill('SIGTERM');
      const exit = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      expect(exit, `still running 10 s after SIGTERM; stdout: ${p.out()}`).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(p.out()).toContain('Stopping');
    } finally {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
  }, 240_000);
});
