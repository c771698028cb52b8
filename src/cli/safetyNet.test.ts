// The serve command's last resort, in a process of its own: an uncaught exception and an unhandled
// rejection are logged with their stacks and the process goes on; without it, Node would exit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installSafetyNet } from './safetyNet';

function runScript(code: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (c) => resolve({ code: c, out, err }));
  });
}

const modulePath = JSON.stringify(fileURLToPath(new URL('./safetyNet.ts', import.meta.url)));
const bugs = `
setTimeout(() => { throw new Error('bug in a handler'); }, 10);
setTimeout(() => { void Promise.reject(new Error('rejected in a handler')); }, 20);
setTimeout(() => process.stdout.write('still serving\\n'), 300);`;

describe('installSafetyNet', () => {
  it('logs an uncaught exception and an unhandled rejection with their stacks, and the process goes on', async () => {
    const r = await runScript(`import { installSafetyNet } from ${modulePath};\ninstallSafetyNet((t) => process.stderr.write(t));${bugs}`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('still serving\n');
    expect(r.err).toMatch(/uncaught exception \(still serving; please report it\):\nError: bug in a handler\n\s+at /);
    expect(r.err).toMatch(/unhandled rejection \(still serving; please report it\):\nError: rejected in a handler\n\s+at /);
  });

  it('without it the same script ends the process (what `lamplight serve` did before)', async () => {
    const r = await runScript(bugs);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
  });

  it('uninstalls what it installed', () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const uninstall = installSafetyNet(() => undefined);
    expect(process.listenerCount('uncaughtException')).toBe((before[0] ?? 0) + 1);
    uninstall();
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
  });
});
