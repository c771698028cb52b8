// A child process for the kill -9 test of the batched checkpoint: appends audit records as fast as it can
// (as an evaluation does) and prints "ack SEQ" once append() returned, i.e. once the record was committed.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../db/openDb';
import { FileSecretStore } from '../../secrets/secretStore';
import { AuditLog } from '../auditLog';

const [dataDir, count] = process.argv.slice(2) as [string, string];
const log = new AuditLog(openDb(join(dataDir, 'lamplight.db')), { dataDir, secrets: new FileSecretStore(dataDir), batchCheckpoint: true });
for (let i = 0; i < Number(count); i++) {
  const now = Date.now();
  const rec = log.append({
    kind: 'ai_call',
    startedAt: now,
    endedAt: now,
    profileId: null,
    profileName: 'system',
    role: null,
    path: 'eval',
    target: null,
    params: null,
    promptVersionId: null,
    runId: `R${i}`,
    inputHash: null,
    outputHash: null,
    pii: null,
    decisions: [],
    promptTokens: null,
    completionTokens: null,
    finishReason: 'eos',
    error: null,
  });
  writeSync(1, `ack ${rec.seq}\n`);
  // Lets the checkpoint timer fire now and then, as between the cells of an evaluation.
  if (i % 7 === 0) await new Promise((r) => setImmediate(r));
}
// Never closes the log: the test kills it first.
