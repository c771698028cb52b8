// Building llama-server from the UI: the cached build answers at once; a real build is cancelled once cmake
// runs (cheap), leaving no half-built cache entry. No full build here: the cache already has the CPU one.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerBuildStatus } from '../../shared/vision.schema';
import { builtServer } from '../llamaServer/buildServer';
import { openTestCore, tempDir } from '../testing/testCore';
import { ServerBuilds } from './serverBuilds';

const core = openTestCore();
afterAll(() => core.close());

describe('vision.buildServer', () => {
  it('returns at once with cached=true for the CPU build the cache already holds', async () => {
    const events: ServerBuildStatus[] = [];
    const off = core.on('vision.buildProgress', (p) => events.push(p));
    const st = await core.invoke('vision.buildServer', { backend: 'cpu' });
    off();
    expect(st).toMatchObject({ backend: 'cpu', phase: 'done', percent: 100, cached: true, binary: builtServer('cpu') });
    expect(events.at(-1)?.phase).toBe('done');
    expect((await core.invoke('vision.cancelBuild', { jobId: st.jobId })).cancelled).toBe(false);
  });

  it('one build at a time; cancel kills cmake, reports cancelled and removes the half-built entry', async () => {
    const cacheDir = tempDir('lamplight-build-');
    const builds = new ServerBuilds({ cacheDir });
    const seen: ServerBuildStatus[] = [];
    let reachedCmake!: () => void;
    const cmake = new Promise<void>((r) => (reachedCmake = r));
    builds.on('progress', (p) => {
      seen.push(p);
      if (p.phase === 'configure' || p.phase === 'compile') reachedCmake();
    });
    const first = await builds.start('cpu');
    expect(first.phase).toBe('source');
    expect(first.cached).toBe(false);
    await expect(builds.start('cpu')).rejects.toThrow(/already running/);
    await cmake;
    expect(builds.cancel('not-this-job')).toEqual({ cancelled: false });
    expect(builds.cancel(first.jobId)).toEqual({ cancelled: true });
    const end = await builds.wait();
    expect(end?.phase).toBe('cancelled');
    expect(end?.error).toBeNull();
    expect(seen.at(-1)?.phase).toBe('cancelled');
    expect(builds.running).toBeNull();
    // Nothing left behind: not the install folder, not the work folder, not the lock.
    const root = join(cacheDir, 'llama-server');
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
  }, 300_000);
});
