// Roles and the permission matrix. The core checks it on every command before anything runs; the UI reads
// it only to hide what would be refused. A new command must be placed here or the build fails.
import { z } from 'zod';
import type { CommandName, EventName } from './contract';

export const Role = z.enum(['admin', 'prompt_engineer', 'labeler', 'analyst']);
export type Role = z.infer<typeof Role>;

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Admin',
  prompt_engineer: 'Prompt engineer',
  labeler: 'Labeler',
  analyst: 'Analyst',
};

/** What a command needs. */
export type Permission =
  | 'view' // read what is stored
  | 'run' // send prompts to models (playground, compare, evaluations, benchmarks), load a model
  | 'editPrompts' // prompts and test sets
  | 'label' // label rows, draft labels with a model
  | 'manageData' // import, split, rename, remove datasets and results
  | 'export' // write data out of Lamplight
  | 'manageModels' // model and adapter files, training, cost profiles
  | 'admin' // policies, endpoints, profiles, the API server
  | 'audit'; // read, verify and export the audit log

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['view', 'run', 'editPrompts', 'label', 'manageData', 'export', 'manageModels', 'admin', 'audit'],
  prompt_engineer: ['view', 'run', 'editPrompts', 'label', 'manageData', 'export', 'manageModels'],
  labeler: ['view', 'label'],
  analyst: ['view', 'run', 'export'],
};

export const PERMISSION_LABEL: Record<Permission, string> = {
  view: 'view',
  run: 'run models',
  editPrompts: 'edit prompts and test sets',
  label: 'label',
  manageData: 'manage datasets',
  export: 'export',
  manageModels: 'manage models and adapters',
  admin: 'change policies, endpoints and profiles',
  audit: 'read the audit log',
};

export const COMMAND_PERMISSION: Record<CommandName, Permission> = {
  'app.info': 'view',
  'session.whoami': 'view',

  'models.list': 'view',
  'models.add': 'manageModels',
  'models.scan': 'manageModels',
  'models.remove': 'manageModels',
  'models.download': 'manageModels',
  'models.cancelDownload': 'manageModels',
  'models.downloads': 'view',
  'models.template': 'view',

  'engine.status': 'view',
  'engine.load': 'run',
  'engine.unload': 'run',
  'engine.restart': 'run',

  'prompt.render': 'view',
  'runs.start': 'run',
  'runs.cancel': 'run',
  // Runs hold prompts and replies: readable by those who may run models (a labeler sees only its drafts'
  // results, through the dataset).
  'runs.list': 'run',
  'runs.get': 'run',
  'runs.search': 'run',

  'targets.list': 'view',
  'targets.add': 'admin',
  'targets.update': 'admin',
  'targets.remove': 'admin',
  'targets.check': 'run',
  'targets.loadLora': 'manageModels',
  'targets.unloadLora': 'manageModels',

  'compare.start': 'run',
  'compare.list': 'view',
  'compare.get': 'view',

  'apiServer.status': 'view',
  'apiServer.start': 'admin',
  'apiServer.stop': 'admin',

  'prompts.list': 'view',
  'prompts.create': 'editPrompts',
  'prompts.get': 'view',
  'prompts.version': 'view',
  'prompts.saveVersion': 'editPrompts',
  'prompts.diff': 'view',
  'prompts.restore': 'editPrompts',
  'prompts.fork': 'editPrompts',
  'prompts.setLabel': 'editPrompts',
  'prompts.removeLabel': 'editPrompts',
  'prompts.labelHistory': 'view',
  'prompts.rename': 'editPrompts',
  'prompts.remove': 'editPrompts',
  'prompts.render': 'view',

  'testsets.list': 'view',
  'testsets.get': 'view',
  'testsets.create': 'editPrompts',
  'testsets.remove': 'editPrompts',
  'testsets.preview': 'editPrompts',
  'testsets.import': 'editPrompts',
  'testsets.cancelImport': 'editPrompts',
  'testsets.rows': 'view',
  'testsets.addRow': 'editPrompts',
  'testsets.updateRow': 'editPrompts',
  'testsets.deleteRow': 'editPrompts',
  'testsets.addVariable': 'editPrompts',
  'testsets.removeVariable': 'editPrompts',
  'testsets.renameVariable': 'editPrompts',
  'testsets.exportJsonl': 'export',

  'evals.create': 'run',
  'evals.list': 'view',
  'evals.get': 'view',
  'evals.start': 'run',
  'evals.cancel': 'run',
  'evals.remove': 'manageData',
  'evals.results': 'view',
  'evals.compare': 'view',
  'evals.export': 'export',

  'profiles.list': 'view',
  'profiles.create': 'admin',
  'profiles.setRole': 'admin',
  'profiles.issueToken': 'admin',

  'datasets.list': 'view',
  'datasets.get': 'view',
  'datasets.remove': 'manageData',
  'datasets.rename': 'manageData',
  'datasets.preview': 'manageData',
  'datasets.import': 'manageData',
  'datasets.cancelImport': 'manageData',
  'datasets.rows': 'view',
  'datasets.row': 'view',
  'datasets.label': 'label',
  'datasets.undo': 'label',
  'datasets.setLabelSchema': 'manageData',
  'datasets.analyze': 'manageData',
  'datasets.stats': 'view',
  'datasets.split': 'manageData',
  'datasets.export': 'export',
  'datasets.draft': 'label',
  'datasets.cancelJob': 'label',
  'datasets.jobs': 'view',
  'datasets.candidates': 'view',

  'adapters.list': 'view',
  'adapters.add': 'manageModels',
  'adapters.remove': 'manageModels',
  'adapters.check': 'view',

  'training.package': 'export',
  'training.start': 'manageModels',
  'training.cancel': 'manageModels',
  'training.list': 'view',
  'training.get': 'view',

  'bench.start': 'run',
  'bench.cancel': 'run',
  'bench.list': 'view',
  'bench.get': 'view',
  'bench.remove': 'manageData',
  'bench.export': 'export',
  'costs.list': 'view',
  'costs.set': 'manageModels',
  'costs.remove': 'manageModels',

  'guard.getPolicy': 'view',
  'guard.setPolicy': 'admin',
  'guard.preview': 'run',

  'audit.list': 'audit',
  'audit.verify': 'audit',
  'audit.export': 'audit',

  'backup.create': 'admin',
  'backup.cancel': 'admin',
  'backup.restore': 'admin',
  'backup.status': 'admin',
  'backup.discardRestore': 'admin',
};

/**
 * What an event needs, like a command: the host and the Electron shell deliver an event only to sessions
 * whose profile has this permission. Events about one run also reach the profile that started that run.
 * A new event that is not placed here fails the build.
 */
export const EVENT_PERMISSION: Record<EventName, Permission> = {
  'runs.chunk': 'run',
  'runs.finished': 'run',
  'engine.status': 'view',
  'models.changed': 'view',
  'downloads.progress': 'manageModels',
  'targets.changed': 'run',
  'apiServer.status': 'admin',
  'evals.progress': 'run',
  'datasets.importProgress': 'manageData',
  'datasets.jobProgress': 'label',
  'training.progress': 'manageModels',
  'bench.progress': 'run',
  'backup.progress': 'admin',
};

/** Events that concern one run, delivered also to the run's own profile whatever its role. */
export const RUN_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['runs.chunk', 'runs.finished']);

export function canSee(role: Role, event: EventName): boolean {
  return ROLE_PERMISSIONS[role].includes(EVENT_PERMISSION[event]);
}

export function can(role: Role, command: CommandName): boolean {
  return ROLE_PERMISSIONS[role].includes(COMMAND_PERMISSION[command]);
}

export function allowedCommands(role: Role): CommandName[] {
  return (Object.keys(COMMAND_PERMISSION) as CommandName[]).filter((c) => can(role, c));
}
