import { useEffect, useState } from 'react';
import type { GuardPreview } from '../../../shared/guard.schema';
import { api } from '../../client/bridge';
import { useCan } from '../../client/session.store';
import { useTargetsStore } from '../../client/targets.store';
import { usePlaygroundStore } from './playground.store';
import { filledVariables } from '../../ui/prompt/variables';

const FIELD_WORDS = { system: 'system prompt', user: 'user message' } as const;

/** Before Run: what the guard will do with PII in this prompt for the chosen target, asked of the core as the text changes. */
export function MaskPreview(): React.JSX.Element | null {
  const target = usePlaygroundStore((s) => s.target);
  const systemPrompt = usePlaygroundStore((s) => s.systemPrompt);
  const userMessage = usePlaygroundStore((s) => s.userMessage);
  const variables = usePlaygroundStore((s) => s.variables);
  const targetName = useTargetsStore((s) => (target?.kind === 'remote' ? (s.targets.find((t) => t.id === target.targetId)?.name ?? target.model) : null));
  const canPreview = useCan('guard.preview');
  const [preview, setPreview] = useState<GuardPreview | null>(null);

  const targetKey = target ? (target.kind === 'remote' ? `r:${target.targetId}` : 'local') : null;
  useEffect(() => {
    if (!targetKey || !canPreview || (!systemPrompt.trim() && !userMessage.trim())) {
      setPreview(null);
      return undefined;
    }
    let live = true;
    const t = setTimeout(() => {
      const guardTarget = targetKey === 'local' ? { kind: 'local' as const } : { kind: 'remote' as const, targetId: targetKey.slice(2) };
      api.invoke('guard.preview', { target: guardTarget, systemPrompt, userMessage, variables: filledVariables(variables) }).then(
        (p) => {
          if (live) setPreview(p);
        },
        // The preview is advice; the core applies the policy on Run either way.
        () => {
          if (live) setPreview(null);
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [targetKey, systemPrompt, userMessage, variables, canPreview]);

  if (!preview || !target) return null;
  const n = preview.findings.length;
  const where = targetName ?? 'the local model';
  if (!n && target.kind === 'local') return null;
  const items = `${n} item${n === 1 ? '' : 's'}`;
  let tone = 'info';
  let head: string;
  if (!n) {
    tone = 'quiet';
    head = `No PII found: nothing to mask before sending to ${where}.`;
  } else if (preview.action === 'mask') {
    head = `Will mask ${items} before sending to ${where}:`;
  } else if (preview.action === 'warn') {
    tone = 'warn';
    head = `${items} of PII will be sent unmasked to ${where} (policy: warn):`;
  } else if (preview.action === 'block') {
    tone = 'block';
    head = `Will be refused: ${items} of PII, and the policy for ${where} is to block:`;
  } else {
    tone = 'quiet';
    head = `${items} of PII found; sent as is to ${where} (policy: allow):`;
  }
  return (
    <div className={`pg-mask pg-mask-${tone}`} data-testid="mask-preview" data-action={preview.action} title={preview.reason}>
      <span className="pg-mask-head">{head}</span>
      {preview.findings.map((f) => (
        <span key={`${f.field}-${f.start}`} className="pg-mask-item">
          {preview.action === 'mask' ? <span className="mono pg-mask-ph">{f.placeholder}</span> : null} <span className="mono">{f.redacted}</span>{' '}
          <span className="muted">({FIELD_WORDS[f.field]})</span>
        </span>
      ))}
    </div>
  );
}
