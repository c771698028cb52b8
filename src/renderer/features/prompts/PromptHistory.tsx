import { lazy, Suspense } from 'react';
import type { PromptVersionSummary } from '../../../shared/prompts.schema';
import { formatTime, shortHash } from '../../ui/format';
import { sortLabels } from './library';
import { usePromptsStore } from './prompts.store';
import { LabelHistory, VersionPanel } from './VersionPanel';

const PromptDiffEditor = lazy(() => import('./PromptDiffEditor'));

const DIFF_HEIGHT = 420;

/** Versions newest first; tick two to diff them; the selected one gets labels, restore, fork. */
export function PromptHistory(): React.JSX.Element | null {
  const detail = usePromptsStore((s) => s.detail);
  const pick = usePromptsStore((s) => s.diffPick);
  const diffLoading = usePromptsStore((s) => s.diffLoading);
  const loadDiff = usePromptsStore((s) => s.loadDiff);
  if (!detail) return <p className="hint pr-pad">Loading the history…</p>;
  const numbers = pick.map((id) => detail.versions.find((v) => v.id === id)?.number ?? 0).sort((a, b) => a - b);

  return (
    <div className="pr-history">
      <div className="pr-history-top">
        <section className="pr-versions-pane">
          <div className="section-head">
            <h3>Versions</h3>
            <span className="muted">{detail.versions.length} · newest first</span>
            <span className="spacer" />
            <span className="hint">{pick.length < 2 ? `Tick ${2 - pick.length} ${pick.length ? 'more' : 'versions'} to compare` : ''}</span>
            <button type="button" className="btn btn-small" data-testid="version-diff" disabled={pick.length !== 2 || diffLoading} onClick={() => void loadDiff()}>
              {pick.length === 2 ? `Diff v${numbers[0]} ↔ v${numbers[1]}` : 'Diff'}
            </button>
          </div>
          <ul className="pr-versions">
            {detail.versions.map((v) => (
              <VersionRow key={v.id} version={v} all={detail.versions} />
            ))}
          </ul>
        </section>
        <div className="pr-version-side">
          <VersionPanel />
          <LabelHistory />
        </div>
      </div>
      <DiffPane />
    </div>
  );
}

function VersionRow({ version: v, all }: { version: PromptVersionSummary; all: readonly PromptVersionSummary[] }): React.JSX.Element {
  const selected = usePromptsStore((s) => s.selectedVersionId === v.id);
  const picked = usePromptsStore((s) => s.diffPick.includes(v.id));
  const base = usePromptsStore((s) => s.ws?.base?.id === v.id);
  const select = usePromptsStore((s) => s.selectVersion);
  const toggle = usePromptsStore((s) => s.toggleDiffPick);
  const restoredFrom = v.restoredFromId ? all.find((x) => x.id === v.restoredFromId)?.number : undefined;
  return (
    <li
      className={selected ? 'pr-version selected' : 'pr-version'}
      data-testid="version-row"
      data-version={v.number}
      tabIndex={0}
      aria-selected={selected}
      onClick={() => select(v.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') select(v.id);
      }}
    >
      <input
        type="checkbox"
        className="pr-pick"
        data-testid="version-pick"
        aria-label={`Compare v${v.number}`}
        checked={picked}
        onClick={(e) => e.stopPropagation()}
        onChange={() => toggle(v.id)}
      />
      <span className="pr-vnum num">v{v.number}</span>
      <span className="pr-vmsg" title={v.message}>
        {v.message || <span className="muted">(no message)</span>}
        {restoredFrom ? <span className="tag pr-tag-restored">restored v{restoredFrom}</span> : null}
        {base ? <span className="tag pr-tag-base" title="The editor's working copy started from this version">editing</span> : null}
      </span>
      <span className="pr-vlabels">
        {sortLabels(v.labels).map((l) => (
          <span key={l} className={`chip label-chip label-${l}`} data-testid="label-chip">
            {l}
          </span>
        ))}
      </span>
      <span className="pr-vauthor muted" title="Author">
        {v.author}
      </span>
      <span className="pr-vtime muted num">{formatTime(v.createdAt)}</span>
      <span className="pr-vhash mono muted" title={`sha256 ${v.contentHash}`}>
        {shortHash(v.contentHash).slice(0, 8)}
      </span>
    </li>
  );
}

function DiffPane(): React.JSX.Element {
  const diff = usePromptsStore((s) => s.diff);
  const loading = usePromptsStore((s) => s.diffLoading);
  if (!diff) {
    return (
      <section className="pr-diff pr-diff-empty">
        <p className="hint">{loading ? 'Diffing…' : 'Tick two versions and press Diff to see what changed between them, line by line.'}</p>
      </section>
    );
  }
  return (
    <section className="pr-diff" aria-label={`Diff v${diff.from.number} to v${diff.to.number}`}>
      <div className="block-label">
        <span>Diff</span>
        <span className="pr-diff-title">
          v{diff.from.number} → v{diff.to.number}
        </span>
        <span className="pr-diff-counts num" data-testid="diff-counts" title="Lines added and removed">
          <span className="diff-plus">+{diff.added}</span> <span className="diff-minus">−{diff.removed}</span>
          <span className="muted"> lines</span>
        </span>
        <span className="hint">
          left v{diff.from.number}, right v{diff.to.number} · read-only
        </span>
      </div>
      <Suspense fallback={<div className="monaco-host monaco-loading" style={{ height: DIFF_HEIGHT }} aria-hidden />}>
        <PromptDiffEditor original={diff.from.text} modified={diff.to.text} height={DIFF_HEIGHT} />
      </Suspense>
    </section>
  );
}
