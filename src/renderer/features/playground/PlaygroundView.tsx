import { useEffect } from 'react';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { MaskPreview } from './MaskPreview';
import { ModelPicker } from './ModelPicker';
import { parseParamsForm } from '../../ui/prompt/params';
import { usePlaygroundStore } from './playground.store';
import { RenderedPromptPanel } from './RenderedPromptPanel';
import { RunOutput } from './RunOutput';
import { JsonSchemaControls, PromptEditors, SamplingControls, useRunAction, VariablesPanel } from './PlaygroundFields';
import { PlaygroundAttachments, PlaygroundImageSlots, useHasImages, useImageAcceptance } from './PlaygroundImages';
import { ImageDropZone } from '../../ui/images/ImageAttachments';
import '../../ui/workbench.css';
import './playground.css';
import '../../ui/markdown/markdown.css';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function PlaygroundView(): React.JSX.Element {
  const run = useRunAction();
  const phase = usePlaygroundStore((s) => s.phase);
  const target = usePlaygroundStore((s) => s.target);
  const paramsOk = usePlaygroundStore((s) => parseParamsForm(s.params).ok);
  const cancel = usePlaygroundStore((s) => s.cancel);
  const attachFiles = usePlaygroundStore((s) => s.attachFiles);
  const acceptance = useImageAcceptance();
  const imageRefusal = useHasImages() && !acceptance.ok ? acceptance.reason : null;
  useDefaultModel();

  // Capture phase, so Monaco's own Ctrl+Enter (insert line below) never sees it.
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

  const busy = phase === 'loading-model' || phase === 'starting' || phase === 'streaming';
  return (
    <div className="view view-playground">
      <div className="toolbar">
        <ModelPicker />
        <span className="spacer" />
        {imageRefusal ? (
          <span className="run-refusal text-danger" data-testid="run-image-refusal" title={imageRefusal}>
            {imageRefusal}
          </span>
        ) : null}
        <button
          type="button"
          className="btn btn-primary btn-run"
          data-testid="run-button"
          disabled={busy || !target || !paramsOk || imageRefusal !== null}
          title={!target ? 'Choose a model first' : !paramsOk ? 'Fix the sampling settings first' : (imageRefusal ?? undefined)}
          onClick={run}
        >
          {phase === 'loading-model' ? 'Loading model…' : busy ? 'Running…' : 'Run'}
          <kbd>{isMac ? '⌘' : 'Ctrl'}+↵</kbd>
        </button>
        <button type="button" className="btn" data-testid="stop-button" disabled={phase !== 'streaming'} onClick={() => void cancel()}>
          Stop
        </button>
      </div>
      <div className="pg-columns">
        <div className="pg-col pg-prompt">
          <FromPromptNote />
          <ImageDropZone onFiles={(files) => void attachFiles(files)} testId="message-drop">
            <PromptEditors />
          </ImageDropZone>
          <PlaygroundAttachments />
          <VariablesPanel />
          <PlaygroundImageSlots />
          <RenderedPromptPanel />
        </div>
        <div className="pg-col pg-output">
          <MaskPreview />
          <RunOutput />
        </div>
        <div className="pg-col pg-params">
          <SamplingControls />
          <JsonSchemaControls />
        </div>
      </div>
    </div>
  );
}

/** Where the texts came from when the prompt library opened a version here. */
function FromPromptNote(): React.JSX.Element | null {
  const from = usePlaygroundStore((s) => s.fromPrompt);
  const edited = usePlaygroundStore((s) => s.fromPrompt !== null && (s.systemPrompt !== s.fromPrompt.systemPrompt || s.userMessage !== s.fromPrompt.userMessage));
  if (!from) return null;
  return (
    <div className="reopened" data-testid="playground-from-prompt" title={from.promptName}>
      From the prompt library · <span className="mono">{from.promptName}</span> v{from.versionNumber}
      {edited ? ' · edited here' : ''}
    </div>
  );
}

/** With nothing chosen, pick the loaded model, else the first in the library. */
function useDefaultModel(): void {
  const target = usePlaygroundStore((s) => s.target);
  const setTarget = usePlaygroundStore((s) => s.setTarget);
  const firstId = useModelsStore((s) => s.models[0]?.id ?? null);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  useEffect(() => {
    if (target) return;
    const pick = loadedId ?? firstId;
    if (pick) setTarget({ kind: 'local', modelId: pick });
  }, [target, loadedId, firstId, setTarget]);
}
