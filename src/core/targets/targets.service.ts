// Remote OpenAI-compatible targets: stored without their secrets, checked for health, and used for runs
// with their requests spread over healthy replicas.
import { EventEmitter } from 'node:events';
import { ulid } from '../../shared/ids';
import type { AcceptsImages, RemoteModel, TargetCheck, TargetInfo, TargetInput, Timeouts } from '../../shared/targets.schema';
import { CoreError } from '../errors';
import { listModels, RemoteError, type EndpointConfig } from '../remote/openaiClient';
import { chatMessages, chatParams, chatRunResult } from '../runs/chatRun';
import { visionFromProps } from '../remote/serverProps';
import { ReplicaPool, streamChatWithReplicas } from '../remote/replicas';
import type { ImageSupport, RemoteRunner, RemoteRunResult } from '../runs/runs.service';
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
  acceptsImages?: AcceptsImages;
  maxImagePixels?: number;
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
    const { vision: _v, ...rest } = t;
    return { ...rest, replicas: this.pool(t).snapshot() };
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
      acceptsImages: input.acceptsImages,
      maxImagePixels: input.maxImagePixels,
      vision: {},
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
      acceptsImages: patch.acceptsImages ?? cur.acceptsImages,
      maxImagePixels: patch.maxImagePixels ?? cur.maxImagePixels,
      // Other servers may serve other models: what the old ones said about images no longer holds.
      vision: patch.baseUrls === undefined ? cur.vision : {},
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
          // A llama-server that lists no capabilities still says in /props whether it has a projector (one
          // model per server); other servers are asked only when an image run needs to know (detectImages).
          const llama = r.models.some((m) => m.vision == null && m.ownedBy === 'llamacpp');
          const props = llama ? await visionFromProps({ baseUrl: url, apiKey, headers }) : null;
          const models = r.models.map((m) => ({ ...m, vision: m.vision ?? props }));
          return { url, ok: true, latencyMs: r.latencyMs, status: r.status, error: null, models };
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          pool.markFailed(url, message);
          return { url, ok: false, latencyMs: null, status: e instanceof RemoteError ? (e.status ?? null) : null, error: message, models: [] as RemoteModel[] };
        }
      }),
    );
    const models = new Map<string, RemoteModel>();
    for (const r of results) for (const m of r.models) if (!models.has(m.id)) models.set(m.id, m);
    const vision = { ...t.vision };
    for (const m of models.values()) if (typeof m.vision === 'boolean') vision[m.id] = m.vision;
    this.repo.save({ ...this.stored(id), vision });
    this.emit('changed', this.info(t));
    return {
      targetId: id,
      checkedAt: Date.now(),
      replicas: results.map(({ models: _m, ...r }) => r),
      models: [...models.values()],
    };
  }

  /**
   * Whether a model of this target takes images, from the user's setting, else what its server said at the
   * last check; the refusal says why and what to do. Never guesses yes: an image is not dropped silently.
   */
  imageSupport(targetId: string, model: string): ImageSupport {
    const t = this.stored(targetId);
    const said = t.vision[model];
    if (t.acceptsImages === 'yes' || (t.acceptsImages === 'auto' && said === true)) return { accepts: true, maxPixels: t.maxImagePixels, refusal: null };
    const refusal =
      t.acceptsImages === 'no'
        ? `target ${t.name} is set not to accept images; set Accepts images to yes in its settings if model ${model} does`
        : said === false
          ? `target ${t.name} says model ${model} does not accept images (its server runs it without a vision projector); set Accepts images to yes in its settings if it does`
          : `target ${t.name} does not say model ${model} accepts images; set Accepts images to yes in its settings if it does`;
    return { accepts: false, maxPixels: t.maxImagePixels, refusal };
  }

  /** For 'auto' with nothing recorded for the model: asks its server now (GET /props) and records the answer. */
  async detectImages(targetId: string, model: string): Promise<void> {
    const t = this.stored(targetId);
    if (t.acceptsImages !== 'auto' || typeof t.vision[model] === 'boolean') return;
    const { apiKey, headers } = this.credentials(targetId);
    const said = await visionFromProps({ baseUrl: t.baseUrls[0] as string, apiKey, headers });
    if (said !== null) this.repo.save({ ...this.stored(targetId), vision: { ...this.stored(targetId).vision, [model]: said } });
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
    const messages = chatMessages(req.systemPrompt, req.userMessage, req.userParts);
    const params = chatParams(req.params, req.jsonSchema);
    const pool = this.pool(t);
    try {
      const r = await streamChatWithReplicas(pool, { apiKey, headers, model, messages, params, timeouts: t.timeouts, maxRetries: t.maxRetries, signal }, onDelta);
      return chatRunResult(r);
    } finally {
      this.emit('changed', this.info(t));
    }
  }
}
