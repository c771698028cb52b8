// Choices the labeling panel makes for the person: who labels when nobody chose yet, whether A/R/S move on,
// and the words that say where a status key moved. Pure except the remembered auto-advance setting.
import type { Profile } from '../../../../shared/profiles.schema';

export interface ActingSession {
  profileId: string;
  /** Whether the session may call datasets.label. */
  canLabel: boolean;
}

/**
 * The labeler to use: the one chosen before on this machine while it still exists, else the profile this
 * window is signed in as when it may label (an owner labeling their own data should not have to pick).
 */
export function defaultLabelerId(chosen: string | null, profiles: readonly Pick<Profile, 'id'>[], session: ActingSession | null): string | null {
  if (chosen && profiles.some((p) => p.id === chosen)) return chosen;
  if (session?.canLabel && profiles.some((p) => p.id === session.profileId)) return session.profileId;
  return null;
}

const STATUS_WORD: Record<string, string> = { accepted: 'Accepted', rejected: 'Rejected', skipped: 'Skipped' };

/**
 * What a status key did, in words: "Accepted row 12 · moved to row 13". `to` is null when there was no
 * next row, undefined when auto-advance is off. Row numbers are 1-based places in the list the panel walks.
 */
export function advanceNote(status: string, from: number, to: number | null | undefined): string {
  const did = `${STATUS_WORD[status] ?? status} row ${from}`;
  if (to === undefined) return `${did} · staying here (auto-advance is off; J moves on)`;
  if (to === null) return `${did} · that was the last row`;
  return `${did} · moved to row ${to}`;
}

const AUTO_ADVANCE_KEY = 'lamplight.labeling.autoAdvance';

/** On unless turned off: labelers expect A/R/S to bring the next row, as before the setting existed. */
export function readAutoAdvance(): boolean {
  try {
    return globalThis.localStorage?.getItem(AUTO_ADVANCE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function writeAutoAdvance(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(AUTO_ADVANCE_KEY, on ? 'on' : 'off');
  } catch {
    // Storage turned off: the setting holds until the page reloads.
  }
}
