// Writes one audit record about an actor's action, filling what the action does not name. Made before the
// profiles and the guard, which both record through it.
import type { AuditEntry } from '../../shared/guard.schema';
import type { Role } from '../../shared/roles';
import type { AuditLog } from './auditLog';

export type AuditEvent = Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'path'>;

export class AuditRecorder {
  constructor(
    readonly log: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** A change and its audit record in one transaction: a crash keeps both or neither (see AuditLog.together). */
  together<T>(fn: () => T): T {
    return this.log.together(fn);
  }

  /** No actor: the system (e.g. runs a previous process left running). */
  record(actor: { id: string; name: string; role: Role } | null, e: AuditEvent): void {
    const now = this.now();
    this.log.append({
      startedAt: e.startedAt ?? now,
      endedAt: e.endedAt ?? now,
      profileId: actor?.id ?? null,
      profileName: actor?.name ?? 'system',
      role: actor?.role ?? null,
      target: null,
      params: null,
      promptVersionId: null,
      runId: null,
      inputHash: null,
      outputHash: null,
      pii: null,
      decisions: [],
      promptTokens: null,
      completionTokens: null,
      finishReason: null,
      error: null,
      ...e,
    });
  }
}
