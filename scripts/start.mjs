// npm start: build and launch the Electron app. Where Electron's binary could not be downloaded (offline
// installs), say so and point to the browser host, which serves the same UI.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ensureNativeFor } from './native.mjs';

const require = createRequire(import.meta.url);
let electron = null;
try {
  electron = require('electron');
} catch {
  electron = null;
}
if (!electron) {
  process.stderr.write(
    [
      'Electron\'s binary is not installed on this machine (it is downloaded at install time, and that download',
      'was skipped or failed). Lamplight\'s browser host serves the same UI instead:',
      '',
      '  npm run serve            # prints a http://127.0.0.1:5173/?token=… URL to open',
      '',
      'To get the desktop app, run `npm install` again on a machine that can reach Electron\'s downloads.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
ensureNativeFor('electron');
const build = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
// `npm test` and the CLI switch better-sqlite3 back to Node's ABI themselves when they need it.
child.on('exit', (code) => process.exit(code ?? 0));
