import { useEffect, useRef } from 'react';
import type { ModelInfo } from '../../../shared/models.schema';
import type { ProjectorInfo, VisionStatus } from '../../../shared/vision.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatBytes } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { useEngineStore } from '../../client/engine.store';
import { defaultLoadForm, parseLoadForm } from '../../client/loadForm';
import { useModelsStore } from '../../client/models.store';
import { useVisionStore } from '../../client/vision.store';
import './vision.css';

const BADGE: Record<VisionStatus['state'], string> = {
  stopped: 'tag-cancelled',
  building: 'tag-loading',
  starting: 'tag-loading',
  ready: 'tag-ready',
  crashed: 'tag-error',
};

/**
 * The selected model as a vision model: its projector (found beside it or typed), the projector's header,
 * and the vision engine (llama-server with --mmproj) started with the same load settings as the Load panel.
 */
export function VisionPanel({ model }: { model: ModelInfo }): React.JSX.Element {
  const status = useVisionStore((s) => s.status);
  const pending = useVisionStore((s) => s.pending);
  const actionError = useVisionStore((s) => s.actionError);
  const choice = useVisionStore((s) => s.projectors[model.id]);
  const { findProjector, setProjectorPath, readProjector, load, unload, restart } = useVisionStore.getState();
  const info = useEngineStore((s) => s.info);
  const saved = useModelsStore((s) => s.loadForms[model.id]);

  useEffect(() => {
    void findProjector(model.id);
  }, [findProjector, model.id]);

  const parsed = parseLoadForm(saved ?? defaultLoadForm(model, info?.availableParallelism));
  const mine = status?.modelId === model.id;
  const state = mine ? status.state : 'stopped';
  const path = choice?.path ?? '';
  const busy = pending !== null || status?.state === 'starting';

  return (
    <section className="card vision-panel" data-testid="vision-panel" aria-label={`Vision for ${model.fileName}`}>
      <div className="load-head">
        <h3 className="card-title">Vision</h3>
        <span className={`tag ${BADGE[state]}`} data-testid="vision-state">{state}</span>
      </div>
      <p className="hint">
        Images run through llama.cpp&apos;s own server with the model&apos;s projector (mmproj), using the load settings above.
      </p>

      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void readProjector(model.id);
        }}
      >
        <input
          className="input grow mono"
          data-testid="vision-projector-path"
          aria-label="Projector file (mmproj .gguf)"
          placeholder={choice?.searched && !choice.reading ? 'No mmproj-*.gguf beside the model: path to one' : 'Looking beside the model…'}
          value={path}
          title={path || undefined}
          onChange={(e) => setProjectorPath(model.id, e.target.value)}
        />
        <button type="submit" className="btn" data-testid="vision-read" disabled={!path.trim() || choice?.reading}>
          {choice?.reading ? 'Reading…' : 'Read'}
        </button>
      </form>
      <ErrorNote error={choice?.error ?? null} title="Not a usable projector" testId="vision-projector-error" />
      {choice?.info ? <ProjectorFacts info={choice.info} embedding={model.metadata.embeddingLength} /> : null}

      {mine && state === 'crashed' ? (
        <div className="crash-banner vision-crash" role="alert" data-testid="vision-crash">
          <div className="crash-text">
            <strong>The vision engine crashed.</strong>
            <span className="crash-error">{status.error ?? 'No error text was reported.'}</span>
            {status.crashCount > 1 ? <span className="muted"> ({status.crashCount} crashes this session)</span> : null}
            {status.stderrTail ? <StderrTail text={status.stderrTail} /> : null}
          </div>
          <button type="button" className="btn btn-danger" data-testid="vision-restart" disabled={busy} onClick={() => void restart()}>
            {pending === 'restart' ? 'Restarting…' : 'Restart'}
          </button>
        </div>
      ) : null}

      <div className="button-row">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="vision-load"
          disabled={!path.trim() || !parsed.ok || busy}
          title={parsed.ok ? undefined : 'Fix the load settings above first'}
          onClick={() => {
            if (parsed.ok) void load(model.id, parsed.settings);
          }}
        >
          {pending === 'load' ? 'Starting…' : mine && state === 'ready' ? 'Reload for images' : 'Load for images'}
        </button>
        <button
          type="button"
          className="btn"
          data-testid="vision-unload"
          disabled={!status || status.state === 'stopped' || busy}
          onClick={() => void unload()}
        >
          Unload
        </button>
      </div>
      {pending === 'load' || (mine && state === 'starting') ? <ProgressBar value={null} label="Starting llama-server" testId="vision-progress" /> : null}
      <ErrorNote error={actionError} title="Vision engine" testId="vision-error" />
      {!mine && status && status.state !== 'stopped' ? (
        <p className="hint">The vision engine is serving another model now; loading this one replaces it.</p>
      ) : null}
      {mine && state === 'ready' ? (
        <dl className="effective" data-testid="vision-effective">
          <dt>Server</dt>
          <dd className="mono">{status.baseUrl} · pid {status.pid}</dd>
          <dt>Binary</dt>
          <dd className="mono" title={status.binary ?? undefined}>{status.binarySource}: {status.binary}</dd>
        </dl>
      ) : null}
    </section>
  );
}

/** The server's last lines, scrolled to the end: the reason is usually the last thing it wrote. */
function StderrTail({ text }: { text: string }): React.JSX.Element {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [text]);
  return (
    <pre ref={ref} className="vision-tail mono" data-testid="vision-stderr">
      {text}
    </pre>
  );
}

function ProjectorFacts({ info, embedding }: { info: ProjectorInfo; embedding: number | null }): React.JSX.Element {
  const fits = info.projectionDim === null || embedding === null || info.projectionDim === embedding;
  return (
    <dl className="effective vision-facts" data-testid="vision-projector">
      <dt>File</dt>
      <dd className="mono" title={info.path}>{info.path.split(/[\\/]/).pop()}</dd>
      <dt>Type</dt>
      <dd className="mono">{info.projectorType ?? 'not stated'}{info.hasVisionEncoder ? '' : ' (no vision encoder)'}</dd>
      <dt>Image</dt>
      <dd>{info.imageSize ?? '?'} px · patch {info.patchSize ?? '?'}{info.spatialMerge ? ` · merge ${info.spatialMerge}` : ''}</dd>
      <dt>Projection</dt>
      <dd className={fits ? undefined : 'field-error'}>
        {info.projectionDim ?? '?'} {fits ? `(model embedding ${embedding ?? '?'})` : `≠ model embedding ${embedding}: this pair does not fit`}
      </dd>
      <dt>Size</dt>
      <dd>{formatBytes(info.bytes)}</dd>
    </dl>
  );
}
