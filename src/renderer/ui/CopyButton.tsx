import { useEffect, useState } from 'react';

/** Copies text to the clipboard and says so for a moment. */
export function CopyButton({ text, testId, label = 'Copy' }: { text: string; testId?: string; label?: string }): React.JSX.Element {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const t = setTimeout(() => setState('idle'), 1400);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid={testId}
      onClick={() => {
        const done = navigator.clipboard?.writeText(text);
        if (!done) setState('failed');
        else void done.then(() => setState('copied'), () => setState('failed'));
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select it' : label}
    </button>
  );
}
