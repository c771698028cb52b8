import { defineConfig } from 'vitest/config';

// Tests use the real better-sqlite3 and the real node-llama-cpp on generated GGUF models; each file gets
// its own process so a native module never leaks state between files.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // llama.cpp spins its threads: two inference files at once on 2 cores collapse decode speed ~50x.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['src/core/testing/globalSetup.ts'],
  },
});
