// How a failed save, rename or restore reads in the editor. The core prefixes a CONFLICT message with the
// field it is about ("parentId: …", "content: …", "name: …"); that field decides the title and whether
// reloading the latest version helps. Pure.
import type { ShownError } from '../../client/errors';

export interface SaveProblem {
  title: string;
  message: string;
  /** Offer "Reload latest": the edit started from an older version, or nothing differs from the latest. */
  reload: boolean;
}

export function describeSaveProblem(error: ShownError, existing: boolean): SaveProblem {
  const m = /^(\w+): (.*)$/s.exec(error.message);
  const field = m?.[1] ?? null;
  // Version ids mean nothing to a reader next to "v3".
  const rest = sentence((m?.[2] ?? error.message).replace(/ \([0-9A-HJKMNP-TV-Z]{26}\)/g, ''));
  if (error.code === 'CONFLICT' && field === 'parentId') {
    return { title: 'Not saved: a newer version exists', message: rest, reload: existing };
  }
  if (error.code === 'CONFLICT' && field === 'content') {
    return { title: 'Not saved: nothing changed', message: rest, reload: existing };
  }
  if (error.code === 'CONFLICT' && field === 'name') {
    return { title: 'That name is taken', message: rest, reload: false };
  }
  return { title: 'Could not save', message: error.message, reload: false };
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
