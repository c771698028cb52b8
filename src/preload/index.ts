// Builds window.lamplight from the contract's names. The renderer never sees ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { isCommandName, isEventName, type PreloadApi, type WireResult } from '../shared/contract';

const api: PreloadApi = {
  invoke(name, input): Promise<WireResult<unknown>> {
    if (!isCommandName(name)) {
      return Promise.resolve({ ok: false, error: { code: 'BAD_INPUT', message: `Unknown command: ${String(name)}` } });
    }
    return ipcRenderer.invoke('lamplight:invoke', name, input) as Promise<WireResult<unknown>>;
  },
  on(name, listener) {
    if (!isEventName(name)) throw new Error(`Unknown event: ${String(name)}`);
    const channel = `lamplight:event:${name}`;
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('lamplight', api);
