import { useEffect } from 'react';
import { missingPermission, useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { useGuardStore } from './guard.store';
import { OutputRulesSection } from './OutputRulesSection';
import { PiiPolicySection } from './PiiPolicySection';
import { ImagePolicySection } from './ImagePolicySection';
import { ProfilesSection } from './ProfilesSection';
import './guard.css';

export function GuardView(): React.JSX.Element {
  const draft = useGuardStore((s) => s.draft);
  const loadError = useGuardStore((s) => s.loadError);
  const dirty = useGuardStore((s) => s.draft !== s.saved);
  const saving = useGuardStore((s) => s.saving);
  const saveError = useGuardStore((s) => s.saveError);
  const savedAt = useGuardStore((s) => s.savedAt);
  const { load, save, discard, loadProfiles } = useGuardStore.getState();
  const canSave = useCan('guard.setPolicy');
  const canProfiles = useCan('profiles.list');

  useEffect(() => {
    void load();
    if (canProfiles) void loadProfiles();
  }, [load, loadProfiles, canProfiles]);

  return (
    <div className="view view-guard">
      <div className="guard-savebar" data-testid="guard-savebar">
        {canSave ? (
          <>
            <span className={dirty ? 'text-warn' : 'muted'}>{dirty ? 'Unsaved changes to the policy' : savedAt ? 'Policy saved' : 'The policy applies to every AI call, in every view'}</span>
            <span className="spacer" />
            <button type="button" className="btn btn-small btn-ghost" disabled={!dirty || saving} onClick={discard}>
              Discard
            </button>
            <button type="button" className="btn btn-small btn-primary" data-testid="guard-save" disabled={!dirty || saving} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save policy'}
            </button>
          </>
        ) : (
          <span className="muted" data-testid="guard-readonly" title={missingPermission('guard.setPolicy')}>
            Read-only: only an admin can change the policy.
          </span>
        )}
      </div>
      <ErrorNote error={saveError} testId="guard-save-error" title="The policy was not saved" />
      <ErrorNote error={loadError} title="Could not read the policy" onDismiss={() => void load()} />
      {draft ? (
        <div className="guard-grid">
          <PiiPolicySection policy={draft} readOnly={!canSave} />
          <ImagePolicySection policy={draft} readOnly={!canSave} />
          <OutputRulesSection policy={draft} readOnly={!canSave} />
          {canProfiles ? <ProfilesSection /> : null}
        </div>
      ) : loadError ? null : (
        <p className="muted">Reading the policy…</p>
      )}
    </div>
  );
}
