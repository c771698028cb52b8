import { useState } from 'react';
import type { TargetCheck, TargetInfo } from '../../../shared/targets.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { isLoraModule, loraBase } from '../../ui/targets/targetChoices';
import { useTargetsStore } from '../../client/targets.store';

/**
 * The LoRA modules a vLLM target serves (from its last check), a form to load one from a path on the server,
 * and Unload per module. Loading needs vLLM started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True.
 */
export function TargetLoras({ target, check }: { target: TargetInfo; check: TargetCheck | null }): React.JSX.Element {
  const busy = useTargetsStore((s) => (s.loraBusy?.targetId === target.id ? s.loraBusy : null));
  const anyBusy = useTargetsStore((s) => s.loraBusy !== null);
  const notice = useTargetsStore((s) => (s.loraNotice?.targetId === target.id ? s.loraNotice : null));
  const failed = useTargetsStore((s) => (s.loraError?.targetId === target.id ? s.loraError : null));
  const loadLora = useTargetsStore((s) => s.loadLora);
  const unloadLora = useTargetsStore((s) => s.unloadLora);
  const dismiss = useTargetsStore((s) => s.dismissLora);
  const [name, setName] = useState('');
  const [path, setPath] = useState('');

  const modules = check ? check.models.filter((m) => isLoraModule(m, check.models)) : [];
  const canLoad = name.trim() !== '' && path.trim() !== '' && !anyBusy;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!canLoad) return;
    if (await loadLora(target.id, name.trim(), path.trim())) {
      setName('');
      setPath('');
    }
  };

  return (
    <div className="target-loras" data-testid="target-loras">
      <div className="detail-label">
        LoRA adapters
        {check ? <span className="hint">{modules.length} loaded</span> : null}
      </div>
      {!check ? (
        <p className="hint">Press Check to see the adapters this server has loaded.</p>
      ) : modules.length === 0 ? (
        <p className="hint" data-testid="lora-none">
          No LoRA adapters loaded.
        </p>
      ) : (
        <ul className="remote-models lora-list">
          {modules.map((m) => {
            const unloading = busy?.action === 'unload' && busy.name === m.id;
            return (
              <li key={m.id} className="remote-model lora-module" data-testid="lora-module" data-name={m.id}>
                <span className="mono remote-model-id" title={m.id}>
                  {m.id}
                </span>
                {loraBase(m) ? (
                  <span className="muted remote-model-base mono" title={m.root ?? undefined}>
                    on {m.parent ?? m.root}
                  </span>
                ) : null}
                <span className="spacer" />
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  data-testid="lora-unload"
                  disabled={anyBusy}
                  onClick={() => void unloadLora(target.id, m.id)}
                >
                  {unloading ? 'Unloading…' : 'Unload'}
                </button>
                {m.root && m.root !== m.parent ? (
                  <span className="lora-path mono muted" title={m.root}>
                    {m.root}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}

      <form className="lora-form" onSubmit={(e) => void submit(e)} aria-label="Load a LoRA adapter">
        <input
          className="input mono"
          data-testid="lora-name-input"
          aria-label="Adapter name"
          placeholder="adapter name"
          spellCheck={false}
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          className="input mono"
          data-testid="lora-path-input"
          aria-label="Adapter path on the server"
          placeholder="path on the server"
          spellCheck={false}
          autoComplete="off"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="btn btn-primary" data-testid="lora-load" disabled={!canLoad}>
          {busy?.action === 'load' ? 'Loading…' : 'Load'}
        </button>
      </form>
      <p className="hint lora-hint">
        Needs vLLM started with <span className="mono">--enable-lora</span> and <span className="mono">VLLM_ALLOW_RUNTIME_LORA_UPDATING=True</span>; loads on
        every replica. A loaded adapter is a model of this target: pick “{target.name} · adapter name” in the
        Playground, Compare or Evals pickers.
      </p>

      <ErrorNote error={failed?.error ?? null} testId="lora-error" title={failed?.title} onDismiss={dismiss} />
      {notice ? (
        <div className={notice.partial ? 'note note-warn' : 'note'} role="status" data-testid="lora-notice">
          {notice.message}
        </div>
      ) : null}
    </div>
  );
}
