// The worker's environment: libuv's pool cut to one thread (see workerEnv), the rest passed through.
import { describe, expect, it } from 'vitest';
import { workerEnv } from './spawnNodeWorker';

describe('workerEnv', () => {
  it('gives the worker a one-thread libuv pool and keeps the rest of the environment', () => {
    const env = workerEnv({ PATH: '/bin', UV_THREADPOOL_SIZE: '8' });
    expect(env.UV_THREADPOOL_SIZE).toBe('1');
    expect(env.PATH).toBe('/bin');
  });

  it('LAMPLIGHT_WORKER_UV_THREADPOOL_SIZE overrides it', () => {
    expect(workerEnv({ LAMPLIGHT_WORKER_UV_THREADPOOL_SIZE: '4' }).UV_THREADPOOL_SIZE).toBe('4');
  });
});
