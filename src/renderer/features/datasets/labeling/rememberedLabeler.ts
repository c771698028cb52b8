// The labeler this browser last chose, kept across reloads so a person is not asked again each time.
const PROFILE_KEY = 'lamplight.labelerId';

export function readProfileId(): string | null {
  try {
    return globalThis.localStorage?.getItem(PROFILE_KEY) || null;
  } catch {
    return null;
  }
}

export function writeProfileId(id: string | null): void {
  try {
    if (id) globalThis.localStorage?.setItem(PROFILE_KEY, id);
    else globalThis.localStorage?.removeItem(PROFILE_KEY);
  } catch {
    // Storage may be disabled; the choice still holds for this session.
  }
}
