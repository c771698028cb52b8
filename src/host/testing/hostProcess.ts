// A real core and browser host in a process of their own, for tests whose requests might bring the
// process down: prints {"port","token"} as one JSON line, closes cleanly on SIGTERM.
import { openTestCore } from '../../core/testing/testCore';
import { startHost } from '../server';

const [dataDir, staticDir] = process.argv.slice(2);
if (!dataDir || !staticDir) throw new Error('usage: hostProcess.ts DATA_DIR STATIC_DIR');
const core = openTestCore({ dataDir });
const host = await startHost({ core, staticDir, port: 0 });
process.stdout.write(JSON.stringify({ port: host.port, token: host.token }) + '\n');
process.once('SIGTERM', () => {
  void host
    .close()
    .then(() => core.close())
    .then(() => process.exit(0));
});
