// npm test: typecheck, lint, unit + integration (vitest, real SQLite and llama.cpp), build, e2e
// (Playwright in Chromium against the browser host; Electron specs skip where no Electron binary exists).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureNativeFor } from './native.mjs';

const steps = [];
function step(name, cmd, args, env = {}) {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  steps.push({ name, ok: r.status === 0, seconds });
  if (name === 'vitest') readVitestCounts();
  if (r.status !== 0) {
    summary();
    process.stdout.write(`\n✖ ${name} failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(1);
  }
}

// Playwright empties test-results/ when it starts, so vitest's counts are read as soon as it ends.
const vitestCounts = { passed: 0, failed: 0, skipped: 0 };
function readVitestCounts() {
  try {
    const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
    vitestCounts.passed = v.numPassedTests;
    vitestCounts.failed = v.numFailedTests;
    vitestCounts.skipped = v.numPendingTests + (v.numTodoTests ?? 0);
  } catch {
    // vitest did not get that far
  }
}

function counts() {
  let { passed, failed, skipped } = vitestCounts;
  try {
    const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
    passed += p.stats.expected + (p.stats.flaky ?? 0);
    failed += p.stats.unexpected;
    skipped += p.stats.skipped;
  } catch {
    // playwright did not get that far
  }
  return { passed, failed, skipped };
}

function summary() {
  process.stdout.write('\nSteps: ' + steps.map((s) => `${s.ok ? '✔' : '✖'} ${s.name} ${s.seconds}s`).join(' · ') + '\n');
  const c = counts();
  process.stdout.write(`${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`);
}

// Said once, before anything runs, rather than as one Playwright "npx playwright install" banner per spec
// (that download cannot work offline); the run then stops before the e2e step.
const hasChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((p) => existsSync(p)) || !!process.env.LAMPLIGHT_ALLOW_PLAYWRIGHT_BROWSER;
const NO_CHROMIUM = 'No system Chromium found (/usr/bin/chromium): the e2e tests need it. Install it with `apt-get install -y chromium` (Debian/Ubuntu), then run `npm test` again.';
if (!hasChromium) process.stdout.write(`\n⚠ ${NO_CHROMIUM}\n  Typecheck, lint, build and unit tests run now; the e2e step will not.\n`);

mkdirSync('test-results', { recursive: true });
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('lint', 'npm', ['run', '--silent', 'lint']);
ensureNativeFor('node');
// Built before vitest so the CLI's `serve` test has a UI to serve.
step('build', npx, ['electron-vite', 'build']);
// The real remote peer for the integration tests: llama.cpp's llama-server, built once per llama.cpp source
// into the user's cache (~5 min on 2 cores the first time, then found cached).
step('llama-server', process.execPath, ['bin/lamplight.mjs', 'engine', 'build-server']);
step('vitest', npx, ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
if (!hasChromium) {
  summary();
  process.stdout.write(`\n✖ e2e not run. ${NO_CHROMIUM}\n`);
  process.exit(1);
}
step('e2e', npx, ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' });
summary();
