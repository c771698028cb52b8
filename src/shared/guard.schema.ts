// Enterprise guardrails: PII policy per target (mask before egress, warn, block, allow), output rules, what
// the guard did on each run, and the hash-chained audit log (profiles and roles: profiles.schema.ts). Every
// AI path goes through the core's guard; these are the shapes the UI, CLI and tests see.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { ImageHash } from './images.schema';
import { Role } from './profiles.schema';

export const PiiAction = z.enum(['mask', 'warn', 'block', 'allow']);
export type PiiAction = z.infer<typeof PiiAction>;

export const OutputCheck = z.object({
  decision: z.enum(['pass', 'flag', 'block']),
  /** One line per rule that matched: `rule "no secrets" (block): contains "password"`. */
  reasons: z.array(z.string()),
});
export type OutputCheck = z.infer<typeof OutputCheck>;

/** What the guard did on one run; stored with the run (no raw PII values in it). */
export const RunGuard = z.object({
  piiAction: PiiAction,
  /** Count per kind of what was found (and masked when piiAction is mask). */
  piiCounts: z.record(z.string(), z.number().int()),
  /** The masked texts as sent; null when nothing was masked. */
  sentSystem: z.string().nullable(),
  sentUser: z.string().nullable(),
  output: OutputCheck.nullable(),
});
export type RunGuard = z.infer<typeof RunGuard>;

/** A user-defined detector: its matches are masked as `[NAME_1]`, `[NAME_2]`… */
export const PiiRule = z.object({
  name: z.string().regex(/^[A-Z][A-Z0-9_]{0,23}$/, 'rule names are upper-case letters, digits and _ (e.g. EMPLOYEE_NO)'),
  pattern: z.string().min(1).max(2000),
  /** JavaScript RegExp flags besides g (always on): i, m, s, u. */
  flags: z.string().regex(/^[imsu]*$/, 'flags: only i, m, s and u').default(''),
});
export type PiiRule = z.infer<typeof PiiRule>;

export const OutputAction = z.enum(['flag', 'block']);
export type OutputAction = z.infer<typeof OutputAction>;

const RuleBase = {
  name: z.string().trim().min(1).max(100),
  action: OutputAction.default('flag'),
  enabled: z.boolean().default(true),
};
export const OutputRule = z.discriminatedUnion('kind', [
  /** Any of these words or phrases (case-insensitive) in the output. */
  z.object({ kind: z.literal('words'), ...RuleBase, words: z.array(z.string().trim().min(1).max(200)).min(1).max(5000) }),
  z.object({ kind: z.literal('regex'), ...RuleBase, pattern: z.string().min(1).max(2000), flags: z.string().regex(/^[imsu]*$/).default('') }),
  z.object({ kind: z.literal('maxLength'), ...RuleBase, chars: z.number().int().min(1).max(10_000_000) }),
  /** The whole output must parse as JSON (surrounding whitespace and a ```json fence are allowed). */
  z.object({ kind: z.literal('json'), ...RuleBase }),
]);
export type OutputRule = z.infer<typeof OutputRule>;

/** What happens to an image bound for a target: sent as is, refused, or sent with its personal numbers painted over. */
export const ImageAction = z.enum(['allow', 'block', 'redact']);
export type ImageAction = z.infer<typeof ImageAction>;

export const ImagePolicy = z.object({
  /** Images to a remote target that has no setting of its own. */
  remoteDefault: ImageAction.default('redact'),
  /** Images to local models (they do not leave the machine). */
  local: ImageAction.default('allow'),
  /** Per remote target id. */
  targets: z.record(Id, ImageAction).default({}),
  /**
   * A Chinese (chi_sim) traineddata file for OCR. Without it only digits and Latin letters are read: ID,
   * card and phone numbers and e-mail are found, Chinese names and addresses in images are NOT.
   */
  chiSimPath: z.string().max(4096).nullable().default(null),
});
export type ImagePolicy = z.infer<typeof ImagePolicy>;

export const GuardPolicy = z.object({
  pii: z
    .object({
      /** What happens to PII in a request to a remote target that has no setting of its own. */
      remoteDefault: PiiAction.default('mask'),
      /** Requests to local models (the data does not leave the machine). */
      local: PiiAction.default('allow'),
      /** Per remote target id. */
      targets: z.record(Id, PiiAction).default({}),
      customRules: z.array(PiiRule).max(200).default([]),
    })
    .default({ remoteDefault: 'mask', local: 'allow', targets: {}, customRules: [] }),
  output: z.object({ rules: z.array(OutputRule).max(500).default([]) }).default({ rules: [] }),
  images: ImagePolicy.default({ remoteDefault: 'redact', local: 'allow', targets: {}, chiSimPath: null }),
});
export type GuardPolicy = z.infer<typeof GuardPolicy>;
export type GuardPolicyInput = z.input<typeof GuardPolicy>;

/** What a finding looks like outside the core: where it is and a redacted form, never the raw value. */
export const PiiFinding = z.object({
  /** id_card, bank_card, phone, email, or a custom rule's NAME. */
  kind: z.string(),
  field: z.enum(['system', 'user']),
  start: z.number().int(),
  end: z.number().int(),
  /** The placeholder it is sent as, e.g. [ID_1] (same value, same placeholder). */
  placeholder: z.string(),
  /** Partly hidden, for display: 1101**********002X. */
  redacted: z.string(),
});
export type PiiFinding = z.infer<typeof PiiFinding>;

export const GuardPreview = z.object({
  action: PiiAction,
  /** Why this action applies: "remote target GPU box (default for remote targets)". */
  reason: z.string(),
  findings: z.array(PiiFinding),
  /** The texts as they would leave the machine (masked when the action is mask). */
  sentSystem: z.string(),
  sentUser: z.string(),
});
export type GuardPreview = z.infer<typeof GuardPreview>;

export const AuditKind = z.enum(['ai_call', 'denied', 'policy', 'profile']);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditTarget = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('local'),
    modelId: z.string().nullable(),
    modelName: z.string(),
    modelSha256: z.string().nullable(),
    adapters: z.array(z.object({ name: z.string(), sha256: z.string().nullable(), scale: z.number() })),
  }),
  z.object({ kind: z.literal('remote'), targetId: z.string(), targetName: z.string(), endpoints: z.array(z.string()), model: z.string() }),
]);
export type AuditTarget = z.infer<typeof AuditTarget>;

/** The hashed body of an audit record: everything but its place in the chain. */
export const AuditEntry = z.object({
  id: Id,
  kind: AuditKind,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  profileId: z.string().nullable(),
  profileName: z.string(),
  role: Role.nullable(),
  /** playground, compare, eval, dataset, bench, api, cli — or the command name for denied/policy/profile. */
  path: z.string(),
  target: AuditTarget.nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  promptVersionId: z.string().nullable(),
  runId: z.string().nullable(),
  /** sha256 hex of what left for the model (system + "\n\n" + user, masked) and of the output received. */
  inputHash: z.string().nullable(),
  outputHash: z.string().nullable(),
  pii: z.object({ action: PiiAction, counts: z.record(z.string(), z.number().int()) }).nullable(),
  /** Policy decisions, one line each: "pii: masked 1 id_card", "output: blocked by rule …", "denied: …". */
  decisions: z.array(z.string()),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  finishReason: z.string().nullable(),
  error: z.string().nullable(),
  /** Images sent with the prompt: sha256 of the stored image and of the bytes sent (never the image itself). */
  images: z.array(z.object({ hash: z.string(), sentHash: z.string(), action: ImageAction.optional(), counts: z.record(z.string(), z.number().int()).optional() })).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditRecord = AuditEntry.extend({
  seq: z.number().int(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditFilter = z.object({
  kind: AuditKind.optional(),
  path: z.string().max(100).optional(),
  profileId: Id.optional(),
  /** Substring of the target's model name, endpoint or target name. */
  target: z.string().max(500).optional(),
  outcome: z.enum(['error', 'cancelled', 'masked', 'blocked', 'flagged']).optional(),
  from: z.number().optional(),
  to: z.number().optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;

export const AuditVerify = z.object({
  ok: z.boolean(),
  /** Records checked. */
  count: z.number().int(),
  headSeq: z.number().int().nullable(),
  /** The HMAC checkpoint of the head (kept outside the database), if there is one. */
  checkpointSeq: z.number().int().nullable(),
  /** The first record that does not verify (or the first missing one when the tail was cut). */
  firstBrokenSeq: z.number().int().nullable(),
  message: z.string(),
});
export type AuditVerify = z.infer<typeof AuditVerify>;

const FilePath = z.string().min(1).max(4096);

/** Counting every match of a filter on a large log is a full scan; the count stops here. */
export const AUDIT_COUNT_CAP = 10_000;

export const guardCommands = {
  'guard.getPolicy': { input: Empty, output: GuardPolicy, permission: 'view' },
  'guard.setPolicy': { input: z.object({ policy: GuardPolicy }), output: GuardPolicy, permission: 'admin' },
  /** What would leave the machine if this prompt were sent to this target now. */
  'guard.preview': {
    input: z.object({
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('local') }),
        z.object({ kind: z.literal('remote'), targetId: Id }),
      ]),
      systemPrompt: z.string().max(2_000_000).default(''),
      userMessage: z.string().max(2_000_000),
      variables: z.record(z.string(), z.string()).default({}),
    }),
    output: GuardPreview,
    permission: 'run',
  },

  'audit.list': {
    input: z.object({ filter: AuditFilter.default({}), limit: z.number().int().min(1).max(1000).default(200), beforeSeq: z.number().int().optional() }),
    /** total is exact up to AUDIT_COUNT_CAP; past it, totalCapped is true and total is the cap. */
    output: z.object({ records: z.array(AuditRecord), total: z.number().int(), totalCapped: z.boolean() }),
    permission: 'audit',
  },
  'audit.verify': { input: Empty, output: AuditVerify, permission: 'audit' },
  'audit.export': { input: z.object({ path: FilePath, filter: AuditFilter.default({}) }), output: z.object({ path: z.string(), count: z.number().int() }), permission: 'audit' },
} as const satisfies Record<string, CommandSpec>;

export const ImageBox = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });
export type ImageBox = z.infer<typeof ImageBox>;

/** A painted region: what kind of finding it covers and where (never the value). */
export const ImageRegion = z.object({ type: z.string(), box: ImageBox });
export type ImageRegion = z.infer<typeof ImageRegion>;

/** An image in an audit record: the stored and the sent hash, what the policy did, counts by type (never values). */
export const ImageAudit = z.object({
  hash: z.string(),
  sentHash: z.string(),
  action: ImageAction,
  counts: z.record(z.string(), z.number().int()),
});
export type ImageAudit = z.infer<typeof ImageAudit>;

export const ImagePreview = z.object({
  action: ImageAction,
  /** The image as it would leave (redacted when the action is redact), as a data: URL. */
  dataUrl: z.string(),
  regions: z.array(ImageRegion),
  counts: z.record(z.string(), z.number().int()),
});
export type ImagePreview = z.infer<typeof ImagePreview>;

export const imageGuardCommands = {
  /** The image as it would be sent to this remote target under the image policy (block: no dataUrl content). */
  'guard.previewImage': { input: z.object({ hash: ImageHash, targetId: Id }), output: ImagePreview, permission: 'run' },
} as const satisfies Record<string, CommandSpec>;

export const guardEvents = {} as const satisfies Record<string, EventSpec>;
