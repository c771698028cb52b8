import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RunTarget } from '../../../shared/runs.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { parseParamsForm } from '../../ui/prompt/params';
import { PromptFields } from '../../ui/prompt/PromptFields';
import { JsonSchemaFields, SamplingFields } from '../../ui/prompt/SamplingFields';
import { ensureModelLoaded } from '../../client/modelLoading';
import { VariablesFields } from '../../ui/prompt/VariablesFields';
import { sameTarget, type RemoteChoiceGroup } from '../../ui/targets/targetChoices';
import { useTargetsStore } from '../../client/targets.store';
import { useRemoteChoiceGroups } from '../../ui/targets/useRemoteChoices';
import { useCompareStore } from './compare.store';
import { CompareColumn } from './CompareColumn';
import { CompareHistory } from './CompareHistory';
import { CompareSweep } from './CompareSweep';
import { MAX_COLUMNS, MIN_COLUMNS } from './compareRequest';
import { ImageAttachments, ImageDropZone } from '../../ui/images/ImageAttachments';
import { ImageSlots } from '../../ui/images/ImageSlots';
import { extractImageVariables } from '../../ui/images/imagePrompt';
import '../../ui/workbench.css';
import '../../ui/markdown/markdown.css';
import './compare.css';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

interface Props {
  /** Copies the Playground's prompt and settings in; the shell provides it so neither feature reaches into the other. */
  onImportFromPlayground?: () => void;
}

export function CompareView({ onImportFromPlayground }: Props): React.JSX.Element {
  const [tab, setTab] = useState<'setup' | 'stored'>('setup');
  // Columns need the width: the prompt panel folds away once the prompt is written.
  const [sideOpen, setSideOpen] = useState(true);
  const phase = useCompareStore((s) => s.phase);
  const columns = useCompareStore((s) => s.columns);
  const lanes = useCompareStore((s) => s.lanes);
  const problem = useCompareStore((s) => s.problem);
  const reopened = useCompareStore((s) => s.reopened);
  const mode = useCompareStore((s) => s.outputMode);
  const paramsOk = useCompareStore((s) => parseParamsForm(s.params).ok);
  const setMode = useCompareStore((s) => s.setOutputMode);
  const setProblem = useCompareStore((s) => s.setProblem);
  const addColumn = useCompareStore((s) => s.addColumn);
  const cancelAll = useCompareStore((s) => s.cancelAll);
  const newComparison = useCompareStore((s) => s.newComparison);
  const models = useModelsStore((s) => s.models);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const targets = useTargetsStore((s) => s.targets);
  const groups = useRemoteChoiceGroups();
  useDefaultColumns(groups);

  const run = useCallback(() => {
    void useCompareStore.getState().run(ensureModelLoaded);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault();
        e.stopPropagation();
        run();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [run]);

  const busy = phase === 'loading-model' || phase === 'starting' || phase === 'running';
  const running = lanes.filter((l) => l && !l.record).length;
  const finished = lanes.filter((l) => l?.record).length;
  // Differences are marked once every column is in, against the first column.
  const baseline = phase === 'finished' && lanes[0]?.record ? lanes[0].output : null;

  return (
    <div className="view view-compare">
      <div className="toolbar">
        <button
          type="button"
          className={sideOpen ? 'btn btn-ghost cmp-side-toggle on' : 'btn btn-ghost cmp-side-toggle'}
          data-testid="compare-toggle-side"
          aria-pressed={sideOpen}
          title={sideOpen ? 'Hide the prompt panel' : 'Show the prompt panel'}
          onClick={() => setSideOpen(!sideOpen)}
        >
          <svg viewBox="0 0 16 16" aria-hidden>
            <path d="M2.5 3h11v10h-11z M6.5 3v10" />
          </svg>
          {sideOpen ? 'Hide prompt' : 'Prompt'}
        </button>
        <button
          type="button"
          className="btn btn-primary btn-run"
          data-testid="compare-run"
          disabled={busy || !paramsOk || columns.some((c) => c === null)}
          title={columns.some((c) => c === null) ? 'Choose a model for every column' : !paramsOk ? 'Fix the sampling settings first' : undefined}
          onClick={run}
        >
          {phase === 'loading-model' ? 'Loading model…' : busy ? 'Comparing…' : 'Compare'}
          <kbd>{isMac ? '⌘' : 'Ctrl'}+↵</kbd>
        </button>
        <button type="button" className="btn" data-testid="compare-stop-all" disabled={running === 0} onClick={() => void cancelAll()}>
          Stop all
        </button>
        <button
          type="button"
          className="btn"
          data-testid="compare-add-column"
          disabled={busy || columns.length >= MAX_COLUMNS}
          title={columns.length >= MAX_COLUMNS ? `At most ${MAX_COLUMNS} columns` : 'Add a column'}
          onClick={() => addColumn()}
        >
          + Column
        </button>
        <CompareSweep
          models={models}
          defaultModelId={columns.find((c) => c?.kind === 'local')?.modelId ?? loadedId}
          disabled={busy}
        />
        <span className="cmp-progress muted num">
          {busy && lanes.some(Boolean) ? `${finished} of ${lanes.filter(Boolean).length} finished` : phase === 'finished' ? (mode === 'text' ? 'All finished · differences from column 1 marked' : 'All finished · Diff marks the differences') : ''}
        </span>
        <span className="spacer" />
        {reopened ? (
          <span className="cmp-reopened">
            Stored comparison of {formatTime(reopened.createdAt)}
            <button type="button" className="btn-link" disabled={busy} onClick={newComparison}>
              Clear
            </button>
          </span>
        ) : null}
        <div className="segmented" role="group" aria-label="Output view">
          <button type="button" className={mode === 'text' ? 'on' : ''} aria-pressed={mode === 'text'} onClick={() => setMode('text')} title="Plain text with differences marked">
            Diff
          </button>
          <button type="button" className={mode === 'markdown' ? 'on' : ''} aria-pressed={mode === 'markdown'} onClick={() => setMode('markdown')}>
            Markdown
          </button>
        </div>
      </div>
      {problem ? (
        <div className="cmp-problem" data-testid="compare-problem">
          <ErrorNote error={problem.error} title={problem.title} onDismiss={busy ? undefined : () => setProblem(null)} />
        </div>
      ) : null}
      <div className={sideOpen ? 'cmp-body' : 'cmp-body no-side'}>
        <aside className="cmp-side" hidden={!sideOpen}>
          <div className="segmented cmp-tabs" role="tablist" aria-label="Compare panels">
            <button type="button" role="tab" className={tab === 'setup' ? 'on' : ''} aria-selected={tab === 'setup'} onClick={() => setTab('setup')}>
              Prompt
            </button>
            <button type="button" role="tab" className={tab === 'stored' ? 'on' : ''} aria-selected={tab === 'stored'} data-testid="compare-stored-tab" onClick={() => setTab('stored')}>
              Stored
            </button>
          </div>
          {tab === 'setup' ? <CompareSetup onImportFromPlayground={onImportFromPlayground} /> : <CompareHistory />}
        </aside>
        <section className="cmp-columns" style={{ gridTemplateColumns: `repeat(${columns.length}, minmax(260px, 1fr))` }}>
          {columns.map((target, i) => (
            <CompareColumn
              key={i}
              index={i}
              target={target}
              lane={lanes[i] ?? null}
              baseline={i > 0 ? baseline : null}
              canRemove={columns.length > MIN_COLUMNS}
              locked={busy}
              models={models}
              loadedId={loadedId}
              groups={groups}
              targets={targets}
            />
          ))}
        </section>
      </div>
    </div>
  );
}

function CompareSetup({ onImportFromPlayground }: Props): React.JSX.Element {
  const systemPrompt = useCompareStore((s) => s.systemPrompt);
  const userMessage = useCompareStore((s) => s.userMessage);
  const variables = useCompareStore((s) => s.variables);
  const params = useCompareStore((s) => s.params);
  const schemaEnabled = useCompareStore((s) => s.schemaEnabled);
  const schemaText = useCompareStore((s) => s.schemaText);
  const images = useCompareStore((s) => s.images);
  const imageSlots = useCompareStore((s) => s.imageSlots);
  const attaching = useCompareStore((s) => s.attaching);
  const imageError = useCompareStore((s) => s.imageError);
  const store = useCompareStore.getState();
  const missing = useMemo(() => Object.keys(variables).filter((k) => variables[k] === ''), [variables]);
  return (
    <div className="cmp-setup">
      {onImportFromPlayground ? (
        <button type="button" className="btn btn-small btn-ghost cmp-import" onClick={onImportFromPlayground} title="Copy the Playground's prompt, variables and sampling here">
          Use the Playground's prompt
        </button>
      ) : null}
      <ImageDropZone onFiles={(files) => void store.attachFiles(files)} testId="compare-message-drop">
        <PromptFields
          systemPrompt={systemPrompt}
          userMessage={userMessage}
          onSystemPrompt={store.setSystemPrompt}
          onUserMessage={store.setUserMessage}
          testIdPrefix="compare-"
          userHeight={120}
        />
      </ImageDropZone>
      <ImageAttachments
        images={images}
        attaching={attaching}
        error={imageError}
        onFiles={(files) => void store.attachFiles(files)}
        onRemove={store.removeImage}
        onDismissError={store.dismissImageError}
        testIdPrefix="compare-"
      />
      <VariablesFields variables={variables} missing={missing} onChange={store.setVariable} testIdPrefix="compare-" />
      <ImageSlots
        names={extractImageVariables(userMessage)}
        slots={imageSlots}
        onFill={(n, f) => void store.fillImageSlot(n, f)}
        onClear={store.clearImageSlot}
        testIdPrefix="compare-"
      />
      <SamplingFields params={params} setParam={store.setParam} resetParams={store.resetParams} />
      <JsonSchemaFields
        enabled={schemaEnabled}
        schemaText={schemaText}
        setEnabled={store.setSchemaEnabled}
        setSchemaText={store.setSchemaText}
        testIdPrefix="compare-"
      />
    </div>
  );
}

/** Unchosen columns get the loaded (or first) local model, then remote models not chosen elsewhere. */
function useDefaultColumns(groups: readonly RemoteChoiceGroup[]): void {
  const columns = useCompareStore((s) => s.columns);
  const fillColumns = useCompareStore((s) => s.fillColumns);
  const firstId = useModelsStore((s) => s.models[0]?.id ?? null);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const hasEmpty = columns.some((c) => c === null);

  useEffect(() => {
    if (!hasEmpty) return;
    const chosen = useCompareStore.getState().columns.filter((c): c is RunTarget => c !== null);
    const local = loadedId ?? firstId;
    const candidates: RunTarget[] = [
      ...(local ? [{ kind: 'local', modelId: local } as const] : []),
      ...groups.flatMap((g) => g.choices.filter((c) => !c.lora).map((c) => c.target)),
    ];
    const fresh = candidates.filter((c) => !chosen.some((x) => sameTarget(x, c)));
    // Never two different local models: the engine holds one.
    const hasLocal = chosen.some((c) => c.kind === 'local');
    fillColumns(fresh.filter((c) => !(hasLocal && c.kind === 'local')));
  }, [hasEmpty, loadedId, firstId, groups, fillColumns]);
}
