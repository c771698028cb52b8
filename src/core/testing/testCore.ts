// A real core on a fresh temporary data folder, for integration tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayload } from '../../shared/contract';
import { createCore, type Core, type CoreOptions } from '../createCore';

export function tempDir(prefix = 'lamplight-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function openTestCore(opts: Partial<CoreOptions> = {}): Core {
  return createCore({ dataDir: opts.dataDir ?? tempDir(), version: '0.0.0-test', transport: 'browser-host', ...opts });
}

/** Resolves with the first event of that name that passes the filter. */
export function nextEvent<E extends EventName>(
  core: Core,
  name: E,
  filter: (p: EventPayload<E>) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`No ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = core.on(name, (p) => {
      if (!filter(p)) return;
      clearTimeout(t);
      off();
      resolve(p);
    });
  });
}

/**
 * Records every event of that name from now on; `until` resolves with the first recorded one (before or
 * after the call) that passes the filter. Subscribe with this before the action that emits, so an event sent
 * while the action's promise settles is never missed.
 */
export function recordEvents<E extends EventName>(core: Core, name: E) {
  const seen: EventPayload<E>[] = [];
  const waiters = new Set<() => void>();
  const off = core.on(name, (p) => {
    seen.push(p);
    for (const w of [...waiters]) w();
  });
  return {
    seen,
    off,
    until(filter: (p: EventPayload<E>) => boolean, what: string, timeoutMs = 100_000): Promise<EventPayload<E>> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = seen.find(filter);
          if (hit === undefined) return;
          clearTimeout(t);
          waiters.delete(check);
          resolve(hit);
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No ${name} event for ${what} within ${timeoutMs} ms (${seen.length} seen)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** The code and message a command failed with; throws when it did not fail. */
export async function failureOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected the command to fail');
}
