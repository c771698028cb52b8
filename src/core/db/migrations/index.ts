import { migration0010 } from './0010-init';
import type { Migration } from './types';

/** Every schema version, oldest first. Append only: a shipped migration never changes. */
export const migrations: readonly Migration[] = [migration0010];
