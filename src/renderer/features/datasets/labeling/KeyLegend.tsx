import type { OptionKey } from './keymap';

interface Props {
  bindings: readonly OptionKey[];
  preference: boolean;
}

const FIXED: readonly [string, string][] = [
  ['A', 'accept'],
  ['R', 'reject'],
  ['S', 'skip'],
  ['J/↓', 'next'],
  ['K/↑', 'previous'],
  ['1–5', 'rating'],
  ['E', 'edit'],
  ['D', 'use draft'],
  ['N', 'note'],
  ['T', 'tag'],
  ['P', 'preference'],
  ['Ctrl+Z', 'undo'],
  ['Esc', 'close'],
];

/** A one-line reminder of every key; label option keys come from the dataset's schema. */
export function KeyLegend({ bindings, preference }: Props): React.JSX.Element {
  const fixed = preference ? FIXED.map(([k, w]): [string, string] => (k === '1–5' ? ['1/2', 'choose A/B'] : [k, w])) : FIXED;
  return (
    <footer className="lb-legend" aria-label="Keyboard shortcuts" data-testid="labeling-legend">
      {fixed.map(([k, w]) => (
        <span key={k} className="lb-legend-item">
          <kbd>{k}</kbd> {w}
        </span>
      ))}
      {bindings.length ? <span className="lb-legend-sep" aria-hidden="true" /> : null}
      {bindings.map((b) => (
        <span key={`${b.field}.${b.option}`} className="lb-legend-item">
          <kbd>{b.key.toUpperCase()}</kbd> {b.option}
        </span>
      ))}
    </footer>
  );
}
