// Lamplight's OpenAI-compatible server over the loaded local model, like LM Studio's: off until started,
// 127.0.0.1 only, a bearer key on every request, and every generation stored in the run history.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiServerSettings, ApiServerStatus } from '../../shared/apiServer.schema';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { RunsService } from '../runs/runs.service';
import { ApiError, checkBearer, keyDigest, sendError } from './apiHttp';
import { chatCompletions, completions, embeddings, getModel, listModels, type RouteContext } from './openaiRoutes';

export interface ApiServerEvents {
  status: [ApiServerStatus];
}

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
  private readonly onEngineStatus = () => {
    const modelId = this.deps.engine.loadedModelId;
    if (this.st.running && modelId !== this.st.modelId) this.set({ modelId });
  };

  constructor(readonly deps: { engine: EngineService; models: ModelsService; runs: RunsService }) {
    super();
    this.routes = { ...deps, track: (runId, res) => this.track(runId, res) };
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const keyHash = this.keyHash;
      if (!keyHash) throw new ApiError(503, 'The server is stopping.', null, 'server_stopping');
      const denied = checkBearer(req, keyHash);
      if (denied) return sendError(res, denied, { 'www-authenticate': 'Bearer' });
      this.set({ requests: this.st.requests + 1 });
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
      } catch {
        throw new ApiError(400, 'The request URL is malformed.');
      }
      const method = req.method ?? 'GET';
      if (method === 'GET' && path === '/v1/models') return listModels(this.routes, res);
      if (method === 'GET' && path.startsWith('/v1/models/')) return getModel(this.routes, res, decodeURIComponent(path.slice('/v1/models/'.length)));
      if (method === 'POST' && path === '/v1/chat/completions') return await chatCompletions(this.routes, req, res);
      if (method === 'POST' && path === '/v1/completions') return await completions(this.routes, req, res);
      if (method === 'POST' && path === '/v1/embeddings') return await embeddings(this.routes, req, res);
      throw new ApiError(404, `Invalid URL (${method} ${path || '/'})`, null, 'unknown_url');
    } catch (e) {
      if (e instanceof ApiError) {
        // A body left unread (413) would otherwise be drained from a client that may never stop sending.
        return sendError(res, e, e.status === 413 ? { connection: 'close' } : {});
      }
      if (e instanceof CoreError && e.code === 'CONFLICT') return sendError(res, new ApiError(503, e.message, null, 'model_not_loaded'));
      if (e instanceof CoreError && e.code === 'BAD_INPUT') return sendError(res, new ApiError(400, e.message));
      sendError(res, new ApiError(500, `Internal error: ${(e as Error).message}`, null, 'internal_error'));
    }
  }
}
