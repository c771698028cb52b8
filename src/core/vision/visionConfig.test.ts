// What the vision engine refuses before anything starts (a bad binary, a text model as the projector; the
// mismatched pair is in vision.image.test.ts), where the binary comes from, and that the server dies with a
// parent killed without warning.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { builtServer } from '../llamaServer/buildServer';
import { openTestCore, tempDir } from '../testing/testCore';
import { resolveServerBinary } from './serverBinary';
import { gpuLayersArg } from './visionEngine';

const settings = LoadSettings.parse({ gpu: 'cpu', threads: 1, contextSize: 512 });
let core: Core;
let modelId: string;
let modelPath: string;
let binary: string;
const dir = tempDir('lamplight-vision-');

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

beforeAll(async () => {
  binary = builtServer('cpu')!;
  if (!binary) throw new Error('llama-server is not built: run `npx lamplight engine build-server`');
  modelPath = (await ensureFixtureModels(undefined, ['tinyQ8_0'])).tinyQ8_0;
  core = openTestCore({ serverBin: binary });
  modelId = (await core.invoke('models.add', { path: modelPath })).id;
}, 120_000);

afterAll(async () => {
  await core?.close();
});

describe('vision engine: refused before starting', () => {
  it('a missing or non-executable binary is refused naming it, and the setting is kept as it was', async () => {
    await expect(core.invoke('vision.setServerBinary', { path: join(dir, 'no-such-llama-server') })).rejects.toThrow(/does not exist: .*no-such-llama-server/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, '#!/bin/sh\n');
    chmodSync(plain, 0o644);
    await expect(core.invoke('vision.setServerBinary', { path: plain })).rejects.toThrow(/not executable: .*not-executable/);
    const st = await core.invoke('vision.status', {});
    expect(st.binary).toBe(binary);
    expect(st.binarySource).toBe('flag');
    // Settings wins over the flag once set, and null goes back.
    expect((await core.invoke('vision.setServerBinary', { path: binary })).binarySource).toBe('settings');
    expect((await core.invoke('vision.setServerBinary', { path: null })).binarySource).toBe('flag');
  });

  it('a flag that points nowhere fails the load with the path and the state stays stopped', async () => {
    const bad = openTestCore({ serverBin: join(dir, 'gone', 'llama-server') });
    try {
      const id = (await bad.invoke('models.add', { path: modelPath })).id;
      await expect(bad.vision.load(id, null, settings)).rejects.toThrow(/--server-bin does not exist: .*gone\/llama-server/);
      expect(bad.vision.status().state).toBe('stopped');
      expect(bad.vision.status().error).toMatch(/gone\/llama-server/);
    } finally {
      await bad.close();
    }
  });

  it('without any binary the error says how to build or point to one', async () => {
    await expect(resolveServerBinary({ setting: null, flag: null, gpu: 'cpu', env: { PATH: dir }, cacheDir: dir })).rejects.toThrow(/build-server.*--server-bin/s);
  });

  it('a text model given as the projector is refused naming the file, and nothing starts', async () => {
    await expect(core.invoke('vision.load', { modelId, projectorPath: modelPath, settings })).rejects.toThrow(/tiny-q8_0.*"llama" model/);
    expect(core.vision.status()).toMatchObject({ state: 'stopped', pid: null });
  });

  it('maps gpuLayers: all layers on a GPU build for auto/max, 0 on CPU, a number as given', () => {
    const s = (o: object) => LoadSettings.parse(o);
    expect(gpuLayersArg(s({ gpu: 'cuda', gpuLayers: 'max' }), 'gpu', 24)).toBe(25);
    expect(gpuLayersArg(s({ gpu: 'auto' }), 'gpu', null)).toBe(999);
    expect(gpuLayersArg(s({ gpu: 'auto', gpuLayers: 'max' }), 'cpu', 24)).toBe(0);
    expect(gpuLayersArg(s({ gpu: 'cpu', gpuLayers: 10 }), 'gpu', 24)).toBe(0);
    expect(gpuLayersArg(s({ gpu: 'vulkan', gpuLayers: 10 }), 'gpu', 24)).toBe(10);
  });
});

describe('no orphan', () => {
  it('the server dies with a parent killed by SIGKILL (no exit handlers ran)', async () => {
    // .mts: a temp folder has no package.json saying "module", and the script awaits at top level.
    const script = join(dir, 'parent.mts');
    const proc = fileURLToPath(new URL('../llamaServer/llamaServerProcess.ts', import.meta.url));
    writeFileSync(
      script,
      `import { startLlamaServer } from ${JSON.stringify(proc)};\n` +
        `const s = await startLlamaServer({ binary: ${JSON.stringify(binary)}, model: ${JSON.stringify(modelPath)}, threads: 1, contextSize: 512, watchdog: true });\n` +
        `console.log('PID ' + s.child.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', (c) => reject(new Error(`parent exited (${c}) before the server was ready`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const end = Date.now() + 15_000;
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  }, 120_000);
});
