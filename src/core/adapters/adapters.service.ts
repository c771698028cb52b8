// The adapter library: LoRA GGUF files with their header metadata, a background sha256, provenance when
// Lamplight packaged the training, and the compatibility check a run with adapters passes before loading.
import { EventEmitter } from 'node:events';
import { basename, resolve } from 'node:path';
import type { AdapterCheck, AdapterInfo, AdapterProvenance } from '../../shared/adapters.schema';
import { ulid } from '../../shared/ids';
import type { AdapterUse } from '../../shared/adapters.schema';
import { CoreError } from '../errors';
import { HashQueue } from '../models/hashQueue';
import type { ModelsService } from '../models/models.service';
import { checkAdapterFiles, inspectAdapter } from './adapterInspect';
import type { AdaptersRepo } from './adapters.repo';

export interface AdaptersEvents {
  changed: [AdapterInfo];
}

/** An adapter as a run uses it: its file, its scale and how history names it. */
export interface ResolvedAdapter {
  adapterId: string;
  path: string;
  scale: number;
  /** "my-adapter@0.5" */
  label: string;
}

/** The file name without .gguf: trained adapters often carry the base model's general.name, which says nothing. */
export function adapterName(a: Pick<AdapterInfo, 'fileName'>): string {
  return a.fileName.replace(/\.gguf$/i, '');
}

export class AdaptersService extends EventEmitter<AdaptersEvents> {
  private readonly hashes: HashQueue;
  /** Verdicts by adapter and model id: the files are read once, not before every run. */
  private readonly verdicts = new Map<string, AdapterCheck>();

  constructor(
    private readonly repo: AdaptersRepo,
    private readonly models: Pick<ModelsService, 'get'>,
  ) {
    super();
    this.hashes = new HashQueue(repo, (id) => {
      const a = this.repo.get(id);
      if (a) this.emit('changed', a);
    });
    for (const a of repo.pendingHashes()) this.queueHash(a.id, a.path);
  }

  list(): AdapterInfo[] {
    return this.repo.list();
  }

  /** The entry, or null when there is none. */
  find(id: string): AdapterInfo | null {
    return this.repo.get(id) ?? null;
  }

  get(id: string): AdapterInfo {
    const a = this.repo.get(id);
    if (!a) throw new CoreError('NOT_FOUND', `No adapter with id ${id}`);
    return a;
  }

  /** Adds a LoRA GGUF file; refuses models and other files, naming the file and why. */
  async add(path: string): Promise<AdapterInfo> {
    const abs = resolve(path);
    if (this.repo.getByPath(abs)) throw new CoreError('CONFLICT', `${basename(abs)} is already in the adapter library`);
    return this.insert(abs, null);
  }

  /**
   * Registers an adapter the training service produced, with where it came from. A file already in the
   * library gets the provenance (a re-run of the same training writes to the same path).
   */
  async register(path: string, provenance: AdapterProvenance): Promise<AdapterInfo> {
    const abs = resolve(path);
    const existing = this.repo.getByPath(abs);
    if (!existing) return this.insert(abs, provenance);
    this.repo.setProvenance(existing.id, provenance);
    this.forget(existing.id);
    this.queueHash(existing.id, abs);
    return this.get(existing.id);
  }

  private async insert(abs: string, provenance: AdapterProvenance | null): Promise<AdapterInfo> {
    const inspection = await inspectAdapter(abs);
    const adapter = this.repo.insert({
      id: ulid(),
      path: abs,
      fileName: basename(abs),
      sizeBytes: inspection.sizeBytes,
      metadata: inspection.metadata,
      provenance,
      addedAt: Date.now(),
    });
    this.queueHash(adapter.id, abs);
    return adapter;
  }

  remove(id: string): boolean {
    this.forget(id);
    return this.repo.remove(id);
  }

  /** Architecture, sizes and every tensor shape against the base model's file, without loading either. */
  async check(adapterId: string, modelId: string): Promise<AdapterCheck> {
    const adapter = this.get(adapterId);
    const model = this.models.get(modelId);
    const verdict = await checkAdapterFiles(adapter.path, model.path);
    this.verdicts.set(`${adapterId}\u0000${modelId}`, verdict);
    return verdict;
  }

  /** The last check of this pair, if there was one (runs.start is synchronous). */
  knownVerdict(adapterId: string, modelId: string): AdapterCheck | null {
    return this.verdicts.get(`${adapterId}\u0000${modelId}`) ?? null;
  }

  /** Files, scales and labels of the adapters a run uses, from the library. */
  resolveUses(uses: readonly AdapterUse[]): ResolvedAdapter[] {
    return uses.map((u) => {
      const a = this.get(u.adapterId);
      return { adapterId: a.id, path: a.path, scale: u.scale, label: `${adapterName(a)}@${u.scale}` };
    });
  }

  /** The refusal a run with these adapters gets from checks already made; null when none failed yet. */
  knownRefusal(uses: readonly AdapterUse[], modelId: string): CoreError | null {
    for (const u of uses) {
      const verdict = this.knownVerdict(u.adapterId, modelId);
      if (verdict && !verdict.compatible) return incompatibleError(this.get(u.adapterId), verdict);
    }
    return null;
  }

  /** Checks every adapter of a run against the model; throws the first mismatch's reason. */
  async assertCompatible(uses: readonly AdapterUse[], modelId: string): Promise<void> {
    for (const u of uses) {
      const verdict = this.knownVerdict(u.adapterId, modelId) ?? (await this.check(u.adapterId, modelId));
      if (!verdict.compatible) throw incompatibleError(this.get(u.adapterId), verdict);
    }
  }

  private forget(adapterId: string): void {
    for (const key of this.verdicts.keys()) if (key.startsWith(`${adapterId}\u0000`)) this.verdicts.delete(key);
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

export function incompatibleError(adapter: Pick<AdapterInfo, 'fileName'>, verdict: AdapterCheck): CoreError {
  return new CoreError('BAD_INPUT', `${adapter.fileName} does not fit this model: ${verdict.reason ?? 'incompatible'}`);
}
