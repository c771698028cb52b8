// Removing runs, for privacy (a customer's screenshot in a prompt, a reply that must not be kept). Permanent.
// In one transaction with its audit record: the run rows (their image rows cascade), bench requests' links
// (the figures stay), comparisons left without a column (their copy of the prompt goes too); evaluations keep
// their figures, the cell's run_id set NULL by the foreign key. Then the images nothing else uses leave the
// disk at once: the 24 h grace of the image collector is for uploads in progress, not for removed runs.
import { EventEmitter } from 'node:events';
import type { RemoveRuns, RemoveRunsResult } from '../../shared/runs.schema';
import { ROLE_LABEL, ROLE_PERMISSIONS, type Role } from '../../shared/roles';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { AuditEvent } from '../guard/auditRecorder';
import type { ImageStore } from '../images/imageStore';

const DAY_MS = 86_400_000;
/** Run ids named one by one in the audit record; a larger removal names these and counts the rest. */
const AUDIT_IDS = 1000;

type Actor = { id: string; name: string; role: Role };

export interface RunRemovalDeps {
  db: Db;
  /** The audit log: the removal and its record commit together. */
  audit: { together<T>(fn: () => T): T; record(actor: Actor | null, e: AuditEvent): void };
  /** The acting profile. */
  actor: () => Actor;
  images: Pick<ImageStore, 'unreferenced' | 'removeNow'> | null;
  now?: () => number;
}

interface Candidate {
  id: string;
  profile_id: string | null;
  status: 'running' | 'done';
}

/** Thrown inside a dry run's transaction so that everything it did is rolled back. */
class RollBack extends Error {}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class RunRemoval extends EventEmitter<{ removed: [{ runIds: string[] }] }> {
  private readonly byIds;
  private readonly olderThan;
  private readonly imagesOf;
  private readonly comparisonsOf;
  private readonly unlinkBench;
  private readonly deleteRuns;
  private readonly deleteEmptyComparisons;

  constructor(private readonly deps: RunRemovalDeps) {
    super();
    const db = deps.db;
    // The id lists travel as one JSON array: one statement for 1,000 ids, no SQL built from input.
    const ids = 'SELECT value FROM json_each(?)';
    this.byIds = db.prepare<[string], Candidate>(`SELECT id, profile_id, status FROM runs WHERE id IN (${ids})`);
    this.olderThan = db.prepare<{ before: number; all: number; me: string }, Candidate>(
      "SELECT id, profile_id, status FROM runs WHERE started_at < @before AND status = 'done' AND (@all = 1 OR profile_id = @me) ORDER BY started_at",
    );
    // `last`: the latest start of a removed run using the image; an image added again after it is in use
    // (a draft holds it) and stays for the collector.
    this.imagesOf = db.prepare<[string], { hash: string; last: number; added_at: number | null }>(
      `SELECT ri.hash, max(r.started_at) AS last, i.added_at FROM run_images ri JOIN runs r ON r.id = ri.run_id
       LEFT JOIN images i ON i.hash = ri.hash WHERE ri.run_id IN (${ids}) GROUP BY ri.hash`,
    );
    this.comparisonsOf = db.prepare<[string], { comparison_id: string }>(`SELECT DISTINCT comparison_id FROM comparison_runs WHERE run_id IN (${ids})`);
    this.unlinkBench = db.prepare(`UPDATE bench_requests SET run_id = NULL WHERE run_id IN (${ids})`);
    this.deleteRuns = db.prepare(`DELETE FROM runs WHERE id IN (${ids})`);
    this.deleteEmptyComparisons = db.prepare(
      `DELETE FROM comparisons WHERE id IN (${ids}) AND NOT EXISTS (SELECT 1 FROM comparison_runs cr WHERE cr.comparison_id = comparisons.id)`,
    );
  }

  async remove(req: RemoveRuns): Promise<RemoveRunsResult> {
    const actor = this.deps.actor();
    const admin = ROLE_PERMISSIONS[actor.role].includes('admin');
    let result: RemoveRunsResult | null = null;
    let images: { hash: string; before: number }[] = [];
    const work = () => {
      const runs = this.select(req, actor, admin);
      const json = JSON.stringify(runs.map((r) => r.id));
      const used = this.imagesOf.all(json);
      const comparisons = this.comparisonsOf.all(json).map((c) => c.comparison_id);
      this.unlinkBench.run(json);
      this.deleteRuns.run(json);
      const comparisonsRemoved = comparisons.length ? this.deleteEmptyComparisons.run(JSON.stringify(comparisons)).changes : 0;
      // Asked after the delete, in the same transaction: the removed runs no longer count as users.
      const free = used.filter((u) => u.added_at !== null && u.added_at <= u.last).map((u) => u.hash);
      const unused = new Set(this.deps.images?.unreferenced(free) ?? []);
      images = used.filter((u) => unused.has(u.hash)).map((u) => ({ hash: u.hash, before: u.last }));
      result = { dryRun: req.dryRun, runIds: runs.map((r) => r.id), imagesRemoved: unused.size, imagesKept: used.length - unused.size, comparisonsRemoved };
      if (req.dryRun) throw new RollBack();
      if (runs.length > 0) this.deps.audit.record(actor, this.auditEvent(req, result));
    };
    try {
      if (req.dryRun) this.deps.db.transaction(work)();
      else this.deps.audit.together(work);
    } catch (e) {
      if (!(e instanceof RollBack)) throw this.refused(actor, e);
    }
    const r = result as RemoveRunsResult | null;
    if (!r) throw new CoreError('INTERNAL', 'runs.remove: no result');
    if (r.dryRun || r.runIds.length === 0) return r;
    // After the commit: a failure here leaves the files to the collector, never a run half removed.
    if (images.length > 0 && this.deps.images) await this.deps.images.removeNow(images);
    this.emit('removed', { runIds: r.runIds });
    return r;
  }

  /** The runs the request names, after its checks (all or nothing: one refused id removes none). */
  private select(req: RemoveRuns, actor: Actor, admin: boolean): Candidate[] {
    if (req.olderThanDays !== undefined) {
      const before = (this.deps.now ?? Date.now)() - req.olderThanDays * DAY_MS;
      // Without admin, the filter covers the profile's own runs: others' are not its to remove.
      return this.olderThan.all({ before, all: admin ? 1 : 0, me: actor.id });
    }
    const wanted = [...new Set(req.ids ?? [])];
    const found = this.byIds.all(JSON.stringify(wanted));
    const have = new Set(found.map((r) => r.id));
    const missing = wanted.filter((id) => !have.has(id));
    if (missing.length) throw new CoreError('NOT_FOUND', `ids: no run ${listed(missing)}; nothing was removed`);
    const running = found.filter((r) => r.status === 'running');
    if (running.length) throw new CoreError('CONFLICT', `ids: run ${listed(running.map((r) => r.id))} is still running; stop it first. Nothing was removed`);
    const others = admin ? [] : found.filter((r) => r.profile_id !== actor.id);
    if (others.length) {
      throw new CoreError(
        'FORBIDDEN',
        `${actor.name} (${ROLE_LABEL[actor.role]}) may remove only their own runs; run ${listed(others.map((r) => r.id))} was started by another profile (removing it needs admin). Nothing was removed`,
      );
    }
    return found;
  }

  /** A refusal of another's run is audited like a refused command. */
  private refused(actor: Actor, e: unknown): unknown {
    if (e instanceof CoreError && e.code === 'FORBIDDEN') {
      this.deps.audit.record(actor, { kind: 'denied', path: 'runs.remove', decisions: ['denied: runs.remove of another profile\'s run needs permission "admin"'], error: e.message });
    }
    return e;
  }

  /** Kind 'profile' (an action of a profile, like a role change): ids and counts, never the content. */
  private auditEvent(req: RemoveRuns, r: RemoveRunsResult): AuditEvent {
    const ids = r.runIds.slice(0, AUDIT_IDS).join(', ');
    const more = r.runIds.length > AUDIT_IDS ? ` and ${r.runIds.length - AUDIT_IDS} more` : '';
    const how = req.olderThanDays !== undefined ? ` (started more than ${plural(req.olderThanDays, 'day')} ago)` : '';
    return {
      kind: 'profile',
      path: 'runs.remove',
      runId: r.runIds.length === 1 ? (r.runIds[0] as string) : null,
      decisions: [
        `removed ${plural(r.runIds.length, 'run')}${how}: ${ids}${more}`,
        `removed ${plural(r.imagesRemoved, 'image')} no longer used from disk; kept ${plural(r.imagesKept, 'image')} still used elsewhere`,
        ...(r.comparisonsRemoved ? [`removed ${plural(r.comparisonsRemoved, 'comparison')} left without runs`] : []),
      ],
    };
  }
}

function listed(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}
