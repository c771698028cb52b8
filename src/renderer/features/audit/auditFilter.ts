// The Audit view's filter form and how a record reads in the table. Pure.
import type { AuditFilter, AuditKind, AuditRecord } from '../../../shared/guard.schema';
import type { StopReason } from '../../../shared/runs.schema';
import { stopReasonWords } from '../../ui/stopReason';

export type Outcome = NonNullable<AuditFilter['outcome']>;

export interface FilterForm {
  kind: AuditKind | '';
  path: string;
  profileId: string;
  target: string;
  outcome: Outcome | '';
  /** yyyy-mm-dd from a date input; both days are included. */
  from: string;
  to: string;
}

export const EMPTY_FILTER: FilterForm = { kind: '', path: '', profileId: '', target: '', outcome: '', from: '', to: '' };

function dayStart(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

/** Empty fields are left out; dates are local days, "to" includes its whole day. */
export function toAuditFilter(f: FilterForm): AuditFilter {
  const filter: AuditFilter = {};
  if (f.kind) filter.kind = f.kind;
  if (f.path.trim()) filter.path = f.path.trim();
  if (f.profileId) filter.profileId = f.profileId;
  if (f.target.trim()) filter.target = f.target.trim();
  if (f.outcome) filter.outcome = f.outcome;
  const from = dayStart(f.from);
  if (from !== undefined) filter.from = from;
  const to = dayStart(f.to);
  if (to !== undefined) filter.to = to + 24 * 60 * 60 * 1000 - 1;
  return filter;
}

/** "steady-7b @ fake vllm", "tiny.gguf (local)", or a dash. */
export function targetWords(r: AuditRecord): string {
  if (!r.target) return '—';
  return r.target.kind === 'remote' ? `${r.target.model} @ ${r.target.targetName}` : `${r.target.modelName} (local)`;
}

/** "masked id_card 1, bank_card 1" or "warned email 2"; empty when nothing was found. */
export function piiWords(r: AuditRecord): string {
  if (!r.pii) return '';
  const parts = Object.entries(r.pii.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  if (!parts.length) return '';
  const verb = { mask: 'masked', warn: 'warned', block: 'blocked', allow: 'allowed' }[r.pii.action];
  return `${verb} ${parts.join(', ')}`;
}

export function tokensWords(r: AuditRecord): string {
  if (r.promptTokens == null && r.completionTokens == null) return '—';
  return `${r.promptTokens ?? '?'} → ${r.completionTokens ?? '?'}`;
}

// Finish reasons arrive as the app's stop reasons (maxTokens, eos, …) or, from remote servers and the API
// server, as OpenAI's (length, stop, content_filter): both read as History reads them (ui/stopReason.ts).
const OPENAI_FINISH: Record<string, StopReason> = { length: 'maxTokens', stop: 'eos', content_filter: 'blocked', abort: 'abort' };
const STOP_REASONS: readonly StopReason[] = ['eos', 'maxTokens', 'stopSequence', 'abort', 'error', 'crash', 'interrupted', 'blocked'];

/** "max tokens", "end of text", …: the History's words for a record's finish reason; "error" for a failed call. */
export function finishWords(r: Pick<AuditRecord, 'finishReason' | 'error'>): string {
  const raw = r.finishReason;
  if (raw == null || raw === '') return r.error ? 'error' : '—';
  const reason = (STOP_REASONS as readonly string[]).includes(raw) ? (raw as StopReason) : OPENAI_FINISH[raw];
  return reason ? stopReasonWords(reason) : raw;
}
