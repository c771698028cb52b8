// `lamplight engine`: the CPU variant choice is checked before anything builds, and the build flags it maps to.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtServer, cmakeFlags } from '../core/llamaServer/buildServer';
import { main } from './main';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

const saved = process.env.LAMPLIGHT_CACHE_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.LAMPLIGHT_CACHE_DIR;
  else process.env.LAMPLIGHT_CACHE_DIR = saved;
});

describe('engine build-server / server-path', () => {
  it('refuses an unknown CPU variant, and --cpu with a GPU backend, before building anything', async () => {
    const bad = await cli('engine', 'build-server', '--cpu', 'turbo');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--cpu must be one of portable, avx512 \(got "turbo"\)/);
    const gpu = await cli('engine', 'build-server', '--gpu', 'cuda', '--cpu', 'avx512');
    expect(gpu.code).toBe(2);
    expect(gpu.err).toMatch(/--cpu applies to CPU builds only/);
  });

  it('server-path names the variant that is missing and the command that builds it', async () => {
    process.env.LAMPLIGHT_CACHE_DIR = mkdtempSync(join(tmpdir(), 'lamplight-cache-'));
    const r = await cli('engine', 'server-path', '--cpu', 'avx512');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\(cpu, avx512\) is not built.*lamplight engine build-server --cpu avx512/);
    expect(builtServer('cpu', process.env.LAMPLIGHT_CACHE_DIR, 'avx512')).toBeNull();
  });

  it('the avx512 variant compiles in the AVX-512 kernels (not AMX, which raises SIGILL here); portable does not, and neither is -march=native', () => {
    const portable = cmakeFlags('cpu');
    const avx512 = cmakeFlags('cpu', 'avx512');
    expect(avx512).toContain('-DGGML_AMX_TILE=OFF');
    for (const f of ['-DGGML_AVX512=ON', '-DGGML_AVX512_VNNI=ON', '-DGGML_AVX512_BF16=ON']) {
      expect(avx512).toContain(f);
      expect(portable).not.toContain(f);
    }
    expect(avx512).toContain('-DGGML_NATIVE=OFF');
    expect(portable).toContain('-DGGML_NATIVE=OFF');
    expect(cmakeFlags('cuda', 'avx512')).not.toContain('-DGGML_AVX512=ON');
  });
});

describe('engine vision-binary and --server-bin', () => {
  it('--server-bin (before or after the command) is the vision engine\'s binary; a missing one is named', async () => {
    const bin = builtServer('cpu');
    expect(bin).not.toBeNull();
    const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-cli-'));
    const before = await cli('--data-dir', dataDir, '--server-bin', bin!, 'engine', 'vision-binary', '--json');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.out)).toEqual({ binary: bin, source: 'flag' });
    const after = await cli('engine', 'vision-binary', '--data-dir', dataDir, `--server-bin=${bin!}`);
    expect(after.out).toBe(`${bin} (flag)\n`);
    const gone = await cli('--data-dir', dataDir, '--server-bin', join(dataDir, 'nope', 'llama-server'), 'engine', 'vision-binary');
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/--server-bin does not exist: .*nope\/llama-server/);
  });
});
