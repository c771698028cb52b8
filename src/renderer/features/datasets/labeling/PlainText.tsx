export interface TextSpan {
  kind: string;
  start: number;
  end: number;
}

interface Props {
  text: string;
  spans?: readonly TextSpan[];
  testId?: string;
  label?: string;
}

/** Text exactly as stored (whitespace kept, never parsed as HTML), with personal-data spans marked. */
export function PlainText({ text, spans, testId, label }: Props): React.JSX.Element {
  const parts: React.ReactNode[] = [];
  let at = 0;
  const sorted = [...(spans ?? [])].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  for (const s of sorted) {
    if (s.start < at) continue;
    if (s.start > at) parts.push(text.slice(at, s.start));
    parts.push(
      <mark key={`${s.start}-${s.end}`} className="lb-pii" title={`Personal data: ${s.kind.replace('_', ' ')}`} data-pii={s.kind}>
        {text.slice(s.start, s.end)}
      </mark>,
    );
    at = s.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return (
    <div className="lb-text" data-testid={testId} aria-label={label}>
      {text.length ? parts : <span className="muted">(empty)</span>}
    </div>
  );
}
