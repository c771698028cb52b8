// Who is acting: profiles and their roles, the access tokens that name them, and the acting profile carried
// by AsyncLocalStorage from the transport into the jobs a command starts. Role checks and role changes are
// audited; the guard (PII policy, output rules, audit log) asks here who is acting.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CommandName, EventName } from '../../shared/contract';
import { DEFAULT_LINK_DAYS, type AccessLink, type Profile } from '../../shared/profiles.schema';
import type { AuditEntry } from '../../shared/guard.schema';
import type { SessionInfo } from '../../shared/profiles.schema';
import { ulid } from '../../shared/ids';
import { allowedCommands, can, canSee, COMMAND_PERMISSION, PERMISSION_LABEL, ROLE_LABEL, RUN_EVENTS, type Role } from '../../shared/roles';
import { CoreError } from '../errors';
import { accessLink, ProfilesRepo, type ProfileRow } from './profiles.repo';
import type { Db } from '../db/openDb';

export interface Actor {
  profileId: string;
}

/** Where profile decisions are recorded (the guard's audit log), with the change in one transaction. */
export interface ProfilesAudit {
  record(actor: ProfileRow | null, e: Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'path'>): void;
  together<T>(fn: () => T): T;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const DAY_MS = 86_400_000;
/** "Signed in from" is written at most this often per profile and address (every request would be a write). */
const SEEN_WRITE_MS = 60_000;

export class ProfilesService {
  private readonly repo: ProfilesRepo;
  private readonly als = new AsyncLocalStorage<Actor>();
  /** The profile an API-server request's key belongs to (per-profile API keys). */
  private readonly apiKeyAls = new AsyncLocalStorage<string>();
  private readonly owner: ProfileRow;
  /** Who started the local API server: its requests are attributed to them. */
  private apiActorId: string | null = null;
  /** The browser host's launch token (the owner's): only its digest, and who keeps the token itself. */
  private launch: { digest: Buffer; persist?: (token: string) => void } | null = null;
  private readonly accessListeners = new Set<() => void>();
  private readonly seenWritten = new Map<string, { from: string; at: number }>();

  constructor(private readonly deps: { db: Db; audit: ProfilesAudit; now?: () => number }) {
    this.repo = new ProfilesRepo(deps.db);
    this.owner = this.repo.ensureOwner(ulid(), (deps.now ?? Date.now)());
  }

  /** Runs fn as the given profile; everything it starts (runs, jobs) is attributed to that profile. */
  runAs<T>(actor: Actor | null, fn: () => T): T {
    return this.als.run(actor ?? { profileId: this.owner.id }, fn);
  }

  /** The acting profile, read fresh (a role change applies at once); the owner when nobody is named. */
  actor(): ProfileRow {
    const id = this.als.getStore()?.profileId ?? this.owner.id;
    const p = this.repo.profile(id);
    if (!p) throw new CoreError('UNAUTHORIZED', 'This profile no longer exists; ask an admin for a new access link.');
    return p;
  }

  /** Whether a profile may receive an event; `runOwner` is asked only for a run's events the role may not see. */
  maySee(profileId: string, event: EventName, runOwner: () => string | null): boolean {
    const p = this.repo.profile(profileId);
    if (!p) return false;
    if (canSee(p.role, event)) return true;
    return RUN_EVENTS.has(event) && runOwner() === profileId;
  }

  /** Called when the API server starts: requests to it act as the profile that started it. */
  setApiActor(): void {
    this.apiActorId = this.actor().id;
  }

  /** Who an API-server request acts as: its key's profile, else the profile that started the server, else the acting one. */
  apiActor(): ProfileRow {
    const keyProfile = this.apiKeyAls.getStore();
    if (keyProfile !== undefined) return this.repo.profile(keyProfile) ?? this.actor();
    return (this.apiActorId !== null ? this.repo.profile(this.apiActorId) : null) ?? this.actor();
  }

  /** Runs an API-server request made with a profile's own key as that profile. */
  actAsApiKey<T>(profileId: string, fn: () => T): T {
    return this.runAs({ profileId }, () => this.apiKeyAls.run(profileId, fn));
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The profile a browser-host access token belongs to: the owner for the launch token; null when expired. */
  profileForToken(token: string): string | null {
    const digest = createHash('sha256').update(token).digest();
    if (this.launch && timingSafeEqual(digest, this.launch.digest)) return this.owner.id;
    const p = this.repo.profileByTokenHash(digest.toString('hex'));
    if (!p || (p.expires_at !== null && p.expires_at <= this.now())) return null;
    return p.id;
  }

  /** The host's launch token; `persist` keeps a rotated one (e.g. in the data folder) for the next start. */
  setLaunchToken(token: string, persist?: (token: string) => void): void {
    this.launch = { digest: createHash('sha256').update(token).digest(), persist };
  }

  /** Called after a token is issued, revoked or rotated: the host re-checks its open sockets. */
  onAccessChange(fn: () => void): () => void {
    this.accessListeners.add(fn);
    return () => this.accessListeners.delete(fn);
  }

  private accessChanged(): void {
    for (const fn of this.accessListeners) fn();
  }

  /** Records where a profile's link was used from ("signed in from"); cheap to call on every request. */
  noteSignIn(profileId: string, from: string): void {
    const at = this.now();
    const last = this.seenWritten.get(profileId);
    if (last && last.from === from && at - last.at < SEEN_WRITE_MS) return;
    this.seenWritten.set(profileId, { from, at });
    this.repo.noteSeen(profileId, at, from.slice(0, 100));
  }

  /** A refused access token, for the audit log: the address and the reason, never the token. */
  auditRefusedToken(from: string, reason: string): void {
    this.deps.audit.record(null, { kind: 'denied', path: 'host.accessToken', decisions: [`denied: ${reason} from ${from.slice(0, 100)}`], error: reason });
  }

  links(): AccessLink[] {
    const now = this.now();
    return this.repo.links().map((r) => accessLink(r, now));
  }

  revokeToken(profileId: string): AccessLink {
    const p = this.repo.profile(profileId);
    if (!p) throw new CoreError('NOT_FOUND', `profileId: no profile ${profileId}`);
    this.deps.audit.together(() => {
      this.repo.revokeToken(profileId, this.now());
      this.deps.audit.record(this.actor(), { kind: 'profile', path: 'profiles.revokeToken', decisions: [`access link of ${p.name} (${p.id}) revoked`] });
    });
    this.accessChanged();
    return accessLink(this.repo.link(profileId) as NonNullable<ReturnType<ProfilesRepo['link']>>, this.now());
  }

  /** Only the owner holds the launch token, so only the owner may replace it. */
  rotateLaunchToken(): { token: string } {
    const a = this.actor();
    if (a.id !== this.owner.id) throw new CoreError('FORBIDDEN', `${a.name} is not the owner: only the owner may rotate the launch token`);
    if (!this.launch) throw new CoreError('CONFLICT', 'No browser host is running here, so there is no launch token to rotate.');
    const token = randomBytes(24).toString('base64url');
    this.launch.persist?.(token);
    this.setLaunchToken(token, this.launch.persist);
    this.deps.audit.record(a, { kind: 'profile', path: 'profiles.rotateLaunchToken', decisions: ['new launch token for the owner; the previous one no longer works'] });
    this.accessChanged();
    return { token };
  }

  get ownerId(): string {
    return this.owner.id;
  }

  /** Throws FORBIDDEN, after auditing the refusal, when the acting profile may not call this command. */
  authorize(name: CommandName): void {
    const actor = this.actor();
    if (can(actor.role, name)) return;
    const need = PERMISSION_LABEL[COMMAND_PERMISSION[name]];
    const message = `${actor.name} (${ROLE_LABEL[actor.role]}) may not ${need}: ${name} was refused`;
    this.deps.audit.record(actor, { kind: 'denied', path: name, decisions: [`denied: ${name} needs permission "${COMMAND_PERMISSION[name]}"`], error: message });
    throw new CoreError('FORBIDDEN', message);
  }

  /** Only admins act for another profile (labeling as someone else). */
  assertSelf(profileId: string): void {
    const a = this.actor();
    if (a.role === 'admin' || a.id === profileId) return;
    throw new CoreError('FORBIDDEN', `${a.name} may label only as themselves, not as profile ${profileId}`);
  }

  whoami(): SessionInfo {
    const a = this.actor();
    return { profileId: a.id, profileName: a.name, role: a.role, allowed: allowedCommands(a.role) };
  }

  list(): Profile[] {
    return this.repo.list();
  }

  create(name: string, role: Role = 'labeler'): Profile {
    if (this.repo.list().some((p) => p.name.toLowerCase() === name.toLowerCase())) {
      throw new CoreError('CONFLICT', `name: a profile named "${name}" already exists`);
    }
    const p: Profile = { id: ulid(), name, role, createdAt: (this.deps.now ?? Date.now)() };
    this.repo.insert(p);
    return p;
  }

  setRole(profileId: string, role: Role): { profileId: string; role: Role } {
    const p = this.repo.profile(profileId);
    if (!p) throw new CoreError('NOT_FOUND', `profileId: no profile ${profileId}`);
    if (p.role === 'admin' && role !== 'admin' && this.repo.admins().length === 1) {
      throw new CoreError('CONFLICT', `${p.name} is the only admin; make another profile admin first`);
    }
    this.deps.audit.together(() => {
      this.repo.setRole(profileId, role);
      this.deps.audit.record(this.actor(), { kind: 'profile', path: 'profiles.setRole', decisions: [`role of ${p.name} (${p.id}): ${p.role} → ${role}`] });
    });
    return { profileId, role };
  }

  issueToken(profileId: string, expiresInDays = DEFAULT_LINK_DAYS): { token: string; expiresAt: number } {
    const p = this.repo.profile(profileId);
    if (!p) throw new CoreError('NOT_FOUND', `profileId: no profile ${profileId}`);
    const token = randomBytes(24).toString('base64url');
    const now = this.now();
    const expiresAt = now + Math.round(expiresInDays * DAY_MS);
    this.deps.audit.together(() => {
      this.repo.setToken(profileId, sha256(token), now, expiresAt);
      const until = new Date(expiresAt).toISOString();
      this.deps.audit.record(this.actor(), { kind: 'profile', path: 'profiles.issueToken', decisions: [`new access token for ${p.name} (${p.id}), valid until ${until}; the previous one no longer works`] });
    });
    this.accessChanged();
    return { token, expiresAt };
  }
}
