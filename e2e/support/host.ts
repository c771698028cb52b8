// Starts the real browser host (`lamplight serve`) as a subprocess on 127.0.0.1 with a fresh data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningHost {
  url: string;
  origin: string;
  dataDir: string;
  /** The certificate's SHA-256 fingerprint as `serve` printed it (TLS only). */
  fingerprint: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `listen`: serve args in place of `--port 0`, e.g. ['--listen', '127.0.0.1:0', '--tls', 'self-signed']. */
export async function startHostProcess(dataDir = mkdtempSync(join(tmpdir(), 'lamplight-e2e-')), listen: readonly string[] = ['--port', '0']): Promise<RunningHost> {
  const child = spawn(process.execPath, ['bin/lamplight.mjs', 'serve', ...listen, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lamplight serve printed no URL in 30 s:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /open: (https?:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lamplight serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    fingerprint: /fingerprint: ([0-9A-F:]{95})/.exec(output)?.[1] ?? null,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
