// The app itself: its version, data folder, transport and what this machine can run.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';

export const AppInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['electron', 'browser-host']),
  platform: z.string(),
  availableParallelism: z.number(),
  /** GPU backends this machine can run, as node-llama-cpp reports them; 'cpu' is always present. */
  supportedGpu: z.array(z.string()),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appCommands = {
  'app.info': { input: Empty, output: AppInfo, permission: 'view' },
} as const satisfies Record<string, CommandSpec>;

export const appEvents = {} as const satisfies Record<string, EventSpec>;
