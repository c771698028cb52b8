import { baseName, formatPercent } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import './engine.css';

const STATE_HINT: Record<string, string> = {
  stopped: 'The engine process is not running; loading a model starts it.',
  idle: 'The engine is running with no model loaded.',
  loading: 'A model is being loaded.',
  ready: 'A model is loaded and ready to run prompts.',
  crashed: 'The engine process exited unexpectedly.',
};

/** The engine's state in the top bar: a coloured dot, the state word, the model and what it really uses. */
export function EngineStatusBadge(): React.JSX.Element {
  const status = useEngineStore((s) => s.status);
  const connectError = useEngineStore((s) => s.connectError);

  if (!status) {
    return (
      <div className="engine-badge" data-testid="engine-state" data-state="unknown">
        <span className="dot" />
        <span className="engine-word">{connectError ? 'offline' : 'connecting…'}</span>
      </div>
    );
  }
  const model = baseName(status.modelPath);
  const eff = status.effective;
  const active = status.state === 'ready' ? (status.activeRunIds ?? []) : [];
  const generating = active.length > 0;
  return (
    <div
      className="engine-badge"
      data-testid="engine-state"
      data-state={status.state}
      data-activity={generating ? 'generating' : undefined}
      title={generating ? `Generating: run ${active.join(', run ')}` : STATE_HINT[status.state]}
    >
      <span className={`dot dot-${generating ? 'generating' : status.state}`} />
      <span className="engine-word">{generating ? 'generating' : status.state}</span>
      {generating ? (
        <span className="engine-runs mono" data-testid="engine-runs">
          {active.length === 1 ? `run …${active[0]?.slice(-6)}` : `${active.length} runs`}
        </span>
      ) : null}
      {status.state === 'loading' && status.loadProgress != null ? (
        <span className="num engine-pct">{formatPercent(status.loadProgress)}</span>
      ) : null}
      {model && (status.state === 'ready' || status.state === 'loading') ? <span className="engine-model">{model}</span> : null}
      {status.state === 'ready' && eff ? (
        <span className="engine-eff" title="Settings the engine really uses">
          {eff.gpu} · {eff.threads} thread{eff.threads === 1 ? '' : 's'} · ctx {eff.contextSize}
          {eff.gpu !== 'cpu' && eff.gpu !== 'false' ? ` · ${eff.gpuLayers} GPU layers` : ''}
        </span>
      ) : null}
    </div>
  );
}
