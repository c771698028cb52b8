import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { RenderedPromptVersion } from '../../shared/prompts.schema';
import type { ModelInfo } from '../../shared/models.schema';
import type { RunRecord } from '../../shared/runs.schema';
import { AdaptersSection } from '../features/adapters/AdaptersSection';
import { CompareView } from '../features/compare/CompareView';
import { useCompareStore } from '../features/compare/compare.store';
import { CrashBanner } from '../features/engine/CrashBanner';
import { useEngineStore } from '../client/engine.store';
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
import { SessionBadge } from './SessionBadge';
import { useSessionStore } from '../client/session.store';
import { visibleViews, viewForShortcut, type View } from './views';

// The prompt library brings the contract's zod schemas (it validates drafts with them); only opening it pays.
// Evaluations validate assertions with the contract's zod schemas too: loaded when opened.
// Datasets bring the label-schema editor and the labeling panel; loaded when opened.
const DatasetsView = lazy(() => import('../features/datasets/DatasetsView').then((m) => ({ default: m.DatasetsView })));
const EvalsView = lazy(() => import('../features/evals/EvalsView').then((m) => ({ default: m.EvalsView })));
// Fine-tune validates its form with the contract's zod schemas: loaded when opened.
const TrainingView = lazy(() => import('../features/training/TrainingView').then((m) => ({ default: m.TrainingView })));
// Cost & latency brings Chart.js: loaded when opened.
const ExtractionView = lazy(() => import('../features/extraction/ExtractionView').then((m) => ({ default: m.ExtractionView })));
const BenchView = lazy(() => import('../features/bench/BenchView').then((m) => ({ default: m.BenchView })));
// Guardrails and the audit log are admin work: loaded when opened.
const GuardView = lazy(() => import('../features/guard/GuardView').then((m) => ({ default: m.GuardView })));
const TeamView = lazy(() => import('../features/team/TeamView').then((m) => ({ default: m.TeamView })));
const AuditView = lazy(() => import('../features/audit/AuditView').then((m) => ({ default: m.AuditView })));
const PromptsView = lazy(() => import('../features/prompts/PromptsView').then((m) => ({ default: m.PromptsView })));

export function App(): React.JSX.Element {
  const [view, setView] = useState<View>('models');
  const info = useEngineStore((s) => s.info);
  const connectError = useEngineStore((s) => s.connectError);
  const allowed = useSessionStore((s) => s.info?.allowed ?? null);
  const views = visibleViews(allowed);

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
      source: { promptName: source.promptName, versionNumber: source.versionNumber, versionId: rendered.versionId },
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
      images: p.images,
      imageSlots: p.imageSlots,
    });
  }, []);

  const openModels = useCallback(() => setView('models'), []);
  const renderAdapters = useCallback((models: ModelInfo[]) => <AdaptersSection models={models} />, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const target = viewForShortcut(e.key);
      if (target && visibleViews(useSessionStore.getState().info?.allowed ?? null).some((v) => v.id === target)) {
        e.preventDefault();
        setView(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // A role that cannot use the open view (known only once whoami answers) lands on the first it can.
  const current = views.find((v) => v.id === view) ?? views[0];
  useEffect(() => {
    if (current && current.id !== view) setView(current.id);
  }, [current, view]);
  const shown = current?.id ?? view;

  return (
    <div className="shell">
      <Nav
        views={views}
        view={shown}
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
          <SessionBadge />
          <EngineStatusBadge />
        </header>
        {connectError ? (
          <div className="connect-error">
            <ErrorNote error={connectError} title="Cannot reach the Lamplight core" />
          </div>
        ) : null}
        <CrashBanner />
        <main className="content">
          {shown === 'models' ? <ModelsView renderAdapters={renderAdapters} /> : null}
          {shown === 'playground' ? <PlaygroundView /> : null}
          {shown === 'prompts' ? (
            <Suspense fallback={<p className="view muted">Loading the prompt library…</p>}>
              <PromptsView onOpenInPlayground={openPrompt} />
            </Suspense>
          ) : null}
          {shown === 'history' ? <HistoryView onOpen={openRun} /> : null}
          {shown === 'compare' ? <CompareView onImportFromPlayground={importToCompare} /> : null}
          {shown === 'testsets' ? <TestSetsView /> : null}
          {shown === 'evals' ? (
            <Suspense fallback={<p className="view muted">Loading evaluations…</p>}>
              <EvalsView />
            </Suspense>
          ) : null}
          {shown === 'datasets' ? (
            <Suspense fallback={<p className="view muted">Loading datasets…</p>}>
              <DatasetsView />
            </Suspense>
          ) : null}
          {shown === 'training' ? (
            <Suspense fallback={<p className="view muted">Loading fine-tuning…</p>}>
              <TrainingView onOpenModels={openModels} />
            </Suspense>
          ) : null}
          {shown === 'extraction' ? (
            <Suspense fallback={<p className="view muted">Loading extraction…</p>}>
              <ExtractionView />
            </Suspense>
          ) : null}
          {shown === 'bench' ? (
            <Suspense fallback={<p className="view muted">Loading cost & latency…</p>}>
              <BenchView />
            </Suspense>
          ) : null}
          {shown === 'guard' ? (
            <Suspense fallback={<p className="view muted">Loading guardrails…</p>}>
              <GuardView />
            </Suspense>
          ) : null}
          {shown === 'audit' ? (
            <Suspense fallback={<p className="view muted">Loading the audit log…</p>}>
              <AuditView />
            </Suspense>
          ) : null}
          {shown === 'team' ? <Suspense fallback={<p className="view muted">Loading team labeling…</p>}><TeamView /></Suspense> : null}
          {shown === 'targets' ? <TargetsView /> : null}
          {shown === 'settings' ? <SettingsView /> : null}
        </main>
      </div>
    </div>
  );
}
