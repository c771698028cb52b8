// Wires the plain-Node services into one core that the Electron shell, the browser host and the CLI share.
import { EventEmitter } from 'node:events';
import { freemem } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  commands,
  isCommandName,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
  type LamplightApi,
  type WireResult,
} from '../shared/contract';
import type { AppInfo } from '../shared/app.schema';
import { openDb, type Db } from './db/openDb';
import type { HandlersFor } from './handlerMap';
import { EngineService } from './engine/engine.service';
import type { SpawnWorker } from './engine/protocol';
import { spawnNodeWorker } from './engine/spawnNodeWorker';
import { CoreError, toWireError } from './errors';
import { DownloadsService } from './models/downloads.service';
import { ModelsRepo } from './models/models.repo';
import { ModelsService } from './models/models.service';
import { RunsRepo } from './runs/runs.repo';
import { RunsService } from './runs/runs.service';
import { ApiServerService } from './apiServer/apiServer.service';
import { CompareRepo } from './compare/compare.repo';
import { CompareService } from './compare/compare.service';
import { FileSecretStore, type SecretStore } from './secrets/secretStore';
import { TargetsRepo } from './targets/targets.repo';
import { PromptsRepo } from './prompts/prompts.repo';
import { PromptsService } from './prompts/prompts.service';
import { promptHandlers } from './prompts/prompts.handlers';
import { TestSetsRepo } from './testsets/testsets.repo';
import { TestSetsService } from './testsets/testsets.service';
import { testSetHandlers } from './testsets/testsets.handlers';
import { EvalsRepo } from './evals/evals.repo';
import { coreEvalTargets, EvalsService, testSetRowsSource } from './evals/evals.service';
import { evalHandlers } from './evals/evals.handlers';
import { TargetsService } from './targets/targets.service';
import { DatasetsRepo } from './datasets/datasets.repo';
import { DatasetsService } from './datasets/datasets.service';
import { datasetHandlers } from './datasets/datasets.handlers';
import { coreDatasetDeps } from './datasets/coreDeps';
import { adapterHandlers } from './adapters/adapters.handlers';
import { AdaptersRepo } from './adapters/adapters.repo';
import { AdaptersService } from './adapters/adapters.service';
import { targetsHandlers } from './targets/targets.handlers';
import { trainingHandlers } from './training/training.handlers';
import { benchHandlers } from './bench/bench.handlers';
import { BenchRepo } from './bench/bench.repo';
import { BenchService, coreBenchTargets } from './bench/bench.service';
import { coreBenchSources } from './bench/benchSources';
import { tokenCounter as remoteTokenCounter } from './remote/tokenize';
import { costColumns } from './bench/benchCosts';
import { TrainingRepo } from './training/training.repo';
import { TrainingService } from './training/training.service';
import { GuardService } from './guard/guard.service';
import { guardHandlers } from './guard/guard.handlers';
import { AuditLog } from './guard/auditLog';
import { AuditRecorder } from './guard/auditRecorder';
import { targetDescriber } from './guard/describeTarget';
import { ProfilesService, type Actor } from './profiles/profiles.service';
import { profileHandlers } from './profiles/profiles.handlers';
import { applyPendingRestore, BackupService } from './backup/backup.service';
import { backupHandlers } from './backup/backup.handlers';
import { RunSearch } from './runs/runSearch';
import { RunRemoval } from './runs/runRemoval';
import { appHandlers } from './app/app.handlers';
import { modelsHandlers } from './models/models.handlers';
import { engineHandlers } from './engine/engine.handlers';
import { runEventOwner, runsHandlers } from './runs/runs.handlers';
import { compareHandlers } from './compare/compare.handlers';
import { apiServerHandlers } from './apiServer/apiServer.handlers';
import { ImageStore } from './images/imageStore';
import { ImagesRepo } from './images/images.repo';
import { imagesHandlers } from './images/images.handlers';
import { ExtractionRepo } from './extraction/extraction.repo';
import { ExtractionService } from './extraction/extraction.service';
import { extractionHandlers } from './extraction/extraction.handlers';
import { VisionService } from './vision/vision.service';
import { visionHandlers } from './vision/vision.handlers';
import { TeamRepo } from './team/team.repo';
import { TeamService } from './team/team.service';
import { teamHandlers } from './team/team.handlers';
import { teamRowScope } from './team/teamScope';
import { teamEventProfile } from '../shared/team.schema';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../shared/images.schema';
import { ImageGuardService } from './imageGuard/imageGuard.service';
import { imageGuardHandlers } from './imageGuard/imageGuard.handlers';

export interface CoreOptions {
  dataDir: string;
  version: string;
  transport: AppInfo['transport'];
  spawnWorker?: SpawnWorker;
  /** Memory a model may use; default: what the OS reports free at load time. */
  memoryLimitBytes?: number | null;
  /** Where API keys live; default: a 0600 file in the data folder (Electron passes safeStorage). */
  secrets?: SecretStore;
  /** The llama-server binary for vision models (CLI --server-bin); Settings' choice wins over it. */
  serverBin?: string | null;
}

type Handlers = HandlersFor<typeof commands>;

export interface Core extends LamplightApi {
  readonly dataDir: string;
  readonly db: Db;
  readonly engine: EngineService;
  readonly models: ModelsService;
  readonly runs: RunsService;
  readonly targets: TargetsService;
  readonly apiServer: ApiServerService;
  readonly evals: EvalsService;
  readonly datasets: DatasetsService;
  readonly training: TrainingService;
  readonly adapters: AdaptersService;
  readonly bench: BenchService;
  readonly guard: GuardService;
  readonly profiles: ProfilesService;
  /** Prompt images by content hash; features that keep hashes register their references with it. */
  readonly images: ImageStore;
  readonly vision: VisionService;
  readonly team: TeamService;
  /** Images to remote targets: allow, block, or OCR and paint over personal numbers (guard policy images). */
  readonly imageGuard: ImageGuardService;
  /**
   * Untrusted input from a transport: the acting profile's role is checked first, then the input is
   * validated; errors are returned as data, never thrown. No actor: the owner (Electron window, CLI).
   */
  dispatch(name: unknown, input: unknown, actor?: Actor | null): Promise<WireResult<unknown>>;
  onAny(listener: <E extends EventName>(name: E, payload: EventPayload<E>) => void): () => void;
  /**
   * The events one profile may see (its role, read fresh per event; a run's events also reach the profile
   * that started it). Transports deliver through this, never through onAny.
   */
  onEventFor(profileId: string, listener: <E extends EventName>(name: E, payload: EventPayload<E>) => void): () => void;
  close(): Promise<void>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

export function createCore(opts: CoreOptions): Core {
  const secrets = opts.secrets ?? new FileSecretStore(opts.dataDir);
  // A restore verified from the UI is put in place now, before anything holds the database.
  applyPendingRestore(opts.dataDir, secrets);
  const db = openDb(join(opts.dataDir, 'lamplight.db'), undefined, opts.version);
  const bus = new EventEmitter();
  const emit = <E extends EventName>(name: E, payload: EventPayload<E>) => bus.emit('event', name, payload);

  const images = new ImageStore({ repo: new ImagesRepo(db), dir: join(opts.dataDir, 'images') });
  const models = new ModelsService(new ModelsRepo(db));
  const engine = new EngineService(opts.spawnWorker ?? spawnNodeWorker, () =>
    opts.memoryLimitBytes === undefined ? freemem() : opts.memoryLimitBytes,
  );
  const runSearch = new RunSearch(db);
  const downloads = new DownloadsService(models, join(opts.dataDir, 'models'));
  const targets = new TargetsService(new TargetsRepo(db), secrets);
  const adapters = new AdaptersService(new AdaptersRepo(db), models);
  const audit = new AuditRecorder(new AuditLog(db, { dataDir: opts.dataDir, secrets }));
  const profiles = new ProfilesService({ db, audit });
  const guard = new GuardService({ db, audit, profiles, describeTarget: targetDescriber({ targets, models, adapters }) });
  const imageGuard = new ImageGuardService({ images, policy: () => guard.policy(), dataDir: opts.dataDir, maxPixelsFor: (id) => targets.get(id).maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS });
  const runsRepo = new RunsRepo(db);
  // vision is made further down; runs ask it for an endpoint only when an image run starts.
  const runs = new RunsService({ repo: runsRepo, models, engine, guard, remote: targets, adapters, images, vision: { endpoint: (id) => vision.endpoint(id) }, imageGuard });
  images.registerRefs('runs', () => runsRepo.imageRefs());
  const runRemoval = new RunRemoval({ db, audit, actor: () => profiles.actor(), images });
  runRemoval.on('removed', (p) => emit('runs.removed', p));
  const compare = new CompareService(new CompareRepo(db), runs);
  const apiServer = new ApiServerService({ engine, models, runs, db, dataDir: opts.dataDir, actAs: (id, fn) => profiles.actAsApiKey(id, fn) });
  const prompts = new PromptsService(new PromptsRepo(db));
  const testSets = new TestSetsService(new TestSetsRepo(db), { images });
  const extractionRepo = new ExtractionRepo(db);
  const templateNames = (id: string) => extractionRepo.get(id)?.name ?? null;
  const evals = new EvalsService({ repo: new EvalsRepo(db), runs, prompts, rows: testSetRowsSource(testSets), targets: coreEvalTargets({ engine, models, targets, adapters }), images, templateNames });
  evals.on('progress', (p) => emit('evals.progress', p));
  const extraction = new ExtractionService({ repo: extractionRepo, images, evalResults: (id, page) => evals.results(id, page) });
  const datasets = new DatasetsService({ repo: new DatasetsRepo(db), images, rowScope: teamRowScope(db, profiles), ...coreDatasetDeps({ engine, models, prompts, runs }) });
  datasets.on('importProgress', (p) => emit('datasets.importProgress', p));
  datasets.on('jobProgress', (p) => emit('datasets.jobProgress', p));
  datasets.resume();
  const training = new TrainingService({ repo: new TrainingRepo(db), datasets, models, adapters });
  training.on('progress', (p) => emit('training.progress', p));
  const bench = new BenchService({
    repo: new BenchRepo(db),
    runs,
    targets: coreBenchTargets({ engine, models, describe: coreEvalTargets({ engine, models, targets, adapters }).describe }),
    sources: coreBenchSources({ datasets, prompts, testSetRows: testSetRowsSource(testSets), images }),
    tokenCounter: (t) => (t.kind === 'remote' ? remoteTokenCounter(targets.replicaEndpoints(t.targetId).endpoints[0]!, t.model) : Promise.resolve(null)),
    costColumns,
  });
  bench.on('progress', (p) => emit('bench.progress', p));
  const backup = new BackupService({ db, dataDir: opts.dataDir, secrets, appVersion: opts.version, actorName: () => profiles.actor().name, images });
  backup.on('progress', (p) => emit('backup.progress', p));
  const vision = new VisionService({ models, dataDir: opts.dataDir, serverBin: opts.serverBin });
  vision.on('status', (s) => emit('vision.status', s));
  vision.on('buildProgress', (p) => emit('vision.buildProgress', p));
  const team = new TeamService({ repo: new TeamRepo(db), datasets, profiles });
  team.on('progress', (p) => emit('team.progress', p));

  models.on('changed', (m) => emit('models.changed', m));
  engine.on('status', (s) => emit('engine.status', s));
  runs.on('chunk', (c) => emit('runs.chunk', c));
  runs.on('finished', (r) => emit('runs.finished', r));
  downloads.on('progress', (p) => emit('downloads.progress', p));
  targets.on('changed', (t) => emit('targets.changed', t));
  apiServer.on('status', (st) => emit('apiServer.status', st));
  apiServer.on('budgetAlert', (a) => emit('apiServer.budgetAlert', a));

  const runOwnerOf = runEventOwner(runs);
  // Start-up collection, once every feature has registered the image hashes it keeps.
  images.gcSoon();

  const handlers: Handlers = {
    ...appHandlers(opts),
    ...modelsHandlers({ models, downloads, engine }),
    ...engineHandlers({ engine, models }),
    ...runsHandlers({ runs, runSearch, adapters, runRemoval }),
    ...targetsHandlers(targets),
    ...compareHandlers(compare),
    ...apiServerHandlers({ apiServer, profiles }),
    ...promptHandlers(prompts),
    ...testSetHandlers(testSets),
    ...evalHandlers(evals),
    ...datasetHandlers(datasets, profiles),
    ...adapterHandlers(adapters),
    ...trainingHandlers(training),
    ...benchHandlers(bench),
    ...guardHandlers(guard),
    ...profileHandlers(profiles),
    ...backupHandlers(backup),
    ...imagesHandlers(images),
    ...extractionHandlers(extraction),
    ...visionHandlers(vision),
    ...teamHandlers(team),
    ...imageGuardHandlers(imageGuard),
  };

  async function dispatch(name: unknown, input: unknown, actor?: Actor | null): Promise<WireResult<unknown>> {
    if (!isCommandName(name)) return { ok: false, error: { code: 'BAD_INPUT', message: `Unknown command: ${String(name)}` } };
    // Everything the handler starts (runs, jobs) carries the actor, for its permission and its audit record.
    return profiles.runAs(actor ?? null, async (): Promise<WireResult<unknown>> => {
      try {
        profiles.authorize(name); // before parsing: a refused command learns nothing about its input
      } catch (e) {
        return { ok: false, error: toWireError(e, opts.dataDir) };
      }
      const parsed = commands[name].input.safeParse(input ?? {});
      if (!parsed.success) {
        return { ok: false, error: { code: 'BAD_INPUT', message: `${name}: ${describeIssues(parsed.error)}` } };
      }
      try {
        const handler = handlers[name] as (i: unknown) => unknown;
        return { ok: true, value: await handler(parsed.data) };
      } catch (e) {
        return { ok: false, error: toWireError(e, opts.dataDir) };
      }
    });
  }

  return {
    dataDir: opts.dataDir,
    db,
    engine,
    models,
    runs,
    targets,
    apiServer,
    evals,
    datasets,
    adapters,
    training,
    bench,
    guard,
    profiles,
    images,
    vision,
    team,
    imageGuard,
    dispatch,
    async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      const r = await dispatch(name, input);
      if (!r.ok) throw new CoreError(r.error.code, r.error.message);
      return r.value as CommandOutput<N>;
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
      const l = (n: EventName, p: unknown) => {
        if (n === name) listener(p as EventPayload<E>);
      };
      bus.on('event', l);
      return () => bus.off('event', l);
    },
    onAny(listener) {
      bus.on('event', listener);
      return () => bus.off('event', listener);
    },
    onEventFor(profileId, listener) {
      const l = <E extends EventName>(name: E, payload: EventPayload<E>) => {
        // A team event also reaches the one labeler it concerns (teamEventProfile), whatever its role.
        if (profiles.maySee(profileId, name, () => runOwnerOf(name, payload)) || teamEventProfile(name, payload) === profileId) listener(name, payload);
      };
      bus.on('event', l);
      return () => bus.off('event', l);
    },
    async close() {
      // First: a running training command is stopped and its row written while the database is open.
      await training.close();
      await backup.close();
      evals.close();
      bench.close();
      await datasets.close();
      await apiServer.close();
      runs.close();
      await downloads.close();
      models.close();
      adapters.close();
      await engine.close();
      await vision.close();
      await models.idle().catch(() => undefined);
      await adapters.idle().catch(() => undefined);
      testSets.close();
      guard.close();
      await imageGuard.close();
      await images.close();
      db.close();
    },
  };
}
