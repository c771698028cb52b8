// Remote OpenAI-compatible targets: stored without their secrets, checked for health, and used for runs
// with their requests spread over healthy replicas.
import { EventEmitter } from 'node:events';
import { ulid } from '../../shared/ids';
import type { StopReason } from '../../shared/runs.schema';
import type { RemoteModel, TargetCheck, TargetInfo, TargetInput, Timeouts } from '../../shared/targets.schema';
import { CoreError } from '../errors';
import { listModels, RemoteError, type ChatMessage, type EndpointConfig } from '../remote/openaiClient';
import { ReplicaPool, streamChatWithReplicas } from '../remote/replicas';
import type { RemoteRunner, RemoteRunResult } from '../runs/runs.service';
import type { SecretStore } from '../secrets/secretStore';
import type { StoredTarget, TargetsRepo } from './targets.repo';

export interface TargetsEvents {
  changed: [TargetInfo];
}

const REPLICA_COOLDOWN_MS = 30_000;

const keyName = (id: string) => `target:${id}:apiKey`;
const headersName = (id: string) => `target:${id}:headers`;

export interface TargetPatchInput {
  name?: string;
  baseUrls?: string[];
  apiKey?: string | null;
  headers?: Record<string, string>;
  timeouts?: Timeouts;
  maxRetries?: number;
}

export class TargetsService extends EventEmitter<TargetsEvents> implements RemoteRunner {
  private readonly pools = new Map<string, ReplicaPool>();
  /** Decrypted credentials per target, so a 500-case evaluation does not read the key store 500 times. */
  private readonly creds = new Map<string, { apiKey: string | null; headers: Record<string, string> }>();

  constructor(
    private readonly repo: TargetsRepo,
    private readonly secrets: SecretStore,
  ) {
    super();
  }

  private pool(t: StoredTarget): ReplicaPool {
    let p = this.pools.get(t.id);
    const same = p && p.urls.length === t.baseUrls.length && p.urls.every((u, i) => u === t.baseUrls[i]);
    if (!p || !same) {
      p = new ReplicaPool(t.baseUrls, { cooldownMs: REPLICA_COOLDOWN_MS });
      this.pools.set(t.id, p);
    }
    return p;
  }

  private info(t: StoredTarget): TargetInfo {
    return { ...t, replicas: this.pool(t).snapshot() };
  }

  private stored(id: string): StoredTarget {
    const t = this.repo.get(id);
    if (!t) throw new CoreError('NOT_FOUND', `No remote target with id ${id}`);
    return t;
  }

  list(): TargetInfo[] {
    return this.repo.list().map((t) => this.info(t));
  }

  get(id: string): TargetInfo {
    return this.info(this.stored(id));
  }

  private writeSecrets(id: string, apiKey: string | null | undefined, headers: Record<string, string> | undefined): void {
    this.creds.delete(id);
    if (apiKey !== undefined) {
      if (apiKey === null || apiKey === '') this.secrets.delete(keyName(id));
      else this.secrets.set(keyName(id), apiKey);
    }
    if (headers !== undefined) {
      if (Object.keys(headers).length === 0) this.secrets.delete(headersName(id));
      else this.secrets.set(headersName(id), JSON.stringify(headers));
    }
  }

  add(input: TargetInput): TargetInfo {
    const id = ulid();
    // Secrets first: if the store refuses (e.g. no OS keychain), nothing is half-saved.
    this.writeSecrets(id, input.apiKey, input.headers);
    const t = this.repo.save({
      id,
      name: input.name,
      baseUrls: input.baseUrls,
      hasApiKey: !!input.apiKey,
      headerNames: Object.keys(input.headers),
      timeouts: input.timeouts,
      maxRetries: input.maxRetries,
      createdAt: Date.now(),
    });
    return this.info(t);
  }

  update(id: string, patch: TargetPatchInput): TargetInfo {
    const cur = this.stored(id);
    this.writeSecrets(id, patch.apiKey, patch.headers);
    const t = this.repo.save({
      ...cur,
      name: patch.name ?? cur.name,
      baseUrls: patch.baseUrls ?? cur.baseUrls,
      hasApiKey: patch.apiKey === undefined ? cur.hasApiKey : !!patch.apiKey,
      headerNames: patch.headers === undefined ? cur.headerNames : Object.keys(patch.headers),
      timeouts: patch.timeouts ?? cur.timeouts,
      maxRetries: patch.maxRetries ?? cur.maxRetries,
    });
    const info = this.info(t);
    this.emit('changed', info);
    return info;
  }

  remove(id: string): boolean {
    this.creds.delete(id);
    this.secrets.delete(keyName(id));
    this.secrets.delete(headersName(id));
    this.pools.delete(id);
    return this.repo.remove(id);
  }

  private credentials(id: string): { apiKey: string | null; headers: Record<string, string> } {
    let c = this.creds.get(id);
    if (!c) {
      const headers = this.secrets.get(headersName(id));
      c = { apiKey: this.secrets.get(keyName(id)), headers: headers ? (JSON.parse(headers) as Record<string, string>) : {} };
      this.creds.set(id, c);
    }
    return c;
  }

  /**
   * Every replica's endpoint with the target's key and headers, for calls beside chat (vLLM's LoRA routes).
   * Core-only: what it returns carries secrets and must never cross the contract.
   */
  replicaEndpoints(id: string): { name: string; timeouts: Timeouts; endpoints: EndpointConfig[] } {
    const t = this.stored(id);
    const { apiKey, headers } = this.credentials(id);
    return { name: t.name, timeouts: t.timeouts, endpoints: t.baseUrls.map((baseUrl) => ({ baseUrl, apiKey, headers })) };
  }

  /** Checks every replica (GET /models) and returns the union of the models they list. */
  async check(id: string): Promise<TargetCheck> {
    const t = this.stored(id);
    const pool = this.pool(t);
    const { apiKey, headers } = this.credentials(id);
    const results = await Promise.all(
      t.baseUrls.map(async (url) => {
        try {
          const r = await listModels({ baseUrl: url, apiKey, headers, timeoutMs: t.timeouts.connectMs });
          pool.markOk(url, r.latencyMs);
          return { url, ok: true, latencyMs: r.latencyMs, status: r.status, error: null, models: r.models };
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          pool.markFailed(url, message);
          return { url, ok: false, latencyMs: null, status: e instanceof RemoteError ? (e.status ?? null) : null, error: message, models: [] as RemoteModel[] };
        }
      }),
    );
    const models = new Map<string, RemoteModel>();
    for (const r of results) for (const m of r.models) if (!models.has(m.id)) models.set(m.id, m);
    this.emit('changed', this.info(t));
    return {
      targetId: id,
      checkedAt: Date.now(),
      replicas: results.map(({ models: _m, ...r }) => r),
      models: [...models.values()],
    };
  }

  displayName(targetId: string, model: string): string {
    return `${this.stored(targetId).name} · ${model}`;
  }

  async run(
    targetId: string,
    model: string,
    req: Parameters<RemoteRunner['run']>[2],
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<RemoteRunResult> {
    const t = this.stored(targetId);
    const { apiKey, headers } = this.credentials(targetId);
    const messages: ChatMessage[] = [];
    if (req.systemPrompt.trim() !== '') messages.push({ role: 'system', content: req.systemPrompt });
    messages.push({ role: 'user', content: req.userMessage });
    const p = req.params;
    let schema: unknown = null;
    if (req.jsonSchema) {
      try {
        schema = JSON.parse(req.jsonSchema);
      } catch (e) {
        throw new CoreError('BAD_INPUT', `jsonSchema: not valid JSON (${(e as Error).message})`);
      }
    }
    const pool = this.pool(t);
    try {
      const r = await streamChatWithReplicas(
        pool,
        {
          apiKey,
          headers,
          model,
          messages,
          params: {
            maxTokens: p.maxTokens,
            temperature: p.temperature,
            topP: p.topP,
            topK: p.topK > 0 ? p.topK : undefined,
            minP: p.minP > 0 ? p.minP : undefined,
            repetitionPenalty: p.repeatPenalty !== 1 ? p.repeatPenalty : undefined,
            seed: p.seed ?? undefined,
            stop: p.stop.length > 0 ? p.stop : undefined,
            jsonSchema: schema ?? undefined,
          },
          timeouts: t.timeouts,
          maxRetries: t.maxRetries,
          signal,
        },
        onDelta,
      );
      const stopReason: StopReason = r.finishReason === 'length' ? 'maxTokens' : 'eos';
      return {
        text: r.text,
        stopReason,
        error: null,
        promptTokens: r.usage?.promptTokens ?? null,
        completionTokens: r.usage?.completionTokens ?? null,
        startMs: r.startMs,
        endMs: r.endMs,
        chunkTimesMs: r.choiceTimesMs,
        contentTimesMs: r.chunkTimesMs,
        attempts: r.attempts,
      };
    } finally {
      this.emit('changed', this.info(t));
    }
  }
}
