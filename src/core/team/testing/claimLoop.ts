// A child process for the claim test: its own connection to the database file, claiming and completing
// tasks for several labelers in turn until none is left; prints "claim TASK ROW LABELER" per claim.
import { existsSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { openDb } from '../../db/openDb';
import { TeamRepo } from '../team.repo';

const [file, assignmentId, labelers, goFile, peersArg] = process.argv.slice(2) as [string, string, string, string, string];
const peers = Number(peersArg);
const db = openDb(file);
const repo = new TeamRepo(db);
const active = labelers.split(',');
// Every process starts claiming when the test creates goFile (all are ready then), so their claims interleave.
writeSync(1, 'ready\n');
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
let first = true;
while (active.length > 0) {
  for (const l of [...active]) {
    const t = repo.claimNext(assignmentId, l, Date.now(), 600_000);
    if (!t) {
      active.splice(active.indexOf(l), 1);
      continue;
    }
    writeSync(1, `claim ${t.id} ${t.row_id} ${l}\n`);
    db.transaction(() => repo.complete(t, l, '{}', Date.now()))();
    if (first) {
      // After its first claim each process waits for the others' first claims (bounded), so every process
      // holds a share however the machine schedules them: the claims interleave by construction, not by speed.
      first = false;
      writeFileSync(`${goFile}.${process.pid}`, '');
      const until = Date.now() + 60_000;
      const mine = `${basename(goFile)}.`;
      while (readdirSync(dirname(goFile)).filter((n) => n.startsWith(mine)).length < peers && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    }
  }
}
db.close();
