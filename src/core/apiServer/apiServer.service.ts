// Lamplight's OpenAI-compatible server over the loaded local model, like LM Studio's: off until started,
// 127.0.0.1 only, a bearer key on every request, and every generation stored in the run history. The start
// key is the owner's; per-profile keys (apiKeys.ts) carry limits, quotas and budgets, and their usage is
// recorded per key and target. GET /metrics serves Prometheus text to the owner's key or a metrics key.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiBudgetAlert, ApiServerSettings, ApiServerStatus } from '../../shared/apiServer.schema';
import type { Db } from '../db/openDb';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { RunsService } from '../runs/runs.service';
import { ApiError, keyDigest, sendError } from './apiHttp';
import { ApiKeys, type KeyIdentity, type KeyRow } from './apiKeys';
import { ApiMetrics } from './apiMetrics';
import { chatCompletions, completions, embeddings, getModel, listModels, type RouteContext } from './openaiRoutes';

export interface ApiServerEvents {
  status: [ApiServerStatus];
  budgetAlert: [ApiBudgetAlert];
}

const OWNER_KEY: KeyIdentity = { id: null, prefix: 'owner', profileId: null, scope: 'inference' };

const STOPPED: ApiServerStatus = { running: false, baseUrl: null, port: null, parallel: null, modelId: null, requests: 0, error: null };

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new CoreError('CONFLICT', `Port ${port} on 127.0.0.1 is already in use; choose another port.`));
      else if (e.code === 'EACCES') reject(new CoreError('BAD_INPUT', `Port ${port} needs privileges Lamplight does not have; choose a port above 1023.`));
      else reject(new CoreError('INTERNAL', `The API server could not listen on port ${port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export class ApiServerService extends EventEmitter<ApiServerEvents> {
  private st: ApiServerStatus = STOPPED;
  private server: Server | null = null;
  private starting = false;
  /** Only the key's digest is kept; the key itself is returned once by start(). */
  private keyHash: Buffer | null = null;
  /** Generations in flight, by run id: stopping the server cancels them and closes their responses. */
  private readonly inflight = new Map<string, ServerResponse>();
  private readonly routes: RouteContext;
  readonly keys: ApiKeys;
  private metrics = new ApiMetrics();
  /** Tokens each response reported, read when the request ends. */
  private readonly tokensOf = new WeakMap<ServerResponse, [number, number]>();
  private readonly onEngineStatus = () => {
    const modelId = this.deps.engine.loadedModelId;
    if (this.st.running && modelId !== this.st.modelId) this.set({ modelId });
  };

  constructor(
    readonly deps: {
      engine: EngineService;
      models: ModelsService;
      runs: RunsService;
      db: Db;
      /** Runs a request as the profile its key belongs to (runs and audit records name them). */
      actAs?: <T>(profileId: string, fn: () => T) => T;
    },
  ) {
    super();
    this.keys = new ApiKeys({ db: deps.db });
    this.routes = { ...deps, track: (runId, res) => this.track(runId, res), usage: (res, p, c) => void this.tokensOf.set(res, [p, c]) };
    deps.engine.on('status', this.onEngineStatus);
  }

  status(): ApiServerStatus {
    return this.st;
  }

  private set(patch: Partial<ApiServerStatus>): void {
    this.st = { ...this.st, ...patch };
    this.emit('status', this.st);
  }

  /**
   * Serves the loaded model on 127.0.0.1. When it has fewer context sequences than `parallel`, it is
   * reloaded with the same settings and more sequences. Returns the bearer key (generated when none is
   * given); it is not kept anywhere in plain text.
   */
  async start(settings: ApiServerSettings): Promise<{ status: ApiServerStatus; key: string }> {
    if (this.server || this.starting) {
      throw new CoreError('CONFLICT', `The API server is already running${this.st.baseUrl ? ` at ${this.st.baseUrl}` : ''}; stop it first.`);
    }
    this.starting = true;
    try {
      const { engine } = this.deps;
      const es = engine.status;
      if (es.state !== 'ready' || !es.modelId || !es.modelPath || !es.settings) {
        throw new CoreError('CONFLICT', 'Load a local model before starting the API server: it serves the loaded model.');
      }
      if (es.settings.sequences < settings.parallel) {
        await engine.load(es.modelId, es.modelPath, { ...es.settings, sequences: settings.parallel });
      }
      const key = settings.key ?? `lamplight-${randomBytes(24).toString('base64url')}`;
      const server = createServer((req, res) => void this.handle(req, res));
      const port = await listen(server, settings.port);
      this.server = server;
      this.keyHash = keyDigest(key);
      this.metrics = new ApiMetrics();
      this.set({
        running: true,
        baseUrl: `http://127.0.0.1:${port}/v1`,
        port,
        parallel: settings.parallel,
        modelId: engine.loadedModelId,
        requests: 0,
        error: null,
      });
      return { status: this.st, key };
    } catch (e) {
      this.set({ error: (e as Error).message });
      throw e;
    } finally {
      this.starting = false;
    }
  }

  /** Closes the server; generations in flight are cancelled (stored as 'abort') and their streams closed. */
  async stop(): Promise<ApiServerStatus> {
    const server = this.server;
    if (!server) return this.st;
    this.server = null;
    this.keyHash = null;
    for (const [runId, res] of this.inflight) {
      this.deps.runs.cancel(runId);
      res.destroy();
    }
    this.inflight.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.set({ running: false, baseUrl: null, port: null, parallel: null, modelId: null, error: null });
    return this.st;
  }

  async close(): Promise<void> {
    await this.stop();
    this.deps.engine.off('status', this.onEngineStatus);
  }

  private track(runId: string, res: ServerResponse): () => void {
    this.inflight.set(runId, res);
    // A client that goes away mid-generation frees its sequence for the next request.
    const onClose = () => {
      if (!res.writableFinished) this.deps.runs.cancel(runId);
    };
    res.once('close', onClose);
    return () => {
      this.inflight.delete(runId);
      res.off('close', onClose);
    };
  }

  /** The start key (the owner's) or an unrevoked issued key; 401 otherwise. */
  private identify(req: IncomingMessage, keyHash: Buffer): { who: KeyIdentity; row: KeyRow | null } {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (!m) throw new ApiError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.", null, 'invalid_api_key');
    const key = m[1] as string;
    if (timingSafeEqual(keyDigest(key), keyHash)) return { who: OWNER_KEY, row: null };
    const found = key.length <= 512 ? this.keys.find(key) : null;
    if (!found) throw new ApiError(401, 'Incorrect API key provided, or the key was revoked.', null, 'invalid_api_key');
    const { row, ...who } = found;
    return { who, row };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    let who: KeyIdentity | null = null;
    try {
      const keyHash = this.keyHash;
      if (!keyHash) throw new ApiError(503, 'The server is stopping.', null, 'server_stopping');
      let row: KeyRow | null;
      try {
        ({ who, row } = this.identify(req, keyHash));
      } catch (e) {
        this.metrics.observe('none', 401, 0, 0, performance.now() - startedAt);
        return sendError(res, e as ApiError, { 'www-authenticate': 'Bearer' });
      }
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
      } catch {
        throw new ApiError(400, 'The request URL is malformed.');
      }
      const method = req.method ?? 'GET';
      if (path === '/metrics') {
        if (who.id !== null && who.scope !== 'metrics') throw new ApiError(403, `Key ${who.prefix}… may not read /metrics: use the server's start key or a metrics key.`, null, 'insufficient_permissions');
        const text = this.metrics.render(this.inflight.size, this.st.parallel ?? 1);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
        return;
      }
      if (who.scope === 'metrics') throw new ApiError(403, `Key ${who.prefix}… may read only GET /metrics.`, null, 'insufficient_permissions');
      const refused = row ? this.keys.admit(row) : null;
      if (refused) {
        return sendError(res, new ApiError(429, refused.message, null, refused.code), refused.retryAfterS ? { 'retry-after': String(refused.retryAfterS) } : {});
      }
      this.set({ requests: this.st.requests + 1 });
      const profileId = who.profileId;
      const route = () => this.route(req, res, method, path);
      await (profileId && this.deps.actAs ? this.deps.actAs(profileId, route) : route());
    } catch (e) {
      this.fail(res, e);
    } finally {
      try {
        if (who) this.account(who, req, res, performance.now() - startedAt);
      } catch (e) {
        // The answer has gone out; a usage row that could not be written must not end the process.
        console.error(`Lamplight API server: usage not recorded: ${(e as Error).message}`);
      }
    }
  }

  /** Usage per key and target, the metrics, and a budget alert when a key passes 80% of its month. */
  private account(who: KeyIdentity, req: IncomingMessage, res: ServerResponse, latencyMs: number): void {
    if ((req.url ?? '').startsWith('/metrics')) return;
    const [promptTokens, completionTokens] = this.tokensOf.get(res) ?? [0, 0];
    const status = res.statusCode;
    this.metrics.observe(who.prefix, status, promptTokens, completionTokens, latencyMs);
    const targetKey = `local:${this.deps.engine.loadedModelId ?? 'none'}`;
    const alert = this.keys.record(who, { targetKey, status, promptTokens, completionTokens, latencyMs });
    if (alert) this.emit('budgetAlert', alert);
  }

  private async route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    if (method === 'GET' && path === '/v1/models') return listModels(this.routes, res);
    if (method === 'GET' && path.startsWith('/v1/models/')) return getModel(this.routes, res, decodeURIComponent(path.slice('/v1/models/'.length)));
    if (method === 'POST' && path === '/v1/chat/completions') return await chatCompletions(this.routes, req, res);
    if (method === 'POST' && path === '/v1/completions') return await completions(this.routes, req, res);
    if (method === 'POST' && path === '/v1/embeddings') return await embeddings(this.routes, req, res);
    throw new ApiError(404, `Invalid URL (${method} ${path || '/'})`, null, 'unknown_url');
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) {
      // A body left unread (413) would otherwise be drained from a client that may never stop sending.
      return sendError(res, e, e.status === 413 ? { connection: 'close' } : {});
    }
    if (e instanceof CoreError && e.code === 'CONFLICT') return sendError(res, new ApiError(503, e.message, null, 'model_not_loaded'));
    if (e instanceof CoreError && e.code === 'BAD_INPUT') return sendError(res, new ApiError(400, e.message));
    sendError(res, new ApiError(500, `Internal error: ${(e as Error).message}`, null, 'internal_error'));
  }
}
