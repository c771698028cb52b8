import { useEffect } from 'react';
import { ErrorNote } from '../../ui/ErrorNote';
import { useCan } from '../../client/session.store';
import { TargetDetail } from './TargetDetail';
import { TargetFormPanel } from './TargetFormPanel';
import { TargetTable } from './TargetTable';
import { useTargetsStore } from '../../client/targets.store';
import { useEngineStore } from '../../client/engine.store';
import { secretStorageWords } from './secretStorage';
import './targets.css';

export function TargetsView(): React.JSX.Element {
  const targets = useTargetsStore((s) => s.targets);
  const listed = useTargetsStore((s) => s.listed);
  const listError = useTargetsStore((s) => s.listError);
  const editor = useTargetsStore((s) => s.editor);
  const selected = useTargetsStore((s) => s.targets.find((t) => t.id === s.selectedId) ?? null);
  const refresh = useTargetsStore((s) => s.refresh);
  const startAdd = useTargetsStore((s) => s.startAdd);
  // Endpoints are admin settings; other roles see and check them only.
  const canAdd = useCan('targets.add');
  const info = useEngineStore((s) => s.info);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const empty = listed && !listError && targets.length === 0;
  return (
    <div className="view view-targets">
      {empty && !editor ? (
        <div className="empty-hero">
          <h2>No remote targets yet</h2>
          <p>
            A target is an OpenAI-compatible server such as vLLM, llama.cpp's server or another Lamplight. Give it one base URL, or
            several for replicas of the same model; runs go to a healthy one. Keys and header values are stored {secretStorageWords(info).where},
            and never shown again.
          </p>
        </div>
      ) : null}
      <div className={editor || selected ? 'targets-layout' : 'targets-layout single'}>
        <section className="targets-main">
          <div className="section-head">
            <h3>Targets</h3>
            <span className="muted">{targets.length ? `${targets.length} target${targets.length === 1 ? '' : 's'}` : ''}</span>
            <span className="spacer" />
            {canAdd ? (
              <button type="button" className="btn btn-small btn-primary" data-testid="target-add" disabled={editor?.mode === 'add'} onClick={startAdd}>
                Add target
              </button>
            ) : null}
          </div>
          <ErrorNote error={listError} title="Could not list targets" onDismiss={() => void refresh()} />
          {targets.length ? <TargetTable /> : null}
        </section>
        {editor || selected ? (
          <aside className="targets-side">
            {editor ? <TargetFormPanel key={editor.mode === 'edit' ? editor.targetId : 'add'} /> : selected ? <TargetDetail key={selected.id} target={selected} /> : null}
          </aside>
        ) : null}
      </div>
    </div>
  );
}
