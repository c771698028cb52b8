// A generated corpus of malformed GGUF files through the real paths: `models add` on a real core, load and
// a short run in the real worker for whatever add accepts, and the real CLI. Every file must end in a
// refusal naming it or a contained error, within 2 s, and the core and its database must survive.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, open, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore, tempDir } from '../testing/testCore';
import { writeHostileCorpus, type HostileCase } from './testing/hostileGguf';

const BUDGET_MS = 2000;
const LOADED_MS = 10_000;
const LOAD = { gpu: 'cpu', contextSize: 128, threads: 1, batchSize: 64 } as const;
const close = closeAfterEach();

let cases: HostileCase[];
let good: string;

const corpusDirs: string[] = [];
function corpusDir(): string {
  const d = tempDir('lamplight-hostile-');
  corpusDirs.push(d);
  return d;
}

beforeAll(async () => {
  cases = await writeHostileCorpus(corpusDir());
  good = (await ensureFixtureModels(undefined, ['tinyQ8_0'])).tinyQ8_0;
});

// The corpus holds sparse files of tens of GiB (holes, no disk): do not leave them behind.
afterAll(async () => {
  await Promise.all(corpusDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function timed<T>(p: Promise<T>): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: Error & { code?: string }; ms: number }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (e) {
    return { ok: false, error: e as Error, ms: performance.now() - t0 };
  }
}

async function runsAndFinishes(c: Core, modelId: string): Promise<{ stopReason: string; ms: number }> {
  const t0 = performance.now();
  const { runId } = await c.invoke('runs.start', { modelId, userMessage: 'hi', params: { temperature: 0, seed: 1, maxTokens: 4 } });
  const rec = await c.runs.wait(runId);
  return { stopReason: rec.stopReason ?? 'none', ms: performance.now() - t0 };
}

describe('a corpus of hostile GGUF files', () => {
  it('is refused at add with the file and the reason, or contained at load and run; the core and database survive', async () => {
    const c = close.core(openTestCore());
    // The worker starts once, on a good model, so the per-file budget measures the file, not a process start.
    const warm = await c.invoke('models.add', { path: good });
    expect((await c.invoke('engine.load', { modelId: warm.id, settings: LOAD })).state).toBe('ready');

    const tally = { files: cases.length, refusedAtAdd: 0, loadFailed: 0, crashed: 0, ran: 0, maxAddMs: 0, maxLoadMs: 0, maxRunMs: 0 };
    const slow: string[] = [];
    const loads: string[] = [];
    for (const k of cases) {
      const name = basename(k.file);
      const add = await timed(c.invoke('models.add', { path: k.file }));
      tally.maxAddMs = Math.max(tally.maxAddMs, add.ms);
      if (add.ms > BUDGET_MS) slow.push(`${name}: add took ${Math.round(add.ms)} ms`);
      if (!add.ok) {
        tally.refusedAtAdd++;
        expect(add.error.code, name).toBe('MODEL_INVALID');
        expect(add.error.message.startsWith(`${name}: `), add.error.message).toBe(true);
        expect(add.error.message, `${name} (${k.what})`).toMatch(k.refuse ?? /^$/);
        continue;
      }
      expect(k.refuse, `${name} (${k.what}) was accepted`).toBeNull();
      const load = await timed(c.invoke('engine.load', { modelId: add.value.id, settings: LOAD }));
      tally.maxLoadMs = Math.max(tally.maxLoadMs, load.ms);
      loads.push(`${Math.round(load.ms)} ms: ${load.ok ? `${name} loaded` : `${load.error.code} ${load.error.message}`}`);
      // A failed load must be as quick as a refusal; a load that succeeds is a normal load, bounded only against hangs.
      if (load.ms > (load.ok ? LOADED_MS : BUDGET_MS)) slow.push(`${name}: load took ${Math.round(load.ms)} ms`);
      if (!load.ok) {
        expect(load.error.code, name).toMatch(/^(MODEL_INVALID|ENGINE|ENGINE_CRASHED)$/);
        expect(load.error.message.startsWith(`${name}: `), load.error.message).toBe(true);
        if (load.error.code === 'ENGINE_CRASHED') {
          tally.crashed++;
          expect(c.engine.status.state).toBe('crashed');
          await c.invoke('engine.restart', {}); // the Restart button; a fresh worker is not this file's time
        } else {
          tally.loadFailed++;
          expect(c.engine.status.state).toBe('idle');
        }
        continue;
      }
      const run = await runsAndFinishes(c, add.value.id);
      loads.push(`  ran in ${Math.round(run.ms)} ms: ${run.stopReason}`);
      tally.maxRunMs = Math.max(tally.maxRunMs, run.ms);
      if (run.ms > BUDGET_MS) slow.push(`${name}: run took ${Math.round(run.ms)} ms`);
      tally.ran++;
      // Each hostile load starts from no model: a failed load after a good one reloads the good one (the user
      // keeps it), which is a normal load and not this file's time.
      await c.invoke('engine.unload', {});
    }
    console.info('hostile GGUF corpus:', JSON.stringify({ ...tally, maxAddMs: Math.round(tally.maxAddMs), maxLoadMs: Math.round(tally.maxLoadMs), maxRunMs: Math.round(tally.maxRunMs) }));
    console.info('loads:\n' + loads.join('\n'));
    expect(slow).toEqual([]);
    expect(tally.refusedAtAdd).toBeGreaterThan(cases.length - 12);

    expect(c.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const st = await c.invoke('engine.load', { modelId: warm.id, settings: LOAD });
    expect(st.state).toBe('ready');
    const after = await runsAndFinishes(c, warm.id);
    expect(after.stopReason).toMatch(/^(maxTokens|eos)$/);
  });

  it('a file that turns hostile after it was added fails to load at once instead of hanging the worker', async () => {
    const dir = corpusDir();
    const file = join(dir, 'swapped.gguf');
    await copyFile(good, file);
    const c = close.core(openTestCore());
    const m = await c.invoke('models.add', { path: file });
    const buf = Buffer.alloc(64);
    buf.write('GGUF', 0, 'latin1');
    buf.writeUInt32LE(3, 4);
    buf.writeBigUInt64LE(1n, 8);
    buf.writeBigUInt64LE(2n ** 40n, 16); // node-llama-cpp's reader would loop over 2^40 entries of zeros
    await writeFile(file, buf);
    const load = await timed(c.invoke('engine.load', { modelId: m.id, settings: LOAD }));
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.error.message).toMatch(/^swapped\.gguf: the metadata count is 1,099,511,627,776/);
    expect(c.engine.status.state).toBe('idle');
  });
});

describe('the corpus generator', () => {
  it('writes the same bytes every time', async () => {
    // The first MiB and the size: the sparse files are tens of GiB of holes.
    const digest = async (ks: HostileCase[]) =>
      Promise.all(
        ks.map(async (k) => {
          const fh = await open(k.file, 'r');
          const { buffer, bytesRead } = await fh.read(Buffer.alloc(1 << 20), 0, 1 << 20, 0);
          const { size } = await fh.stat();
          await fh.close();
          return `${basename(k.file)} ${size} ${createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex')}`;
        }),
      );
    const again = await writeHostileCorpus(corpusDir());
    expect(await digest(again)).toEqual(await digest(cases));
  });
});

describe('the CLI on hostile files', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const bin = join(root, 'bin', 'lamplight.mjs');

  function cli(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, err })));
  }

  it('models add exits 1 naming the file and the reason, never killed by a signal', async () => {
    const pick = [/tensor-count-2_63/, /strlen-value-general\.name-2_62/, /arch-unknown/, /float-.*NaN/];
    const dataDir = corpusDir();
    for (const re of pick) {
      const k = cases.find((x) => re.test(x.file)) as HostileCase;
      const name = basename(k.file);
      const r = await cli(['--data-dir', dataDir, 'models', 'add', k.file]);
      expect(r.signal, name).toBeNull();
      expect(r.code, `${name}: ${r.err}`).toBe(1);
      expect(r.err).toContain(`lamplight models: ${name}: `);
      expect(r.err).toMatch(k.refuse as RegExp);
    }
  });
});
