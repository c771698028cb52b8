import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hostErrorLogger } from '../host/httpGuard';
import { startHost } from '../host/server';
import { parseFlags, UsageError, type Command } from './main';
import { installSafetyNet } from './safetyNet';

export function rendererDir(): string {
  return fileURLToPath(new URL('../../out/renderer', import.meta.url));
}

export const serveCommand: Command = {
  summary: 'start the browser host (the Lamplight UI on 127.0.0.1) and print its URL',
  usage: [
    'Usage: lamplight serve [--port P] [--data-dir DIR]',
    '',
    'Serves the Lamplight UI and its API on 127.0.0.1 only. The printed URL carries a random token for',
    'this launch; every request and WebSocket must present it. Stop with Ctrl+C.',
    '',
    '  --port P   port to listen on (default: 5173; 0 picks a free one)',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, { port: { type: 'string' } });
    const port = values.port === undefined ? 5173 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${values.port}"`);
    const staticDir = rendererDir();
    if (!existsSync(`${staticDir}/index.html`)) {
      throw new Error(`The UI is not built (${staticDir}/index.html is missing). Run "npm run build" first, or use "npm run serve".`);
    }
    const core = ctx.openCore();
    // A bug in one request handler is logged with its stack; the host and the database stay up.
    const uninstall = installSafetyNet(ctx.err);
    const host = await startHost({ core, staticDir, port, onError: hostErrorLogger(ctx.err) });
    ctx.out(`Lamplight ${ctx.version} — browser host\n  data: ${ctx.dataDir}\n  open: ${host.url}\n  (this link acts as the owner, an admin; give others their own links in Guardrails → Profiles)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ctx.out('Stopping…\n');
    await host.close();
    await core.close();
    uninstall();
    return 0;
  },
};
