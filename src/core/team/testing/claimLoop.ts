// A child process for the claim test: its own connection to the database file, claiming and completing
// tasks for several labelers in turn until none is left; prints "claim TASK ROW LABELER" per claim.
import { existsSync, writeSync } from 'node:fs';
import { openDb } from '../../db/openDb';
import { TeamRepo } from '../team.repo';

const [file, assignmentId, labelers, goFile] = process.argv.slice(2) as [string, string, string, string];
const db = openDb(file);
const repo = new TeamRepo(db);
const active = labelers.split(',');
// Every process starts claiming when the test creates goFile (all are ready then), so their claims interleave.
writeSync(1, 'ready\n');
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
while (active.length > 0) {
  for (const l of [...active]) {
    const t = repo.claimNext(assignmentId, l, Date.now(), 600_000);
    if (!t) {
      active.splice(active.indexOf(l), 1);
      continue;
    }
    writeSync(1, `claim ${t.id} ${t.row_id} ${l}\n`);
    db.transaction(() => repo.complete(t, l, '{}', Date.now()))();
  }
}
db.close();
