import { useEffect, useState } from 'react';
import type { PromptInfo, PromptVersionSummary } from '../../../shared/prompts.schema';
import { api } from '../../client/bridge';
import { toShownError } from '../../client/errors';
import { formatCount } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { parseTargetKey } from '../../ui/targets/targetChoices';
import { TargetOptions } from '../../ui/targets/TargetOptions';
import { useRemoteChoiceGroups } from '../../ui/targets/useRemoteChoices';
import { latestJob, PAGE_SIZE, useDatasetsStore } from './datasets.store';
import { FormDialog, JobBar, useDialogAction } from './Dialog';
import { toRowFilter } from './filters';

type Scope = 'selected' | 'filter';

export function DraftsDialog({ onClose }: { onClose: () => void }): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const total = useDatasetsStore((s) => s.total);
  const job = useDatasetsStore((s) => latestJob(s.jobs, s.selectedId, 'drafts'));
  const models = useModelsStore((s) => s.models);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const groups = useRemoteChoiceGroups();
  const [prompts, setPrompts] = useState<PromptInfo[]>([]);
  const [promptId, setPromptId] = useState('');
  const [versions, setVersions] = useState<PromptVersionSummary[]>([]);
  const [versionId, setVersionId] = useState('');
  const [targetKey, setTargetKey] = useState(loadedId ?? '');
  const [scope, setScope] = useState<Scope>('filter');
  const [overwrite, setOverwrite] = useState(false);
  const { busy, error, setError, act } = useDialogAction();

  useEffect(() => {
    void useModelsStore.getState().refresh();
    api.invoke('prompts.list', {}).then(setPrompts, (e: unknown) => setError(toShownError(e)));
  }, []);

  useEffect(() => {
    if (!promptId) return;
    api.invoke('prompts.get', { promptId }).then(
      (r) => {
        setVersions(r.versions);
        setVersionId(r.latest.id);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [promptId]);

  if (!info) return null;
  const cursorRow = (): number | null => {
    const s = useDatasetsStore.getState();
    return s.pages[Math.floor(s.cursor / PAGE_SIZE)]?.[s.cursor % PAGE_SIZE]?.id ?? null;
  };
  const target = parseTargetKey(targetKey);
  const running = job?.state === 'running';

  const run = async (): Promise<void> => {
    if (!target || !versionId) return;
    await act(async () => {
      const s = useDatasetsStore.getState();
      const rowId = cursorRow();
      const { jobId } = await api.invoke('datasets.draft', {
        datasetId: info.id,
        promptVersionId: versionId,
        target,
        rowIds: scope === 'selected' && rowId != null ? [rowId] : null,
        filter: toRowFilter(s.filter),
        overwrite,
      });
      s.trackJob(jobId, info.id, 'drafts');
    });
  };

  return (
    <FormDialog
      title="Draft responses with a prompt"
      onClose={onClose}
      testId="dataset-drafts-dialog"
      onSubmit={() => void run()}
      error={error}
      errorTitle="Could not start drafting"
      submitLabel={running ? 'Drafting…' : job ? 'Run again (resumes)' : 'Draft'}
      submitDisabled={busy || running || !target || !versionId}
    >
      <label className="ds-field">
        <span>Prompt</span>
        <select className="input" aria-label="Prompt" value={promptId} onChange={(e) => setPromptId(e.target.value)}>
          <option value="">Choose a prompt…</option>
          {prompts.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (v{p.latest.number})
            </option>
          ))}
        </select>
      </label>
      <label className="ds-field">
        <span>Version</span>
        <select className="input" aria-label="Prompt version" value={versionId} disabled={!versions.length} onChange={(e) => setVersionId(e.target.value)}>
          {versions.map((v) => (
            <option key={v.id} value={v.id}>
              v{v.number} {v.message}
            </option>
          ))}
        </select>
      </label>
      <label className="ds-field">
        <span>Target</span>
        <select className="input" aria-label="Draft target" value={targetKey} onChange={(e) => setTargetKey(e.target.value)}>
          <option value="">Choose a model…</option>
          <TargetOptions models={models} loadedId={loadedId} groups={groups} />
        </select>
      </label>
      {target?.kind === 'local' && target.modelId !== loadedId ? <p className="hint text-warn">Local drafts run on the loaded model; load this one first.</p> : null}
      <fieldset className="ds-field ds-radios">
        <legend>Rows</legend>
        <label className="check">
          <input type="radio" name="draft-scope" checked={scope === 'filter'} onChange={() => setScope('filter')} />
          rows matching the grid filter ({total == null ? '…' : formatCount(total)})
        </label>
        <label className="check">
          <input type="radio" name="draft-scope" checked={scope === 'selected'} onChange={() => setScope('selected')} />
          the selected row only
        </label>
      </fieldset>
      <label className="check ds-field-check">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
        Overwrite existing drafts (otherwise rows with a draft are skipped, so a rerun resumes)
      </label>
      {job ? <JobBar job={job} label="Drafts" onCancel={() => void useDatasetsStore.getState().cancelJob(job.jobId)} /> : null}
    </FormDialog>
  );
}
