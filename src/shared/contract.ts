// The only list of what the UI can ask and hear, assembled from the features' schema files: each declares
// its commands and events with the permission they need. Both transports (Electron IPC, browser-host
// WebSocket) carry exactly these names, and every input is parsed with its schema at the boundary.
import type { z } from 'zod';
import type { CommandSpec, EventSpec } from './commandSpec';
import { adaptersCommands, adaptersEvents } from './adapters.schema';
import { apiServerCommands, apiServerEvents } from './apiServer.schema';
import { appCommands, appEvents } from './app.schema';
import { backupCommands, backupEvents } from './backup.schema';
import { benchCommands, benchEvents } from './bench.schema';
import { compareCommands, compareEvents } from './compare.schema';
import { datasetsCommands, datasetsEvents } from './datasets.schema';
import { engineCommands, engineEvents } from './engine.schema';
import { evalsCommands, evalsEvents } from './evals.schema';
import { guardCommands, guardEvents, imageGuardCommands } from './guard.schema';
import { imagesCommands, imagesEvents } from './images.schema';
import { extractionCommands, extractionEvents } from './extraction.schema';
import { modelsCommands, modelsEvents } from './models.schema';
import { profilesCommands, profilesEvents } from './profiles.schema';
import { promptsCommands, promptsEvents } from './prompts.schema';
import { runsCommands, runsEvents } from './runs.schema';
import { targetsCommands, targetsEvents } from './targets.schema';
import { teamCommands, teamEvents } from './team.schema';
import { testsetsCommands, testsetsEvents } from './testsets.schema';
import { trainingCommands, trainingEvents } from './training.schema';
import { visionCommands, visionEvents } from './vision.schema';

export type { CommandSpec, EventSpec } from './commandSpec';

export const commands = {
  ...appCommands,
  ...profilesCommands,
  ...modelsCommands,
  ...engineCommands,
  ...runsCommands,
  ...targetsCommands,
  ...compareCommands,
  ...apiServerCommands,
  ...promptsCommands,
  ...testsetsCommands,
  ...evalsCommands,
  ...datasetsCommands,
  ...adaptersCommands,
  ...trainingCommands,
  ...benchCommands,
  ...guardCommands,
  ...imageGuardCommands,
  ...backupCommands,
  ...imagesCommands,
  ...extractionCommands,
  ...visionCommands,
  ...teamCommands,
} as const satisfies Record<string, CommandSpec>;

export const events = {
  ...appEvents,
  ...profilesEvents,
  ...modelsEvents,
  ...engineEvents,
  ...runsEvents,
  ...targetsEvents,
  ...compareEvents,
  ...apiServerEvents,
  ...promptsEvents,
  ...testsetsEvents,
  ...evalsEvents,
  ...datasetsEvents,
  ...adaptersEvents,
  ...trainingEvents,
  ...benchEvents,
  ...guardEvents,
  ...backupEvents,
  ...imagesEvents,
  ...extractionEvents,
  ...visionEvents,
  ...teamEvents,
} as const satisfies Record<string, EventSpec>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export const commandNames = Object.keys(commands) as CommandName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** What crosses a transport when a command fails. */
export interface WireError {
  code: ErrorCode;
  message: string;
}
export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'MODEL_INVALID'
  | 'ENGINE'
  | 'ENGINE_CRASHED'
  | 'REMOTE'
  | 'UNAUTHORIZED'
  /** The profile's role does not allow this command (the message names the permission). */
  | 'FORBIDDEN'
  /** A guardrail policy refused it (PII in a request to a target whose policy is block). */
  | 'BLOCKED'
  /** The disk holding the data folder (or a file being written) is full; nothing stored was changed. */
  | 'DISK_FULL'
  /** Too many commands in flight on one connection; send again once replies arrive. */
  | 'BUSY'
  | 'INTERNAL';

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The one client shape the renderer, tests and CLI use, whatever carries it. */
export interface LamplightApi {
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** What the Electron preload exposes as window.lamplight: results travel as WireResult so codes survive. */
export interface PreloadApi {
  invoke(name: CommandName, input: unknown): Promise<WireResult<unknown>>;
  on(name: EventName, listener: (payload: unknown) => void): () => void;
}
