import { migration0010 } from './0010-init';
import { migration0020 } from './0020-remote-targets';
import { migration0030 } from './0030-prompts';
import { migration0040 } from './0040-test-sets';
import { migration0050 } from './0050-evals';
import { migration0060 } from './0060-datasets';
import { migration0070 } from './0070-adapters';
import { migration0080 } from './0080-training';
import { migration0090 } from './0090-bench';
import { migration0100 } from './0100-guard';
import { migration0110 } from './0110-images';
import { migration0140 } from './0140-team-labeling';
import { migration0150 } from './0150-team-access';
import { migration0160 } from './0160-api-keys';
import type { Migration } from './types';

/** Every schema version, oldest first. Append only: a shipped migration never changes. */
export const migrations: readonly Migration[] = [migration0010, migration0020, migration0030, migration0040, migration0050, migration0060, migration0070, migration0080, migration0090, migration0100, migration0110, migration0140, migration0150, migration0160];
