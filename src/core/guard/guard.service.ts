// The guard every AI call and every command passes through: who is acting (profile and role, carried by
// AsyncLocalStorage from the transport into jobs the command starts), what they may do, what PII may leave
// for which target, which outputs may be used, and the audit record of each decision.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import type { CommandName, EventName } from '../../shared/contract';
import { GuardPolicy, type AuditEntry, type AuditTarget, type GuardPreview, type PiiAction } from '../../shared/guard.schema';
import type { SessionInfo } from '../../shared/profiles.schema';
import { ulid } from '../../shared/ids';
import { checkOutput, compileOutputRules, type CompiledOutputRule } from '../../shared/outputPolicy';
import { compilePiiRules, PiiMasker, StreamUnmasker, unmaskText, type CompiledPiiRule } from '../../shared/piiMask';
import { allowedCommands, can, canSee, COMMAND_PERMISSION, PERMISSION_LABEL, ROLE_LABEL, RUN_EVENTS, type Role } from '../../shared/roles';
import type { OutputCheck, RunGuard } from '../../shared/guard.schema';
import type { RunRecord, RunSource, RunTarget } from '../../shared/runs.schema';
import { substituteVariables } from '../../shared/template';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { SecretStore } from '../secrets/secretStore';
import { AuditLog } from './auditLog';
import { GuardRepo, type ProfileRow } from './guard.repo';

export interface Actor {
  profileId: string;
}

export interface GuardDeps {
  db: Db;
  dataDir: string;
  secrets: SecretStore;
  /** What the audit log records about a target: model file hash, or endpoint and model. */
  describeTarget(target: RunTarget): AuditTarget;
  now?: () => number;
}

/** What the guard decided before a run was sent, and what it needs to finish the run. */
export interface PreparedRun {
  actor: ProfileRow;
  path: RunSource;
  target: RunTarget;
  auditTarget: AuditTarget;
  promptVersionId: string | null;
  action: PiiAction;
  /** The texts that leave for the model. */
  sentSystem: string;
  sentUser: string;
  counts: Record<string, number>;
  inputHash: string;
  /** Unmasks streamed deltas; null when nothing was masked. */
  unmasker: StreamUnmasker | null;
  mapping: ReadonlyMap<string, string> | null;
  /**
   * How the reply may stream while output rules can still block it: open (no block rule), check (block
   * rules are checked as text arrives and the run is stopped on a match), hold (a must-be-JSON block rule:
   * nothing is shown before the whole reply passed).
   */
  gate: 'open' | 'check' | 'hold';
  /** The request's masker when the action is mask, for further texts of it (API chat turns). */
  masker: PiiMasker | null;
  decisions: string[];
  guard: RunGuard;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const inputDigest = (system: string, user: string): string => sha256(`${system}\n\n${user}`);

const KIND_WORDS: Record<string, string> = { id_card: 'ID number', bank_card: 'card number', phone: 'phone number', email: 'e-mail address' };
function countWords(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, n]) => `${n} ${KIND_WORDS[k] ?? k}${n === 1 ? '' : 's'}`)
    .join(', ');
}

export class GuardService {
  readonly audit: AuditLog;
  private readonly repo: GuardRepo;
  private readonly als = new AsyncLocalStorage<Actor>();
  private readonly now: () => number;
  private readonly owner: ProfileRow;
  private current!: GuardPolicy;
  private piiRules: CompiledPiiRule[] = [];
  private outputRules: CompiledOutputRule[] = [];
  /** The enabled block rules a streaming reply can be checked against (not must-be-JSON), and the gate. */
  private streamBlockRules: CompiledOutputRule[] = [];
  private streamGate: PreparedRun['gate'] = 'open';
  /** Who started the local API server: its requests are attributed to them. */
  private apiActorId: string | null = null;

  constructor(private readonly deps: GuardDeps) {
    this.now = deps.now ?? Date.now;
    this.repo = new GuardRepo(deps.db);
    this.audit = new AuditLog(deps.db, { dataDir: deps.dataDir, secrets: deps.secrets });
    this.owner = this.repo.ensureOwner(ulid(), this.now());
    const stored = this.repo.policyJson();
    let policy = GuardPolicy.parse({});
    if (stored !== null) {
      const parsed = GuardPolicy.safeParse(JSON.parse(stored));
      // A policy this version cannot read falls back to the strictest defaults, never to "allow".
      if (parsed.success) policy = parsed.data;
    }
    this.apply(policy);
  }

  /** For core.close(): the audit checkpoint file is closed. */
  close(): void {
    this.audit.close();
  }

  // ---------- who is acting ----------

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

  /** The profile a browser-host access token belongs to. */
  profileForToken(token: string): string | null {
    return this.repo.profileByTokenHash(sha256(token))?.id ?? null;
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
    this.record(actor, { kind: 'denied', path: name, decisions: [`denied: ${name} needs permission "${COMMAND_PERMISSION[name]}"`], error: message });
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

  setRole(profileId: string, role: Role): { profileId: string; role: Role } {
    const p = this.repo.profile(profileId);
    if (!p) throw new CoreError('NOT_FOUND', `profileId: no profile ${profileId}`);
    if (p.role === 'admin' && role !== 'admin' && this.repo.admins().length === 1) {
      throw new CoreError('CONFLICT', `${p.name} is the only admin; make another profile admin first`);
    }
    this.together(() => {
      this.repo.setRole(profileId, role);
      this.record(this.actor(), { kind: 'profile', path: 'profiles.setRole', decisions: [`role of ${p.name} (${p.id}): ${p.role} → ${role}`] });
    });
    return { profileId, role };
  }

  issueToken(profileId: string): { token: string } {
    const p = this.repo.profile(profileId);
    if (!p) throw new CoreError('NOT_FOUND', `profileId: no profile ${profileId}`);
    const token = randomBytes(24).toString('base64url');
    this.together(() => {
      this.repo.setTokenHash(profileId, sha256(token));
      this.record(this.actor(), { kind: 'profile', path: 'profiles.issueToken', decisions: [`new access token for ${p.name} (${p.id}); the previous one no longer works`] });
    });
    return { token };
  }

  // ---------- policy ----------

  policy(): GuardPolicy {
    return this.current;
  }

  setPolicy(policy: GuardPolicy): GuardPolicy {
    this.apply(policy); // throws BAD_INPUT naming the rule before anything is stored
    const json = JSON.stringify(policy);
    this.together(() => {
      this.repo.savePolicy(json, this.now(), this.actor().id);
      const p = policy.pii;
      this.record(this.actor(), {
        kind: 'policy',
        path: 'guard.setPolicy',
        decisions: [
          `pii: remote default ${p.remoteDefault}, local ${p.local}, ${Object.keys(p.targets).length} target overrides, ${p.customRules.length} custom rules`,
          `output: ${policy.output.rules.length} rules`,
          `policy sha256 ${sha256(json)}`,
        ],
      });
    });
    return policy;
  }

  private apply(policy: GuardPolicy): void {
    try {
      const pii = compilePiiRules(policy.pii.customRules);
      const out = compileOutputRules(policy.output.rules);
      this.current = policy;
      this.piiRules = pii;
      this.outputRules = out;
      const blocking = out.filter((c) => c.rule.enabled && c.rule.action === 'block');
      this.streamBlockRules = blocking.filter((c) => c.rule.kind !== 'json');
      this.streamGate = blocking.some((c) => c.rule.kind === 'json') ? 'hold' : blocking.length > 0 ? 'check' : 'open';
    } catch (e) {
      throw new CoreError('BAD_INPUT', `policy: ${(e as Error).message}`);
    }
  }

  /** The PII action for a target, and why. */
  actionFor(target: { kind: 'local' } | { kind: 'remote'; targetId: string }, targetName?: string): { action: PiiAction; reason: string } {
    const p = this.current.pii;
    if (target.kind === 'local') return { action: p.local, reason: 'local model (the data stays on this machine)' };
    const own = p.targets[target.targetId];
    const name = targetName ?? target.targetId;
    if (own) return { action: own, reason: `remote target ${name} (its own setting)` };
    return { action: p.remoteDefault, reason: `remote target ${name} (default for remote targets)` };
  }

  preview(input: { target: { kind: 'local' } | { kind: 'remote'; targetId: string }; systemPrompt: string; userMessage: string; variables: Record<string, string> }): GuardPreview {
    const system = substituteVariables(input.systemPrompt, input.variables).text;
    const user = substituteVariables(input.userMessage, input.variables).text;
    const name = input.target.kind === 'remote' ? this.targetLabel(input.target.targetId) : undefined;
    const { action, reason } = this.actionFor(input.target, name);
    const masker = new PiiMasker(this.piiRules);
    const s = masker.mask(system);
    const u = masker.mask(user);
    const findings = [...s.findings.map((f) => ({ ...f, field: 'system' as const })), ...u.findings.map((f) => ({ ...f, field: 'user' as const }))];
    const masked = action === 'mask';
    return { action, reason, findings, sentSystem: masked ? s.text : system, sentUser: masked ? u.text : user };
  }

  private targetLabel(targetId: string): string {
    try {
      const t = this.deps.describeTarget({ kind: 'remote', targetId, model: '' });
      return t.kind === 'remote' ? t.targetName : targetId;
    } catch {
      return targetId;
    }
  }

  // ---------- runs ----------

  /**
   * Decides what leaves for the model. Throws BLOCKED (after auditing it) when the target's policy is block
   * and PII was found. Called synchronously by runs.start, so the acting profile is the caller's.
   */
  prepareRun(req: { path: RunSource; target: RunTarget; systemText: string; userText: string; params: unknown; promptVersionId: string | null }): PreparedRun {
    const apiActor = req.path === 'api' && this.apiActorId !== null ? this.repo.profile(this.apiActorId) : null;
    const actor = apiActor ?? this.actor();
    const auditTarget = this.deps.describeTarget(req.target);
    const name = auditTarget.kind === 'remote' ? auditTarget.targetName : undefined;
    const { action, reason } = this.actionFor(req.target.kind === 'local' ? { kind: 'local' } : { kind: 'remote', targetId: req.target.targetId }, name);
    let sentSystem = req.systemText;
    let sentUser = req.userText;
    let counts: Record<string, number> = {};
    let mapping: ReadonlyMap<string, string> | null = null;
    const decisions: string[] = [];
    const masker = action === 'allow' ? null : new PiiMasker(this.piiRules);
    if (masker) {
      const s = masker.mask(req.systemText);
      const u = masker.mask(req.userText);
      counts = masker.counts();
      const found = s.findings.length + u.findings.length;
      if (found > 0) {
        const what = countWords(counts);
        if (action === 'block') {
          const message = `Blocked by the PII policy for ${reason}: the prompt contains ${what}. Remove them, or ask an admin to set this target to mask.`;
          this.record(actor, {
            kind: 'ai_call',
            path: req.path,
            target: auditTarget,
            params: req.params as Record<string, unknown>,
            promptVersionId: req.promptVersionId,
            pii: { action, counts },
            decisions: [`blocked: pii ${what} (${reason})`],
            finishReason: 'blocked',
            error: message,
          });
          throw new CoreError('BLOCKED', message);
        }
        if (action === 'mask') {
          sentSystem = s.text;
          sentUser = u.text;
          mapping = masker.mapping;
          decisions.push(`pii: masked ${what} (${reason})`);
        } else decisions.push(`pii: warned, sent unmasked ${what} (${reason})`);
      }
    }
    const masked = mapping !== null && mapping.size > 0;
    return {
      actor,
      path: req.path,
      target: req.target,
      auditTarget,
      promptVersionId: req.promptVersionId,
      action,
      sentSystem,
      sentUser,
      counts,
      inputHash: inputDigest(sentSystem, sentUser),
      unmasker: masked ? new StreamUnmasker(mapping as ReadonlyMap<string, string>) : null,
      mapping: masked ? mapping : null,
      masker: action === 'mask' ? masker : null,
      gate: this.streamGate,
      decisions,
      guard: { piiAction: action, piiCounts: counts, sentSystem: masked ? sentSystem : null, sentUser: masked ? sentUser : null, output: null },
    };
  }

  /** The reply as the user sees it: placeholders put back (locally), then the output rules. */
  finishOutput(p: PreparedRun, received: string): { output: string; check: OutputCheck } {
    const output = p.mapping ? unmaskText(received, p.mapping) : received;
    return { output, check: checkOutput(this.outputRules, output) };
  }

  /** A streaming reply so far already breaks a block rule (JSON rules wait for the end). */
  blocksSoFar(text: string): boolean {
    return checkOutput(this.streamBlockRules, text).decision === 'block';
  }

  /** Output rules alone (for outputs the guard did not prepare, e.g. runs ended at start-up). */
  checkText(text: string): OutputCheck {
    return checkOutput(this.outputRules, text);
  }

  /** The audit record of a finished run (any outcome). */
  recordRun(p: PreparedRun, record: RunRecord, receivedOutput: string): void {
    const decisions = [...p.decisions];
    const out = record.guard?.output;
    if (out && out.decision !== 'pass') decisions.push(...out.reasons.map((r) => `output: ${out.decision === 'block' ? 'blocked' : 'flagged'} by ${r}`));
    this.record(p.actor, {
      kind: 'ai_call',
      path: p.path,
      startedAt: record.startedAt,
      endedAt: record.finishedAt,
      target: p.auditTarget,
      params: record.params as unknown as Record<string, unknown>,
      promptVersionId: p.promptVersionId,
      runId: record.id,
      inputHash: p.inputHash,
      outputHash: sha256(receivedOutput),
      pii: { action: p.action, counts: p.counts },
      decisions,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      finishReason: record.stopReason,
      error: record.error,
    });
  }

  /** A change and its audit record in one transaction: a crash keeps both or neither (see AuditLog.together). */
  together<T>(fn: () => T): T {
    return this.audit.together(fn);
  }

  /** Runs a previous process left running: audited as interrupted (their inputs are hashed as stored). */
  recordInterrupted(record: RunRecord): void {
    const g = record.guard;
    this.record(null, {
      kind: 'ai_call',
      path: record.source,
      startedAt: record.startedAt,
      endedAt: record.finishedAt,
      target: safeDescribe(this.deps.describeTarget, record.target, record.modelName),
      params: record.params as unknown as Record<string, unknown>,
      runId: record.id,
      inputHash: g?.sentUser != null ? inputDigest(g.sentSystem ?? '', g.sentUser) : null,
      pii: g ? { action: g.piiAction, counts: g.piiCounts } : null,
      finishReason: record.stopReason,
      error: record.error,
    });
  }

  private record(actor: ProfileRow | null, e: Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'path'>): void {
    const now = this.now();
    const who = actor ?? null;
    this.audit.append({
      startedAt: e.startedAt ?? now,
      endedAt: e.endedAt ?? now,
      profileId: who?.id ?? null,
      profileName: who?.name ?? 'system',
      role: who?.role ?? null,
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

function safeDescribe(describe: GuardDeps['describeTarget'], target: RunTarget, modelName: string): AuditTarget {
  try {
    return describe(target);
  } catch {
    return target.kind === 'local'
      ? { kind: 'local', modelId: target.modelId, modelName, modelSha256: null, adapters: [] }
      : { kind: 'remote', targetId: target.targetId, targetName: modelName, endpoints: [], model: target.model };
  }
}
