import { useEffect, useRef, useState } from 'react';
import { allows, useSessionStore } from '../../../client/session.store';
import { ErrorNote } from '../../../ui/ErrorNote';
import { useLabelingStore } from './labeling.store';
import { defaultLabelerId } from './labelingChoices';

/**
 * Who is labeling: every label records its profile. Admins label as themselves until they pick someone else
 * (the pick is remembered on this machine); everyone else labels as the profile they signed in with, which
 * the core enforces too.
 */
export function ProfilePicker(): React.JSX.Element {
  const profiles = useLabelingStore((s) => s.profiles);
  const profilesLoaded = useLabelingStore((s) => s.profilesLoaded);
  const profileId = useLabelingStore((s) => s.profileId);
  const session = useSessionStore((s) => s.info);
  const self = session && session.role !== 'admin' ? session : null;
  useEffect(() => {
    if (self && profileId !== self.profileId) useLabelingStore.getState().chooseProfile(self.profileId);
  }, [self, profileId]);
  // An owner opening the panel labels as themselves: nothing to pick before the first key. Once per
  // opening, so choosing "Choose a labeler…" on purpose is not undone.
  const defaulted = useRef(false);
  useEffect(() => {
    if (defaulted.current || self || !session || profiles.length === 0) return;
    defaulted.current = true;
    if (profileId) return;
    const id = defaultLabelerId(null, profiles, { profileId: session.profileId, canLabel: allows(session, 'datasets.label') });
    if (id) useLabelingStore.setState({ profileId: id });
  }, [self, session, profileId, profiles]);
  const error = useLabelingStore((s) => s.profileError);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const create = async (): Promise<void> => {
    if (!name.trim() || busy) return;
    setBusy(true);
    const ok = await useLabelingStore.getState().createProfile(name.trim());
    setBusy(false);
    if (ok) {
      setName('');
      setAdding(false);
    }
  };

  if (self) {
    return (
      <div className="lb-profile">
        <span className="lb-profile-label">Labeler</span>
        <span data-testid="labeling-profile-self">{self.profileName}</span>
      </div>
    );
  }

  return (
    <div className="lb-profile">
      <label htmlFor="lb-profile-select" className="lb-profile-label">
        Labeler
      </label>
      {/* Opened by itself only when the list is known to be empty (it flashed open while the list loaded). */}
      {adding || (profilesLoaded && profiles.length === 0) ? (
        <form
          className="lb-profile-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <input
            id="lb-profile-select"
            className="input lb-profile-input"
            aria-label="New labeler profile name"
            placeholder="Your name"
            data-testid="labeling-profile-name"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && profiles.length) setAdding(false);
            }}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={!name.trim() || busy} data-testid="labeling-profile-create">
            Create profile
          </button>
          {profiles.length ? (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setAdding(false)}>
              Cancel
            </button>
          ) : null}
        </form>
      ) : (
        <>
          <select
            id="lb-profile-select"
            className="input lb-profile-select"
            data-testid="labeling-profile-select"
            value={profileId ?? ''}
            onChange={(e) => useLabelingStore.getState().chooseProfile(e.target.value || null)}
          >
            <option value="">Choose a labeler…</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.id === session?.profileId ? ' (you)' : ''}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-small btn-ghost" aria-label="New labeler profile" data-testid="labeling-profile-new" onClick={() => setAdding(true)}>
            + New
          </button>
        </>
      )}
      <ErrorNote error={error} title="Labeler profiles" />
    </div>
  );
}
