// One simulated labeler for bench:team: a WebSocket (ws package) over TLS trusting the bench's self-signed
// certificate, speaking the host's protocol ({id, name, input} → {id, ok, value | error}; events arrive as
// {event, payload}), with the claim → read → save step the team view does.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { LabelPatch } from '../src/shared/datasets.schema';
import type { QueueProgress, Task } from '../src/shared/team.schema';

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

export interface SaveResult {
  taskId: number;
  rowId: number;
  claimMs: number;
  saveMs: number;
}

export class Labeler {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();
  events = 0;
  private constructor(
    readonly profileId: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Reply & { event?: string };
      if (m.event !== undefined) {
        this.events++;
        return;
      }
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    });
    ws.on('close', () => {
      for (const [, resolve] of this.pending) resolve({ id: 0, ok: false, error: { code: 'CLOSED', message: 'socket closed' } });
      this.pending.clear();
    });
  }

  /** Opens the labeler's socket with their own access token; `ca` is the certificate the client trusts. */
  static open(port: number, profileId: string, token: string, ca: string): Promise<Labeler> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, { ca, headers: { Origin: `https://127.0.0.1:${port}` }, handshakeTimeout: 10_000 });
      ws.once('open', () => resolve(new Labeler(profileId, ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  call<T>(name: string, input: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (r) => (r.ok ? resolve(r.value as T) : reject(new Error(`${name}: ${r.error?.code} ${r.error?.message}`))));
      this.ws.send(JSON.stringify({ id, name, input }));
    });
  }

  /** Claims the next row, reads it, saves an answer. null when the queue is empty. */
  async step(assignmentId: string, pick: () => number): Promise<SaveResult | null> {
    const c0 = performance.now();
    const { task } = await this.call<{ task: Task | null }>('team.next', { assignmentId });
    const claimMs = performance.now() - c0;
    if (!task) return null;
    // "Reading" the row: what the team view shows (the prompt text); its version guards the save.
    if (!task.row.prompt) throw new Error(`row ${task.rowId} came without its prompt`);
    const patch: LabelPatch = { status: 'accepted', labels: { topic: (['billing', 'tech', 'other'] as const)[pick() % 3] as string, flags: pick() % 4 === 0 ? ['pii'] : [] } };
    const s0 = performance.now();
    await this.call<QueueProgress>('team.submit', { taskId: task.taskId, patch, baseVersion: task.row.version });
    return { taskId: task.taskId, rowId: task.rowId, claimMs, saveMs: performance.now() - s0 };
  }

  close(): void {
    this.ws.close();
  }
}
