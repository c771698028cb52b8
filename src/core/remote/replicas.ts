// Several base URLs serving the same models: requests go round-robin over the healthy ones, a failing
// replica sits out a cooldown and is then tried again, and a request that has not produced a token yet
// fails over to the next replica.
import { performance } from 'node:perf_hooks';
import { streamChat, type OnDelta, type StreamChatRequest, type StreamChatResult } from './openaiClient';
import { RemoteError, isFailoverable, isReplicaFault } from './remoteError';
import { DEFAULT_RETRY, retryDelayMs, sleep } from './retry';

export interface ReplicaState {
  url: string;
  /** False from a failure until the next success. */
  healthy: boolean;
  lastError: string | null;
  /** Epoch ms of the last success or failure. */
  lastCheckedAt: number | null;
  latencyMs: number | null;
}

export interface ReplicaPoolOptions {
  /** How long a failed replica is skipped before it is tried again. */
  cooldownMs: number;
  /** Clock (epoch ms); tests pass their own. */
  now?: () => number;
}

interface Entry extends ReplicaState {
  /** While now < this, next() skips the replica (unless every replica is cooling down). */
  cooldownUntil: number;
}

export class ReplicaPool {
  /** The URLs as given, in order. */
  readonly urls: readonly string[];
  private readonly entries = new Map<string, Entry>();
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private cursor = 0;

  constructor(urls: readonly string[], opts: ReplicaPoolOptions) {
    if (urls.length === 0) throw new Error('A replica pool needs at least one base URL');
    this.urls = [...urls];
    this.cooldownMs = opts.cooldownMs;
    this.now = opts.now ?? Date.now;
    for (const url of this.urls) {
      if (!this.entries.has(url)) this.entries.set(url, { url, healthy: true, lastError: null, lastCheckedAt: null, latencyMs: null, cooldownUntil: 0 });
    }
  }

  /** Distinct replicas. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The next replica in turn that is healthy or whose cooldown is over. When all are cooling down, the one
   * whose cooldown ends first: a pool always answers, at once.
   */
  next(): string {
    const now = this.now();
    const n = this.urls.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const url = this.urls[i]!;
      if (this.entries.get(url)!.cooldownUntil <= now) {
        this.cursor = (i + 1) % n;
        return url;
      }
    }
    let best = this.entries.get(this.urls[0]!)!;
    for (const e of this.entries.values()) if (e.cooldownUntil < best.cooldownUntil) best = e;
    return best.url;
  }

  /** Takes the replica out of rotation for the cooldown (or `cooldownMs`, e.g. a server's Retry-After). */
  markFailed(url: string, error: unknown, cooldownMs = this.cooldownMs): void {
    const e = this.entries.get(url);
    if (!e) return;
    const now = this.now();
    e.healthy = false;
    e.lastError = error instanceof Error ? error.message : String(error);
    e.lastCheckedAt = now;
    e.cooldownUntil = now + Math.max(0, cooldownMs);
  }

  markOk(url: string, latencyMs?: number | null): void {
    const e = this.entries.get(url);
    if (!e) return;
    e.healthy = true;
    e.lastError = null;
    e.lastCheckedAt = this.now();
    e.cooldownUntil = 0;
    if (latencyMs != null) e.latencyMs = latencyMs;
  }

  snapshot(): ReplicaState[] {
    return [...this.entries.values()].map(({ url, healthy, lastError, lastCheckedAt, latencyMs }) => ({ url, healthy, lastError, lastCheckedAt, latencyMs }));
  }
}

export type ReplicaChatRequest = Omit<StreamChatRequest, 'baseUrl'>;
export type ReplicaChatResult = StreamChatResult & { baseUrl: string };

/**
 * streamChat on the pool: before the first token, a connect error, 5xx, 429 or timeout moves the request to
 * the next replica; at most (replicas + maxRetries) requests in all, with backoff when a replica comes round
 * again. After a token, or for errors that are ours (auth, bad request, unknown model), it stops.
 */
export async function streamChatWithReplicas(pool: ReplicaPool, req: ReplicaChatRequest, onDelta?: OnDelta): Promise<ReplicaChatResult> {
  const policy = { ...DEFAULT_RETRY, ...req.retry };
  const budget = pool.size + Math.min(10, Math.max(0, Math.floor(req.maxRetries ?? 2)));
  const tried = new Set<string>();
  let last: RemoteError | null = null;
  let retries = 0;
  /** Requests sent: a try that the I/O thread resent on a new socket counts two. */
  let sent = 0;
  for (let attempt = 1; attempt <= budget; attempt++) {
    const url = pool.next();
    if (last && tried.has(url)) {
      retries++;
      try {
        await sleep(retryDelayMs(retries, last.retryAfterMs, policy), req.signal);
      } catch {
        throw new RemoteError('cancelled', last.endpoint, `${last.endpoint}: cancelled while waiting to retry (${last.message})`, {
          attempts: sent,
          status: last.status,
        });
      }
    }
    tried.add(url);
    try {
      const r = await streamChat({ ...req, baseUrl: url, maxRetries: 0 }, onDelta);
      const first = r.chunkTimesMs[0];
      pool.markOk(url, first === undefined ? performance.now() - r.startMs : first - r.startMs);
      return { ...r, baseUrl: url, attempts: sent + r.attempts };
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      sent += e.attempts;
      e.attempts = sent;
      if (e.kind !== 'cancelled') {
        if (isReplicaFault(e)) pool.markFailed(url, e, e.retryAfterMs !== null ? Math.min(e.retryAfterMs, policy.maxRetryAfterMs) : undefined);
        else pool.markOk(url);
      }
      if (!isFailoverable(e) || attempt === budget) {
        if (attempt > 1) e.message += ` (after ${sent} attempts on ${tried.size} of ${pool.size} replicas)`;
        throw e;
      }
      last = e;
    }
  }
  throw last ?? new Error('unreachable');
}
