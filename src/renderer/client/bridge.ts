// The renderer's single way to reach the core. In Electron the preload exposes window.lamplight; in a
// browser the same contract travels over the host's WebSocket, authenticated by the per-launch token.
import type {
  CommandInput,
  CommandName,
  CommandOutput,
  EventName,
  EventPayload,
  LamplightApi,
  PreloadApi,
  WireError,
} from '../../shared/contract';

declare global {
  interface Window {
    lamplight?: PreloadApi;
  }
}

export class CommandError extends Error {
  constructor(
    readonly code: WireError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

type Listener = (payload: unknown) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Reads the launch token from ?token=… once, keeps it for this tab, and removes it from the address bar. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('lamplight.token', fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem('lamplight.token');
}

const closeListeners = new Set<(reason: string) => void>();

/** Called once if the host connection drops (browser host only); a page reload reconnects. */
export function onConnectionLost(listener: (reason: string) => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

export function createSocketApi(): LamplightApi & { connected: Promise<void> } {
  const token = takeToken();
  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket;
  let ready: Promise<void>;

  const connect = (): Promise<void> => {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${proto}//${window.location.host}/ws?token=${encodeURIComponent(token ?? '')}`);
    ready = new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new CommandError('UNAUTHORIZED', 'Could not connect to the Lamplight host (is the token in the URL right?)')), { once: true });
    });
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as
        | { id: number; ok: true; value: unknown }
        | { id: number; ok: false; error: WireError }
        | { event: string; payload: unknown };
      if ('event' in msg) {
        listeners.get(msg.event)?.forEach((l) => l(msg.payload));
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new CommandError(msg.error.code, msg.error.message));
    });
    socket.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(new CommandError('INTERNAL', 'Connection to the Lamplight host closed'));
      pending.clear();
      closeListeners.forEach((l) => l('The connection to the Lamplight host closed. Reload the page once the host runs again.'));
    });
    return ready;
  };
  const connected = connect();

  return {
    connected,
    async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      await ready;
      // A closed socket drops sends silently; without this the caller would wait forever.
      if (socket.readyState !== WebSocket.OPEN) {
        throw new CommandError('INTERNAL', 'Not connected to the Lamplight host; reload the page once it runs again.');
      }
      const id = nextId++;
      return new Promise<CommandOutput<N>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, name, input }));
      });
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  };
}

function electronApi(preload: PreloadApi): LamplightApi {
  return {
    async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      const result = await preload.invoke(name, input);
      if (!result.ok) throw new CommandError(result.error.code, result.error.message);
      return result.value as CommandOutput<N>;
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      return preload.on(name, listener as (payload: unknown) => void);
    },
  };
}

export const api: LamplightApi = window.lamplight ? electronApi(window.lamplight) : createSocketApi();
export const transport: 'electron' | 'browser-host' = window.lamplight ? 'electron' : 'browser-host';
