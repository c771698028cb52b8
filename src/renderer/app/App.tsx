import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { RenderedPromptVersion } from '../../shared/prompts.schema';
import type { RunRecord } from '../../shared/schemas';
import { CompareView } from '../features/compare/CompareView';
import { useCompareStore } from '../features/compare/compare.store';
import { CrashBanner } from '../features/engine/CrashBanner';
import { useEngineStore } from '../features/engine/engine.store';
import { EngineStatusBadge } from '../features/engine/EngineStatusBadge';
import { HistoryView } from '../features/history/HistoryView';
import { ModelsView } from '../features/models/ModelsView';
import { PlaygroundView } from '../features/playground/PlaygroundView';
import { usePlaygroundStore } from '../features/playground/playground.store';
import type { PromptSource } from '../features/prompts/PromptsView';
import { SettingsView } from '../features/settings/SettingsView';
import { TargetsView } from '../features/targets/TargetsView';
import { TestSetsView } from '../features/testsets/TestSetsView';
import { ErrorNote } from '../ui/ErrorNote';
import { Nav } from './Nav';
import { VIEWS, viewForShortcut, type View } from './views';

// The prompt library brings the contract's zod schemas (it validates drafts with them); only opening it pays.
// Evaluations validate assertions with the contract's zod schemas too: loaded when opened.
// Datasets bring the label-schema editor and the labeling panel; loaded when opened.
const DatasetsView = lazy(() => import('../features/datasets/DatasetsView').then((m) => ({ default: m.DatasetsView })));
const EvalsView = lazy(() => import('../features/evals/EvalsView').then((m) => ({ default: m.EvalsView })));
// Fine-tune validates its form with the contract's zod schemas: loaded when opened.
const TrainingView = lazy(() => import('../features/training/TrainingView').then((m) => ({ default: m.TrainingView })));
// Cost & latency brings Chart.js: loaded when opened.
const BenchView = lazy(() => import('../features/bench/BenchView').then((m) => ({ default: m.BenchView })));
const PromptsView = lazy(() => import('../features/prompts/PromptsView').then((m) => ({ default: m.PromptsView })));

export function App(): React.JSX.Element {
  const [view, setView] = useState<View>('models');
  const info = useEngineStore((s) => s.info);
  const connectError = useEngineStore((s) => s.connectError);

  // History hands a run to the Playground through the shell, so neither feature reaches into the other.
  const openRun = useCallback((record: RunRecord) => {
    usePlaygroundStore.getState().openRun(record);
    setView('playground');
  }, []);

  // A prompt-library version, rendered by the core, goes to the Playground the same way.
  const openPrompt = useCallback((rendered: RenderedPromptVersion, source: PromptSource) => {
    usePlaygroundStore.getState().openPrompt({
      systemPrompt: rendered.playground.systemPrompt,
      userMessage: rendered.playground.userMessage,
      variables: source.variables,
      params: rendered.params,
      jsonSchema: rendered.jsonSchema,
      target: rendered.target,
      source: { promptName: source.promptName, versionNumber: source.versionNumber },
    });
    setView('playground');
  }, []);

  // The Playground's prompt goes to Compare the same way: the shell carries it.
  const importToCompare = useCallback(() => {
    const p = usePlaygroundStore.getState();
    useCompareStore.getState().importPrompt({
      systemPrompt: p.systemPrompt,
      userMessage: p.userMessage,
      variables: p.variables,
      params: p.params,
      schemaEnabled: p.schemaEnabled,
      schemaText: p.schemaText,
    });
  }, []);

  const openModels = useCallback(() => setView('models'), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const target = viewForShortcut(e.key);
      if (target) {
        e.preventDefault();
        setView(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0];
  return (
    <div className="shell">
      <Nav
        view={view}
        onChange={setView}
        footer={
          info ? (
            <>
              <div>v{info.version} · {info.transport === 'electron' ? 'desktop' : 'browser'}</div>
              <div className="mono nav-datadir" title={`Data folder: ${info.dataDir}`}>{info.dataDir}</div>
            </>
          ) : null
        }
      />
      <div className="main">
        <header className="topbar">
          <div className="topbar-title">
            <h1>{current?.label}</h1>
            <span className="topbar-sub">{current?.subtitle}</span>
          </div>
          <EngineStatusBadge />
        </header>
        {connectError ? (
          <div className="connect-error">
            <ErrorNote error={connectError} title="Cannot reach the Lamplight core" />
          </div>
        ) : null}
        <CrashBanner />
        <main className="content">
          {view === 'models' ? <ModelsView /> : null}
          {view === 'playground' ? <PlaygroundView /> : null}
          {view === 'prompts' ? (
            <Suspense fallback={<p className="view muted">Loading the prompt library…</p>}>
              <PromptsView onOpenInPlayground={openPrompt} />
            </Suspense>
          ) : null}
          {view === 'history' ? <HistoryView onOpen={openRun} /> : null}
          {view === 'compare' ? <CompareView onImportFromPlayground={importToCompare} /> : null}
          {view === 'testsets' ? <TestSetsView /> : null}
          {view === 'evals' ? (
            <Suspense fallback={<p className="view muted">Loading evaluations…</p>}>
              <EvalsView />
            </Suspense>
          ) : null}
          {view === 'datasets' ? (
            <Suspense fallback={<p className="view muted">Loading datasets…</p>}>
              <DatasetsView />
            </Suspense>
          ) : null}
          {view === 'training' ? (
            <Suspense fallback={<p className="view muted">Loading fine-tuning…</p>}>
              <TrainingView onOpenModels={openModels} />
            </Suspense>
          ) : null}
          {view === 'bench' ? (
            <Suspense fallback={<p className="view muted">Loading cost & latency…</p>}>
              <BenchView />
            </Suspense>
          ) : null}
          {view === 'targets' ? <TargetsView /> : null}
          {view === 'settings' ? <SettingsView /> : null}
        </main>
      </div>
    </div>
  );
}
