// Roles and the permission matrix. The core checks it on every command before anything runs; the UI reads
// it only to hide what would be refused. Each command's and event's permission is declared beside it in its
// feature's schema file (the spec type requires one, so a new command without it fails the build); the
// maps below are derived from those specs.
import { commands, events, type CommandName, type EventName } from './contract';
import type { Permission } from './commandSpec';
import { Role } from './profiles.schema';

export { Role };
export type { Permission };

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Admin',
  prompt_engineer: 'Prompt engineer',
  labeler: 'Labeler',
  reviewer: 'Reviewer',
  analyst: 'Analyst',
};

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['view', 'run', 'editPrompts', 'label', 'review', 'manageData', 'export', 'manageModels', 'admin', 'audit'],
  prompt_engineer: ['view', 'run', 'editPrompts', 'label', 'review', 'manageData', 'export', 'manageModels'],
  labeler: ['view', 'label'],
  // Reads every labeler's answers and resolves them; starts no assignment and exports nothing.
  reviewer: ['view', 'label', 'review'],
  analyst: ['view', 'run', 'export'],
};

export const PERMISSION_LABEL: Record<Permission, string> = {
  view: 'view',
  run: 'run models',
  editPrompts: 'edit prompts and test sets',
  label: 'label',
  review: 'review team labels',
  manageData: 'manage datasets',
  export: 'export',
  manageModels: 'manage models and adapters',
  admin: 'change policies, endpoints and profiles',
  audit: 'read the audit log',
};

/** What each command needs, as its feature's schema file declares it beside the command. */
export const COMMAND_PERMISSION = Object.fromEntries(
  Object.entries(commands).map(([name, spec]) => [name, spec.permission]),
) as Record<CommandName, Permission>;

/**
 * What an event needs, like a command: the host and the Electron shell deliver an event only to sessions
 * whose profile has this permission. Events about one run also reach the profile that started that run.
 */
export const EVENT_PERMISSION = Object.fromEntries(
  Object.entries(events).map(([name, spec]) => [name, spec.permission]),
) as Record<EventName, Permission>;

/** Events that concern one run, delivered also to the run's own profile whatever its role. */
export const RUN_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['runs.chunk', 'runs.finished']);

export function canSee(role: Role, event: EventName): boolean {
  return ROLE_PERMISSIONS[role].includes(EVENT_PERMISSION[event]);
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function can(role: Role, command: CommandName): boolean {
  return ROLE_PERMISSIONS[role].includes(COMMAND_PERMISSION[command]);
}

export function allowedCommands(role: Role): CommandName[] {
  return (Object.keys(COMMAND_PERMISSION) as CommandName[]).filter((c) => can(role, c));
}
