// The guard every AI call passes through: what PII may leave for which target, which outputs may be used,
// and the audit record of each decision. Who is acting is core/profiles' question; each run gets its own
// gate (openRun) that it calls at start, on each chunk and at the end.
import { createHash } from 'node:crypto';
import { GuardPolicy, type AuditTarget, type GuardPreview, type PiiAction } from '../../shared/guard.schema';
import { checkOutput, compileOutputRules, type CompiledOutputRule } from '../../shared/outputPolicy';
import { compilePiiRules, PiiMasker, StreamUnmasker, type CompiledPiiRule } from '../../shared/piiMask';
import type { OutputCheck } from '../../shared/guard.schema';
import type { RunRecord, RunSource, RunTarget } from '../../shared/runs.schema';
import { substituteVariables } from '../../shared/template';
import type { Db } from '../db/openDb';
import { CoreError } from '../errors';
import type { ProfilesService } from '../profiles/profiles.service';
import type { AuditLog } from './auditLog';
import type { AuditRecorder } from './auditRecorder';
import { GuardRepo } from './guard.repo';
import { RunGate, type GateMode, type RunGateHost } from './runGate';

export interface GuardDeps {
  db: Db;
  /** The audit log, with the recorder profiles write through too. */
  audit: AuditRecorder;
  profiles: ProfilesService;
  /** What the audit log records about a target: model file hash, or endpoint and model. */
  describeTarget(target: RunTarget): AuditTarget;
  now?: () => number;
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
  private readonly now: () => number;
  private readonly gateHost: RunGateHost;
  private current!: GuardPolicy;
  private piiRules: CompiledPiiRule[] = [];
  private outputRules: CompiledOutputRule[] = [];
  /** The enabled block rules a streaming reply can be checked against (not must-be-JSON), and the gate. */
  private streamBlockRules: CompiledOutputRule[] = [];
  private streamGate: GateMode = 'open';

  constructor(private readonly deps: GuardDeps) {
    this.now = deps.now ?? Date.now;
    this.repo = new GuardRepo(deps.db);
    this.audit = deps.audit.log;
    // Live: a policy change applies to the chunks and ends of runs already streaming.
    this.gateHost = {
      blocksSoFar: (text) => checkOutput(this.streamBlockRules, text).decision === 'block',
      checkText: (text) => this.checkText(text),
      together: (fn) => this.together(fn),
      record: (actor, e) => deps.audit.record(actor, e),
    };
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

  // ---------- policy ----------

  policy(): GuardPolicy {
    return this.current;
  }

  setPolicy(policy: GuardPolicy): GuardPolicy {
    this.apply(policy); // throws BAD_INPUT naming the rule before anything is stored
    const json = JSON.stringify(policy);
    this.together(() => {
      this.repo.savePolicy(json, this.now(), this.deps.profiles.actor().id);
      const p = policy.pii;
      this.deps.audit.record(this.deps.profiles.actor(), {
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
   * Opens a run's gate: decides what leaves for the model. Throws BLOCKED (after auditing it) when the
   * target's policy is block and PII was found. Called synchronously by runs.start, so the acting profile is
   * the caller's (an API-server request acts as the profile that started the server).
   */
  openRun(req: { path: RunSource; target: RunTarget; systemText: string; userText: string; params: unknown; promptVersionId: string | null }): RunGate {
    const actor = req.path === 'api' ? this.deps.profiles.apiActor() : this.deps.profiles.actor();
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
          this.deps.audit.record(actor, {
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
    return new RunGate(this.gateHost, {
      actor,
      path: req.path,
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
      mode: this.streamGate,
      decisions,
      stored: { piiAction: action, piiCounts: counts, sentSystem: masked ? sentSystem : null, sentUser: masked ? sentUser : null, output: null },
    });
  }

  /** Output rules alone (for outputs the guard did not prepare, e.g. runs ended at start-up). */
  checkText(text: string): OutputCheck {
    return checkOutput(this.outputRules, text);
  }

  /** A change and its audit record in one transaction: a crash keeps both or neither (see AuditLog.together). */
  together<T>(fn: () => T): T {
    return this.deps.audit.together(fn);
  }

  /** Runs a previous process left running: audited as interrupted (their inputs are hashed as stored). */
  recordInterrupted(record: RunRecord): void {
    const g = record.guard;
    this.deps.audit.record(null, {
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
