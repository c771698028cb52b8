// The bridge over a recording IPC: Electron's ipcRenderer cannot load without the binary, and what is
// asserted here is what the bridge passes on and what it keeps back, not Electron's IPC itself.
import { describe, expect, it } from 'vitest';
import { commandNames, eventNames } from '../shared/contract';
import { createPreloadApi, INVOKE_CHANNEL, type RendererIpc } from './bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;
function recordingIpc() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: RendererIpc = {
    invoke: async (...args) => {
      invoked.push(args);
      return { ok: true, value: 'done' };
    },
    on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, event: unknown, payload: unknown) => listeners.get(channel)?.forEach((l) => l(event, payload));
  return { ipc, invoked, listeners, emit };
}

describe('createPreloadApi (window.lamplight)', () => {
  it('exposes exactly invoke and on, frozen', () => {
    const api = createPreloadApi(recordingIpc().ipc);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('forwards contract commands on the one channel', async () => {
    const r = recordingIpc();
    const name = commandNames[0]!;
    await expect(createPreloadApi(r.ipc).invoke(name, { a: 1 })).resolves.toEqual({ ok: true, value: 'done' });
    expect(r.invoked).toEqual([[INVOKE_CHANNEL, name, { a: 1 }]]);
  });

  it.each(['__proto__', 'constructor', 'toString', 'shell.openExternal', '', 'lamplight:invoke'])('refuses the unknown command %j without sending it', async (name) => {
    const r = recordingIpc();
    const res = await createPreloadApi(r.ipc).invoke(name as never, {});
    expect(res).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: `Unknown command: ${name}` } });
    expect(r.invoked).toEqual([]);
  });

  it('hands listeners the payload only, never the IPC event (whose sender is ipcRenderer)', () => {
    const r = recordingIpc();
    const name = eventNames[0]!;
    const got: unknown[][] = [];
    const off = createPreloadApi(r.ipc).on(name, (...args: unknown[]) => got.push(args));
    const ipcEvent = { sender: { send: () => 'ipcRenderer!' } };
    r.emit(`lamplight:event:${name}`, ipcEvent, { x: 1 });
    expect(got).toEqual([[{ x: 1 }]]);
    off();
    r.emit(`lamplight:event:${name}`, ipcEvent, { x: 2 });
    expect(got).toHaveLength(1);
  });

  it('refuses to subscribe to channels outside the contract', () => {
    const r = recordingIpc();
    expect(() => createPreloadApi(r.ipc).on('lamplight:invoke' as never, () => {})).toThrow(/Unknown event/);
    expect(r.listeners.size).toBe(0);
  });
});
