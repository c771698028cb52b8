import { describe, expect, it } from 'vitest';
import { adaptersCommands, adaptersEvents } from './adapters.schema';
import { apiServerCommands, apiServerEvents } from './apiServer.schema';
import { appCommands, appEvents } from './app.schema';
import { backupCommands, backupEvents } from './backup.schema';
import { benchCommands, benchEvents } from './bench.schema';
import { compareCommands, compareEvents } from './compare.schema';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { commandNames, eventNames } from './contract';
import { datasetsCommands, datasetsEvents } from './datasets.schema';
import { engineCommands, engineEvents } from './engine.schema';
import { evalsCommands, evalsEvents } from './evals.schema';
import { extractionCommands, extractionEvents } from './extraction.schema';
import { guardCommands, guardEvents, imageGuardCommands } from './guard.schema';
import { imagesCommands, imagesEvents } from './images.schema';
import { modelsCommands, modelsEvents } from './models.schema';
import { profilesCommands, profilesEvents } from './profiles.schema';
import { promptsCommands, promptsEvents } from './prompts.schema';
import { COMMAND_PERMISSION, EVENT_PERMISSION, ROLE_PERMISSIONS } from './roles';
import { runsCommands, runsEvents } from './runs.schema';
import { targetsCommands, targetsEvents } from './targets.schema';
import { teamCommands, teamEvents } from './team.schema';
import { testsetsCommands, testsetsEvents } from './testsets.schema';
import { trainingCommands, trainingEvents } from './training.schema';
import { visionCommands, visionEvents } from './vision.schema';

const features = {
  adapters: [adaptersCommands, adaptersEvents],
  apiServer: [apiServerCommands, apiServerEvents],
  app: [appCommands, appEvents],
  backup: [backupCommands, backupEvents],
  bench: [benchCommands, benchEvents],
  compare: [compareCommands, compareEvents],
  datasets: [datasetsCommands, datasetsEvents],
  engine: [engineCommands, engineEvents],
  evals: [evalsCommands, evalsEvents],
  extraction: [extractionCommands, extractionEvents],
  guard: [guardCommands, guardEvents],
  imageGuard: [imageGuardCommands, {}],
  images: [imagesCommands, imagesEvents],
  models: [modelsCommands, modelsEvents],
  profiles: [profilesCommands, profilesEvents],
  prompts: [promptsCommands, promptsEvents],
  runs: [runsCommands, runsEvents],
  targets: [targetsCommands, targetsEvents],
  testsets: [testsetsCommands, testsetsEvents],
  training: [trainingCommands, trainingEvents],
  vision: [visionCommands, visionEvents],
  team: [teamCommands, teamEvents],
} as const;

describe('the contract assembled from the feature schema files', () => {
  it('declares every command and event in exactly one feature (a spread would hide a duplicate)', () => {
    const commands = Object.values(features).flatMap(([c]) => Object.keys(c));
    const events = Object.values(features).flatMap(([, e]) => Object.keys(e));
    expect(commands.length).toBe(new Set(commands).size);
    expect(events.length).toBe(new Set(events).size);
    expect([...commands].sort()).toEqual([...commandNames].sort());
    expect([...events].sort()).toEqual([...eventNames].sort());
  });

  it('derives each permission from the spec beside the command, and every permission belongs to the admin role', () => {
    expect(COMMAND_PERMISSION['apiServer.start']).toBe(apiServerCommands['apiServer.start'].permission);
    expect(COMMAND_PERMISSION['datasets.label']).toBe('label');
    expect(COMMAND_PERMISSION['runs.search']).toBe('run');
    expect(EVENT_PERMISSION['downloads.progress']).toBe('manageModels');
    for (const p of [...Object.values(COMMAND_PERMISSION), ...Object.values(EVENT_PERMISSION)]) expect(ROLE_PERMISSIONS.admin).toContain(p);
  });
});

// Type-level: tsc (which covers test files) fails when a spec without a permission stops being an error.
// @ts-expect-error a command spec needs its permission
export const noPermission = { 'x.do': { input: Empty, output: Empty } } satisfies Record<string, CommandSpec>;
// @ts-expect-error so does an event spec
export const noEventPermission = { 'x.done': { payload: Empty } } satisfies Record<string, EventSpec>;
