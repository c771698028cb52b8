import { useEffect } from 'react';
import { missingPermission, useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { curlExample, parseApiServerForm } from './apiServerForm';
import { useApiServerStore } from './apiServer.store';
import { CopyButton } from '../../ui/CopyButton';
import { ApiKeysPanel } from './ApiKeysPanel';

/** Start/stop Lamplight's OpenAI-compatible server for the loaded model; the key is shown once, at start. */
export function ApiServerPanel(): React.JSX.Element {
  const status = useApiServerStore((s) => s.status);
  const statusError = useApiServerStore((s) => s.statusError);
  const form = useApiServerStore((s) => s.form);
  const showErrors = useApiServerStore((s) => s.showFieldErrors);
  const starting = useApiServerStore((s) => s.starting);
  const stopping = useApiServerStore((s) => s.stopping);
  const actionError = useApiServerStore((s) => s.actionError);
  const issued = useApiServerStore((s) => s.issued);
  const { refresh, setForm, start, stop, forgetKey } = useApiServerStore.getState();
  const engine = useEngineStore((s) => s.status);
  const models = useModelsStore((s) => s.models);
  const canStart = useCan('apiServer.start');
  const canStop = useCan('apiServer.stop');

  useEffect(() => {
    void refresh();
    // Shown once: leaving the view forgets the key.
    return () => forgetKey();
  }, [refresh, forgetKey]);

  const parsed = parseApiServerForm(form);
  const errors = showErrors && !parsed.ok ? parsed.errors : {};
  const running = status?.running === true;
  const servedModel = status?.modelId ? (models.find((m) => m.id === status.modelId)?.fileName ?? status.modelId) : null;
  const loadedModel = engine?.state === 'ready' ? (models.find((m) => m.id === engine.modelId)?.fileName ?? engine.modelId) : null;
  const stateWord = !status ? 'unknown' : running ? 'running' : status.error ? 'error' : 'off';

  return (
    <section className="card api-panel" aria-label="Local API server">
      <div className="api-head">
        <h3 className="card-title">Local API server</h3>
        <span className={`tag ${running ? 'tag-ready' : stateWord === 'error' ? 'tag-error' : 'tag-cancelled'}`} data-testid="api-server-status" data-state={stateWord}>
          {stateWord}
        </span>
      </div>
      <p className="api-intro">
        An OpenAI-compatible endpoint (<span className="mono">/v1/chat/completions</span>, <span className="mono">/v1/models</span>) for the
        model loaded in Lamplight, so other tools can use it. It listens on 127.0.0.1 unless you choose another address with TLS, asks
        for a bearer key (the start key, or a per-profile key below), and is off until you start it.
      </p>
      <ErrorNote error={statusError} title="Could not read the server's status" />

      {running && status ? (
        <>
          <dl className="api-facts">
            <dt>Base URL</dt>
            <dd className="api-url">
              <span className="mono" data-testid="api-server-base-url">
                {status.baseUrl ?? '—'}
              </span>
              {status.baseUrl ? <CopyButton text={status.baseUrl} /> : null}
            </dd>
            <dt>Port</dt>
            <dd className="num">{status.port ?? '—'}</dd>
            {status.fingerprint ? (
              <>
                <dt>Certificate</dt>
                <dd className="mono api-fingerprint" data-testid="api-server-fingerprint" title="SHA-256 fingerprint: clients check it before trusting the certificate">
                  {status.fingerprint}
                </dd>
              </>
            ) : null}
            <dt>Parallel</dt>
            <dd className="num">{status.parallel ?? '—'} requests at once</dd>
            <dt>Model</dt>
            <dd className="mono">{servedModel ?? <span className="muted">none loaded</span>}</dd>
            <dt>Requests</dt>
            <dd className="num">{formatCount(status.requests)}</dd>
          </dl>
          <div className="api-buttons">
            <button
              type="button"
              className="btn"
              data-testid="api-server-stop"
              disabled={stopping || !canStop}
              title={canStop ? undefined : missingPermission('apiServer.stop')}
              onClick={() => void stop()}
            >
              {stopping ? 'Stopping…' : 'Stop server'}
            </button>
          </div>
        </>
      ) : (
        <form
          className="api-form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <label htmlFor="api-port">Port</label>
          <div>
            <input
              id="api-port"
              className={errors.port ? 'input num invalid' : 'input num'}
              data-testid="api-server-port"
              inputMode="numeric"
              value={form.port}
              onChange={(e) => setForm({ port: e.target.value })}
            />
            {errors.port ? <div className="field-error">{errors.port}</div> : <div className="hint">0 picks a free port</div>}
          </div>
          <label htmlFor="api-parallel">Parallel</label>
          <div>
            <input
              id="api-parallel"
              className={errors.parallel ? 'input num invalid' : 'input num'}
              data-testid="api-server-parallel"
              inputMode="numeric"
              value={form.parallel}
              onChange={(e) => setForm({ parallel: e.target.value })}
            />
            {errors.parallel ? <div className="field-error">{errors.parallel}</div> : <div className="hint">requests decoded at once (1–16)</div>}
          </div>
          <label htmlFor="api-host">Address</label>
          <div>
            <input
              id="api-host"
              className={errors.host ? 'input mono invalid' : 'input mono'}
              data-testid="api-server-host"
              value={form.host}
              onChange={(e) => setForm({ host: e.target.value })}
            />
            {errors.host ? <div className="field-error">{errors.host}</div> : <div className="hint">127.0.0.1: this machine only; 0.0.0.0: the team (needs TLS)</div>}
          </div>
          <label htmlFor="api-tls">TLS</label>
          <div>
            <select id="api-tls" className="input" data-testid="api-server-tls" value={form.tls} onChange={(e) => setForm({ tls: e.target.value as typeof form.tls })}>
              <option value="none">none (plain HTTP, loopback only)</option>
              <option value="self-signed">self-signed certificate (made once, kept in the data folder)</option>
              <option value="files">certificate and key files</option>
            </select>
            {form.tls === 'files' ? (
              <div className="api-tls-files">
                <input aria-label="Certificate file" className={errors.tlsCert ? 'input mono invalid' : 'input mono'} placeholder="/path/to/cert.pem" value={form.tlsCert} onChange={(e) => setForm({ tlsCert: e.target.value })} />
                {errors.tlsCert ? <div className="field-error">{errors.tlsCert}</div> : null}
                <input aria-label="Key file" className={errors.tlsKey ? 'input mono invalid' : 'input mono'} placeholder="/path/to/key.pem" value={form.tlsKey} onChange={(e) => setForm({ tlsKey: e.target.value })} />
                {errors.tlsKey ? <div className="field-error">{errors.tlsKey}</div> : null}
              </div>
            ) : null}
          </div>
          <label htmlFor="api-key">Key</label>
          <div>
            <input
              id="api-key"
              type="password"
              className={errors.key ? 'input mono invalid' : 'input mono'}
              data-testid="api-server-key-input"
              autoComplete="new-password"
              placeholder="blank: generate one"
              value={form.key}
              onChange={(e) => setForm({ key: e.target.value })}
            />
            {errors.key ? <div className="field-error">{errors.key}</div> : <div className="hint">clients send it as Authorization: Bearer</div>}
          </div>
          <div className="api-form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="api-server-start"
              disabled={starting || !status || !canStart}
              title={canStart ? undefined : missingPermission('apiServer.start')}
            >
              {starting ? 'Starting…' : 'Start server'}
            </button>
            {!canStart ? (
              <span className="hint">Only an admin can start the server.</span>
            ) : !loadedModel ? (
              <span className="hint">No model is loaded: load one in Models for the server to answer.</span>
            ) : (
              <span className="hint">Serves {loadedModel}</span>
            )}
          </div>
        </form>
      )}

      {issued ? (
        <div className="api-key-once" role="status" data-testid="api-server-issued">
          <div className="api-key-title">Copy the key now: it is shown only this once.</div>
          <div className="api-key-row">
            <code className="mono api-key" data-testid="api-server-key">
              {issued.key}
            </code>
            <CopyButton text={issued.key} testId="api-server-copy-key" label="Copy key" />
            <button type="button" className="btn btn-small btn-ghost" onClick={forgetKey}>
              Done
            </button>
          </div>
          {issued.baseUrl ? <pre className="mono api-curl">{curlExample(issued.baseUrl, servedModel)}</pre> : null}
          <div className="hint">It disappears when you press Done or leave this view. Stop and start the server for a new one.</div>
        </div>
      ) : null}

      <ErrorNote error={actionError} testId="api-server-error" title={running ? 'Could not stop the server' : 'Could not start the server'} />
      {status?.error && !actionError ? <ErrorNote error={{ code: null, message: status.error }} testId="api-server-error" title="The server reported an error" /> : null}
      <ApiKeysPanel />
    </section>
  );
}
