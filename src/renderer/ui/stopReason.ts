// Stop reasons in words a person reads. Pure.
import type { StopReason } from '../../shared/runs.schema';

const WORDS: Record<StopReason, string> = {
  eos: 'end of text',
  maxTokens: 'max tokens',
  stopSequence: 'stop sequence',
  abort: 'stopped by you',
  error: 'error',
  crash: 'engine crashed',
  interrupted: 'interrupted',
  blocked: 'blocked by output policy',
};

export function stopReasonWords(reason: StopReason | null | undefined): string {
  if (!reason) return '—';
  return WORDS[reason] ?? reason;
}

/** Reasons that mean something went wrong, for colouring. */
export function isBadStop(reason: StopReason | null | undefined): boolean {
  return reason === 'error' || reason === 'crash' || reason === 'interrupted' || reason === 'blocked';
}
