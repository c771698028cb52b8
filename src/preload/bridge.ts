// window.lamplight, built from the contract's names over a narrow IPC interface. No electron import, so
// it is unit-tested; index.ts passes ipcRenderer in and exposes the result with contextBridge.
import { isCommandName, isEventName, type PreloadApi, type WireResult } from '../shared/contract';

/** The three ipcRenderer methods the bridge uses; the page never gets ipcRenderer itself. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export const INVOKE_CHANNEL = 'lamplight:invoke';
export const eventChannel = (name: string): string => `lamplight:event:${name}`;

export function createPreloadApi(ipc: RendererIpc): PreloadApi {
  return Object.freeze({
    invoke(name, input): Promise<WireResult<unknown>> {
      if (!isCommandName(name)) {
        return Promise.resolve({ ok: false, error: { code: 'BAD_INPUT', message: `Unknown command: ${String(name)}` } });
      }
      return ipc.invoke(INVOKE_CHANNEL, name, input) as Promise<WireResult<unknown>>;
    },
    on(name, listener) {
      if (!isEventName(name)) throw new Error(`Unknown event: ${String(name)}`);
      const channel = eventChannel(name);
      // Only the payload crosses: the IPC event object carries `sender` (ipcRenderer itself).
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    },
  } satisfies PreloadApi);
}
