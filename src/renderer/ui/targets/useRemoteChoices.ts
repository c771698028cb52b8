import { useEffect, useMemo } from 'react';
import { remoteChoiceGroups, type RemoteChoiceGroup } from './targetChoices';
import { useTargetsStore } from '../../client/targets.store';

/**
 * Remote models for a picker: lists the targets and checks each once this session (a check is what
 * returns a server's model list). The Targets view's Check button refreshes them.
 */
export function useRemoteChoiceGroups(): RemoteChoiceGroup[] {
  const targets = useTargetsStore((s) => s.targets);
  const checks = useTargetsStore((s) => s.checks);
  const checking = useTargetsStore((s) => s.checking);
  const checkErrors = useTargetsStore((s) => s.checkErrors);
  const ids = targets.map((t) => t.id).join(',');

  useEffect(() => {
    void useTargetsStore.getState().ensureChecked();
  }, [ids]);

  return useMemo(() => {
    const errors: Record<string, string> = {};
    for (const [id, e] of Object.entries(checkErrors)) errors[id] = e.message;
    return remoteChoiceGroups(targets, checks, checking, errors);
  }, [targets, checks, checking, checkErrors]);
}
