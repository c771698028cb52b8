// better-sqlite3 is built for one ABI at a time: Node's (tests, CLI, browser host) or Electron's (the app).
// ensureNativeFor(runtime) loads it in that runtime and rebuilds only when it does not load.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const probe = "const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get();";

function electronBinary() {
  try {
    return require('electron'); // the path of the binary, or throws when it was never downloaded
  } catch {
    return null;
  }
}

function loads(runtime) {
  if (runtime === 'node') return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
  const bin = electronBinary();
  if (!bin) return false;
  return spawnSync(bin, ['-e', probe], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).status === 0;
}

export function ensureNativeFor(runtime) {
  if (loads(runtime)) return;
  process.stdout.write(`better-sqlite3 is not built for ${runtime}; rebuilding (about 80 s)…\n`);
  const args = ['rebuild', 'better-sqlite3'];
  if (runtime === 'electron') {
    const version = require('electron/package.json').version;
    // Needs Electron's headers from the network the first time (cached in ~/.electron-gyp afterwards).
    args.push('--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers');
  }
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { stdio: 'inherit' });
  if (r.status !== 0 || !loads(runtime)) {
    throw new Error(
      runtime === 'electron'
        ? 'Rebuilding better-sqlite3 for Electron failed (it needs Electron headers from electronjs.org). Use `npm run serve` for the browser UI.'
        : 'Rebuilding better-sqlite3 for Node failed; see the output above.',
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runtime = process.argv[2];
  if (runtime !== 'node' && runtime !== 'electron') {
    process.stderr.write('Usage: node scripts/native.mjs node|electron\n');
    process.exit(2);
  }
  try {
    ensureNativeFor(runtime);
    process.stdout.write(`better-sqlite3 loads in ${runtime}.\n`);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
