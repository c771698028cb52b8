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
import { migration0120 } from './0120-vision-runs';
import { migration0130 } from './0130-image-sets';
import { migration0140 } from './0140-team-labeling';
import { migration0150 } from './0150-team-access';
import { migration0160 } from './0160-api-keys';
import { migration0170 } from './0170-image-datasets';
import { migration0180 } from './0180-extraction';
import { migration0190 } from './0190-reviewer-role';
import { migration0200 } from './0200-run-removal';
import type { Migration } from './types';

/** Every schema version, oldest first. Append only: a shipped migration never changes. */
export const migrations: readonly Migration[] = [migration0010, migration0020, migration0030, migration0040, migration0050, migration0060, migration0070, migration0080, migration0090, migration0100, migration0110, migration0120, migration0130, migration0140, migration0150, migration0160, migration0170, migration0180, migration0190, migration0200];
