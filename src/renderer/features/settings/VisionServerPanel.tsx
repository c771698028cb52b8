import { useState } from 'react';
import type { ServerBuildStatus } from '../../../shared/vision.schema';
import { missingPermission, useCan } from '../../client/session.store';
import { useVisionStore, type BuildBackend } from '../../client/vision.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { ProgressBar } from '../../ui/ProgressBar';
import './visionServer.css';

const SOURCE_WORDS: Record<string, string> = {
  settings: 'set here',
  flag: 'from --server-bin',
  path: 'found on PATH',
  built: 'built by Lamplight',
};
const BACKENDS: readonly BuildBackend[] = ['auto', 'cpu', 'cuda', 'vulkan', 'metal'];
const RUNNING: readonly ServerBuildStatus['phase'][] = ['source', 'configure', 'compile', 'install'];

/** llama-server for vision models: which binary is used and where it came from, and building one. */
export function VisionServerPanel(): React.JSX.Element {
  const status = useVisionStore((s) => s.status);
  const build = useVisionStore((s) => s.build);
  const buildError = useVisionStore((s) => s.buildError);
  const binaryError = useVisionStore((s) => s.binaryError);
  const { setServerBinary, startBuild, cancelBuild } = useVisionStore.getState();
  const canManage = useCan('vision.setServerBinary');
  const [path, setPath] = useState('');
  const [backend, setBackend] = useState<BuildBackend>('auto');
  const building = build !== null && RUNNING.includes(build.phase);

  return (
    <section className="card" data-testid="vision-server-panel" aria-label="llama-server for vision models">
      <h3 className="card-title">llama-server (vision models)</h3>
      <p className="hint">
        Vision models run in llama.cpp&apos;s own server with their projector. Lamplight uses the binary set here, else
        --server-bin, else llama-server on PATH, else the one it built for this machine&apos;s GPU backend.
      </p>
      <dl className="effective">
        <dt>In use</dt>
        <dd className="mono" data-testid="vision-binary">
          {status?.binary ? (
            <>
              {status.binary} <span className="muted">({SOURCE_WORDS[status.binarySource ?? ''] ?? status.binarySource})</span>
            </>
          ) : (
            <span className="field-error">{status?.binaryError ?? 'none found'}</span>
          )}
        </dd>
      </dl>
      <form
        className="inline-form vision-binary-form"
        onSubmit={(e) => {
          e.preventDefault();
          void setServerBinary(path.trim()).then((ok) => ok && setPath(''));
        }}
      >
        <input
          className="input grow mono"
          data-testid="vision-binary-input"
          aria-label="llama-server binary path"
          placeholder="/path/to/llama-server"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="btn" data-testid="vision-binary-save" disabled={!path.trim() || !canManage} title={canManage ? undefined : missingPermission('vision.setServerBinary')}>
          Use this binary
        </button>
        <button
          type="button"
          className="btn"
          data-testid="vision-binary-clear"
          disabled={status?.binarySource !== 'settings' || !canManage}
          title="Forget the path set here: --server-bin, PATH or the built one apply again"
          onClick={() => void setServerBinary(null)}
        >
          Use default
        </button>
      </form>
      <ErrorNote error={binaryError} title="Binary refused" testId="vision-binary-error" />

      <div className="vision-build">
        <label htmlFor="vision-build-backend">Build llama-server for</label>
        <select id="vision-build-backend" className="input" data-testid="vision-build-backend" value={backend} disabled={building} onChange={(e) => setBackend(e.target.value as BuildBackend)}>
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b === 'auto' ? 'auto (the engine’s GPU backend)' : b}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-primary" data-testid="vision-build" disabled={building || !canManage} onClick={() => void startBuild(backend)}>
          {building ? 'Building…' : 'Build llama-server'}
        </button>
        {building ? (
          <button type="button" className="btn btn-danger" data-testid="vision-build-cancel" onClick={() => void cancelBuild()}>
            Cancel
          </button>
        ) : null}
      </div>
      <p className="hint">From the llama.cpp source node-llama-cpp ships; needs git, cmake and a C++ compiler (minutes on a small machine). Built once per backend.</p>
      {build ? (
        <div data-testid="vision-build-status" data-phase={build.phase}>
          {building ? (
            <ProgressBar value={build.phase === 'compile' ? build.percent / 100 : null} label={`${build.backend}: ${build.phase}`} testId="vision-build-progress" />
          ) : (
            <div className={build.phase === 'failed' ? 'field-error' : 'hint'}>
              {build.phase === 'done' ? (build.cached ? `Already built (${build.backend}): ${build.binary}` : `Built (${build.backend}): ${build.binary}`) : null}
              {build.phase === 'cancelled' ? `Build cancelled (${build.backend}); nothing half-built was kept.` : null}
              {build.phase === 'failed' ? `Build failed (${build.backend}): ${build.error}` : null}
            </div>
          )}
          {building ? <div className="mono muted vision-build-line">{build.line}</div> : null}
        </div>
      ) : null}
      <ErrorNote error={buildError} title="Could not build" testId="vision-build-error" />
    </section>
  );
}
