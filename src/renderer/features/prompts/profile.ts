// The author name saved with versions and label moves: one profile name per machine, kept in localStorage.
const KEY = 'lamplight.profileName';
export const DEFAULT_AUTHOR = 'me';

export function loadAuthor(): string {
  try {
    return globalThis.localStorage?.getItem(KEY)?.trim() || DEFAULT_AUTHOR;
  } catch {
    return DEFAULT_AUTHOR;
  }
}

export function rememberAuthor(name: string): void {
  try {
    if (name.trim()) globalThis.localStorage?.setItem(KEY, name.trim());
  } catch {
    // Storage may be disabled; the name still applies for this session.
  }
}

/** What a save sends: the typed name, or the default when it is blank. */
export function authorOrDefault(name: string): string {
  return name.trim() || DEFAULT_AUTHOR;
}
