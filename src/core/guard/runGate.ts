// The guard's side of one run, opened at start (guard.openRun) and called by the run at fixed points: the
// texts to send, each streamed chunk, the end (output rules), and the commit of the run with its audit record.
import type { AuditEntry, AuditTarget, PiiAction } from '../../shared/guard.schema';
import { unmaskText, type PiiMasker, type StreamUnmasker } from '../../shared/piiMask';
import type { OutputCheck, RunGuard } from '../../shared/guard.schema';
import type { RunRecord, RunSource, StopReason } from '../../shared/runs.schema';
import type { ProfileRow } from '../profiles/profiles.repo';
import { createHash } from 'node:crypto';

/** What a gate needs from the guard: the live output rules, the transaction and the audit log. */
export interface RunGateHost {
  /** A streaming reply so far already breaks a block rule (JSON rules wait for the end). */
  blocksSoFar(text: string): boolean;
  checkText(text: string): OutputCheck;
  together<T>(fn: () => T): T;
  record(actor: ProfileRow, e: Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'path'>): void;
}

/**
 * How the reply may stream while output rules can still block it: open (no block rule), check (block
 * rules are checked as text arrives and the run is stopped on a match), hold (a must-be-JSON block rule:
 * nothing is shown before the whole reply passed).
 */
export type GateMode = 'open' | 'check' | 'hold';

/** What the gate decided about one chunk: show it, keep it back for now, or stop the run (a block rule). */
export type ChunkVerdict = 'show' | 'withhold' | 'stop';

/** The part of a run's outcome the gate reads and rewrites (runs.repo's RunOutcome has more). */
export interface GatedOutcome {
  output: string;
  stopReason: StopReason;
  error: string | null;
  guard?: RunGuard | null;
}

export interface GateEnd<O extends GatedOutcome> {
  /** The outcome to store: output unmasked, the output check added, and blocked when a rule blocks it. */
  outcome: O;
  /** The reply as received from the model (hashed into the audit record). */
  received: string;
  /** Text to show now, after what is pending; null: nothing pending may be shown (blocked). */
  shown: string | null;
  /** Text held back until the end and passed now (for a stream that waited for it); null when none. */
  released: string | null;
}

export interface OpenedRun {
  actor: ProfileRow;
  path: RunSource;
  auditTarget: AuditTarget;
  promptVersionId: string | null;
  action: PiiAction;
  sentSystem: string;
  sentUser: string;
  counts: Record<string, number>;
  inputHash: string;
  unmasker: StreamUnmasker | null;
  mapping: ReadonlyMap<string, string> | null;
  masker: PiiMasker | null;
  mode: GateMode;
  decisions: string[];
  stored: RunGuard;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** An image that left with the request: stored and sent hashes, and what the image guard did. */
type ImageSent = { hash: string; sentHash: string; action?: 'allow' | 'block' | 'redact'; counts?: Record<string, number> };

export class RunGate {
  /** Text not shown yet because an output rule may still block it (mode 'hold'). */
  private held = '';
  /** The reply so far, kept only in mode 'check' (the block rules scan it as it grows). */
  private soFar = '';
  /** A block rule matched mid-stream: nothing more is shown and the run is being stopped. */
  private suppressed = false;
  /** The images that left with the prompt, by hash: the stored image and the bytes sent (never the bytes). */
  private images: ImageSent[] = [];

  constructor(
    private readonly host: RunGateHost,
    private readonly run: OpenedRun,
  ) {}

  get actor(): ProfileRow {
    return this.run.actor;
  }
  /** The texts that leave for the model (masked when the target's policy says mask). */
  get sentSystem(): string {
    return this.run.sentSystem;
  }
  get sentUser(): string {
    return this.run.sentUser;
  }
  /** What the guard did so far, stored with the run at start. */
  get stored(): RunGuard {
    return this.run.stored;
  }
  /** Whether further texts of the request (API chat turns) are masked too. */
  get masks(): boolean {
    return this.run.masker !== null;
  }

  /** The images the request carries once prepared (recorded in the audit record as hashes). */
  sentImages(images: readonly ImageSent[]): void {
    // What the image guard did goes with each image: action and counts by type (never values).
    this.images = images.map(({ hash, sentHash, action, counts }) => ({ hash, sentHash, ...(action ? { action, counts: counts ?? {} } : {}) }));
  }

  /** A further text of the request, masked like the prompt (API chat turns and raw completions). */
  mask(text: string): string {
    return this.run.masker ? this.run.masker.mask(text).text : text;
  }

  /** One streamed delta: placeholders put back (here, on this machine, before anyone sees it), then the rules. */
  onChunk(delta: string): { text: string; verdict: ChunkVerdict } {
    const text = this.run.unmasker ? this.run.unmasker.push(delta) : delta;
    const mode = this.run.mode;
    if (mode === 'open') return { text, verdict: 'show' };
    if (this.suppressed) return { text, verdict: 'withhold' };
    if (mode === 'hold') {
      this.held += text;
      return { text, verdict: 'withhold' };
    }
    this.soFar += text;
    if (this.host.blocksSoFar(this.soFar)) {
      this.suppressed = true;
      return { text, verdict: 'stop' };
    }
    return { text, verdict: 'show' };
  }

  /** The end of the stream: the rest of the unmasker, the reply as the user sees it, and the output rules. */
  finish<O extends GatedOutcome>(ended: O): GateEnd<O> {
    const received = ended.output;
    const rest = this.run.unmasker?.end() ?? '';
    if (this.run.mode === 'hold') this.held += rest;
    const output = this.run.mapping ? unmaskText(received, this.run.mapping) : received;
    const check = this.host.checkText(output);
    const outcome: O = { ...ended, output, guard: { ...this.run.stored, output: check } };
    if (check.decision === 'block') {
      return { outcome: { ...outcome, output: '', stopReason: 'blocked', error: `Blocked by output policy: ${check.reasons.join('; ')}` }, received, shown: null, released: null };
    }
    // Passed: held text is shown now, whole (and sent to an API stream that waited for it).
    if (this.run.mode === 'hold') return { outcome, received, shown: this.held, released: this.held };
    return { outcome, received, shown: this.suppressed ? '' : rest, released: null };
  }

  /** Stores the run and its audit record in one transaction: a crash between them left a run no record showed. */
  commit(store: () => RunRecord, received: string): RunRecord {
    return this.host.together(() => {
      const record = store();
      try {
        this.audit(record, received);
      } catch (e) {
        // The run itself is stored; a failed audit write is reported, never silently dropped.
        console.error(`audit: could not record run ${record.id}: ${(e as Error).message}`);
      }
      return record;
    });
  }

  /** The audit record of a finished run (any outcome). */
  audit(record: RunRecord, received: string): void {
    const r = this.run;
    const decisions = [...r.decisions];
    for (const im of this.images) {
      const n = Object.entries(im.counts ?? {}).map(([k, c]) => `${c} ${k}`);
      if (im.action === 'redact') decisions.push(`image ${im.hash.slice(0, 12)}: redacted ${n.length ? n.join(', ') : 'nothing found'}`);
    }
    const out = record.guard?.output;
    if (out && out.decision !== 'pass') decisions.push(...out.reasons.map((x) => `output: ${out.decision === 'block' ? 'blocked' : 'flagged'} by ${x}`));
    this.host.record(r.actor, {
      kind: 'ai_call',
      path: r.path,
      startedAt: record.startedAt,
      endedAt: record.finishedAt,
      target: r.auditTarget,
      params: record.params as unknown as Record<string, unknown>,
      promptVersionId: r.promptVersionId,
      runId: record.id,
      inputHash: r.inputHash,
      outputHash: sha256(received),
      pii: { action: r.action, counts: r.counts },
      decisions,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      finishReason: record.stopReason,
      error: record.error,
      ...(this.images.length > 0 ? { images: this.images } : {}),
    });
  }
}
