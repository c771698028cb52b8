import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { ulid } from '../../shared/ids';
import type { ModelInfo } from '../../shared/models.schema';
import { CoreError } from '../errors';
import { inspectGguf, ModelFileError } from './ggufInspect';
import { HashQueue } from './hashQueue';
import type { ModelsRepo } from './models.repo';

export interface ModelsEvents {
  changed: [ModelInfo];
  /** A model left the library (its id); engines holding it stop. */
  removed: [string];
}

async function findGgufFiles(dir: string, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > 4) return out;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await findGgufFiles(p, depth + 1, out);
    else if (e.isFile() && e.name.toLowerCase().endsWith('.gguf')) out.push(p);
  }
  return out.sort();
}

export class ModelsService extends EventEmitter<ModelsEvents> {
  private readonly hashes: HashQueue;

  constructor(private readonly repo: ModelsRepo) {
    super();
    this.hashes = new HashQueue(repo, (id) => {
      const m = this.repo.get(id);
      if (m) this.emit('changed', m);
    });
    // Hashes interrupted by a previous exit are picked up again.
    for (const m of repo.pendingHashes()) this.queueHash(m.id, m.path);
  }

  list(): ModelInfo[] {
    return this.repo.list();
  }

  /** The entry, or null when there is none. */
  find(id: string): ModelInfo | null {
    return this.repo.get(id) ?? null;
  }

  get(id: string): ModelInfo {
    const m = this.repo.get(id);
    if (!m) throw new CoreError('NOT_FOUND', `No model with id ${id}`);
    return m;
  }

  /** Finds a model by id or by file path (adding the file when it is not in the library yet). */
  async resolve(idOrPath: string): Promise<ModelInfo> {
    const byId = this.repo.get(idOrPath);
    if (byId) return byId;
    return this.add(idOrPath);
  }

  async add(path: string): Promise<ModelInfo> {
    const abs = resolve(path);
    const existing = this.repo.getByPath(abs);
    if (existing) return existing;
    const inspection = await inspectGguf(abs);
    const model = this.repo.insert({
      id: ulid(),
      path: abs,
      fileName: basename(abs),
      sizeBytes: inspection.sizeBytes,
      mtimeMs: inspection.mtimeMs,
      metadata: inspection.metadata,
      addedAt: Date.now(),
    });
    this.queueHash(model.id, abs);
    return model;
  }

  async scan(dir: string): Promise<{ added: ModelInfo[]; errors: { path: string; message: string }[] }> {
    const abs = resolve(dir);
    try {
      if (!(await stat(abs)).isDirectory()) throw new CoreError('BAD_INPUT', `${abs} is not a folder`);
    } catch (e) {
      if (e instanceof CoreError) throw e;
      throw new CoreError('NOT_FOUND', `Folder not found: ${abs}`);
    }
    const added: ModelInfo[] = [];
    const errors: { path: string; message: string }[] = [];
    for (const file of await findGgufFiles(abs)) {
      try {
        added.push(await this.add(file));
      } catch (e) {
        errors.push({ path: file, message: e instanceof ModelFileError ? e.message : (e as Error).message });
      }
    }
    return { added, errors };
  }

  remove(id: string): boolean {
    const removed = this.repo.remove(id);
    if (removed) this.emit('removed', id);
    return removed;
  }

  private queueHash(id: string, path: string): void {
    this.hashes.add(id, path);
  }

  /** Resolves when every queued hash is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.hashes.idle();
  }

  close(): void {
    this.hashes.close();
  }
}
