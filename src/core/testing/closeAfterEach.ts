// What a test file opens, closed after each test: the cores first (their runs end), then the servers they
// were talking to. Tests only: it registers a vitest hook.
import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<unknown>;
}

export function closeAfterEach(): { core<T extends Closable>(c: T): T; server<T extends Closable>(s: T): T } {
  const cores: Closable[] = [];
  const servers: Closable[] = [];
  afterEach(async () => {
    await Promise.all(cores.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    core: (c) => (cores.push(c), c),
    server: (s) => (servers.push(s), s),
  };
}
