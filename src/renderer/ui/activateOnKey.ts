import type { KeyboardEvent } from 'react';

/** Keyboard activation for a clickable, focusable row: Enter or Space does what a click does. */
export function activateOnKey(action: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  };
}
