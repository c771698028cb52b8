import { memo } from 'react';
import type { DiffSegment } from './wordDiff';

/** An output with the words that differ from the first column marked; missing words show as a thin wedge. */
function DiffTextImpl({ segments }: { segments: readonly DiffSegment[] }): React.JSX.Element {
  return (
    <>
      {segments.map((seg, i) => {
        if (seg.kind === 'same') return <span key={i}>{seg.text}</span>;
        if (seg.kind === 'removed')
          return (
            // The wedge is CSS content, so copying the output or reading its text never includes it.
            <span key={i} className="diff-removed" title={`Column 1 has here: ${seg.text}`} role="img" aria-label={`missing: ${seg.text}`} />
          );
        return (
          <mark key={i} className={`diff-mark diff-${seg.kind}`} data-testid="diff-mark" title={seg.kind === 'added' ? 'Not in column 1' : 'Differs from column 1'}>
            {seg.text}
          </mark>
        );
      })}
    </>
  );
}

export const DiffText = memo(DiffTextImpl);
