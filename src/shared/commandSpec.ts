// The shape every feature's schema file declares its commands and events in: each with the permission a
// profile's role needs, beside its schemas. The spec types require a permission, so a command or an event
// without one fails the build. Pure: imports nothing but zod.
import { z } from 'zod';

/** What a command (or an event) needs; roles.ts says which roles have it. */
export type Permission =
  | 'view' // read what is stored
  | 'run' // send prompts to models (playground, compare, evaluations, benchmarks), load a model
  | 'editPrompts' // prompts and test sets
  | 'label' // label rows, draft labels with a model
  | 'review' // team labeling: read every labeler's answers and queues, resolve disagreements and rejected rows
  | 'manageData' // import, split, rename, remove datasets and results
  | 'export' // write data out of Lamplight
  | 'manageModels' // model and adapter files, training, cost profiles
  | 'admin' // policies, endpoints, profiles, the API server
  | 'audit'; // read, verify and export the audit log

export interface CommandSpec {
  input: z.ZodType;
  output: z.ZodType;
  permission: Permission;
}

/**
 * An event and who may hear it: transports deliver it only to sessions whose profile has the permission
 * (events about one run also reach the profile that started it, see roles.ts RUN_EVENTS).
 */
export interface EventSpec {
  payload: z.ZodType;
  permission: Permission;
}

/** The input of a command that takes none. */
export const Empty = z.object({}).strict().default({});
