// The one shape of a feature's handlers: one function per command of its schema file, taking the input
// as the command's schema parsed it (the dispatcher does that) and returning what its output schema says.
import type { z } from 'zod';
import type { CommandSpec } from '../shared/commandSpec';

export type HandlersFor<C extends Record<string, CommandSpec>> = {
  [N in keyof C]: (input: z.output<C[N]['input']>) => z.output<C[N]['output']> | Promise<z.output<C[N]['output']>>;
};
