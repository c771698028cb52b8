import { useEffect, useState } from 'react';
import type { DatasetStats } from '../../../shared/datasets.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatTime } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { latestJob, useDatasetsStore } from './datasets.store';
import { JobBar } from './Dialog';
import type { FilterForm } from './filters';
import { LabelSchemaEditor } from './LabelSchemaEditor';
import { SplitDialog } from './SplitDialog';

const PII_WORDS: Record<string, string> = { id_card: 'ID card numbers', bank_card: 'bank card numbers', phone: 'phone numbers', email: 'email addresses' };

export function QualityPanel(): React.JSX.Element {
  const stats = useDatasetsStore((s) => s.stats);
  const statsError = useDatasetsStore((s) => s.statsError);
  const jobError = useDatasetsStore((s) => s.jobError);
  const job = useDatasetsStore((s) => latestJob(s.jobs, s.selectedId, 'analyze'));
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const { analyze, cancelJob, loadStats, setFilter, setTab } = useDatasetsStore.getState();
  const [splitOpen, setSplitOpen] = useState(false);

  useEffect(() => {
    void loadStats();
  }, [loadStats]);

  const show = (patch: Partial<FilterForm>): void => {
    setFilter(patch);
    setTab('rows');
  };
  const running = job?.state === 'running';

  return (
    <div className="ds-panels" data-testid="dataset-quality">
      <div className="card">
        <div className="section-head">
          <span className="card-title">Analysis</span>
          <span className="muted">
            {stats?.analyzedAt ? `last run ${formatTime(stats.analyzedAt)}` : 'not analyzed yet'} · duplicates, personal data, token lengths
            {loadedId ? ' (with the loaded model’s tokenizer)' : ''}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-primary btn-small" disabled={running} onClick={() => void analyze(loadedId)}>
            {running ? 'Analyzing…' : 'Analyze'}
          </button>
        </div>
        {job ? <JobBar job={job} label="Analysis" onCancel={() => void cancelJob(job.jobId)} /> : null}
        <ErrorNote error={jobError ?? statsError} title="Analysis problem" />
        {stats ? <StatsView stats={stats} show={show} /> : null}
      </div>
      <LabelSchemaEditor />
      <div className="card">
        <div className="section-head">
          <span className="card-title">Splits</span>
          <span className="muted num">
            train {formatCount(stats?.splits.train ?? 0)} · validation {formatCount(stats?.splits.validation ?? 0)} · test {formatCount(stats?.splits.test ?? 0)}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-small" onClick={() => setSplitOpen(true)}>
            Split…
          </button>
        </div>
      </div>
      {splitOpen ? <SplitDialog onClose={() => setSplitOpen(false)} /> : null}
    </div>
  );
}

function StatsView({ stats, show }: { stats: DatasetStats; show: (p: Partial<FilterForm>) => void }): React.JSX.Element {
  const t = stats.tokens;
  return (
    <div className="ds-stats">
      <div className="ds-stats-col">
        <div className="ds-sub">
          Token lengths <span className="muted">{stats.tokenizer ? `· ${stats.tokenizer} tokenizer` : ''}</span>
        </div>
        {t ? (
          <>
            <Histogram bins={t.histogram} />
            <dl className="ds-dl num">
              {(
                [
                  ['p50', t.p50],
                  ['p90', t.p90],
                  ['p99', t.p99],
                  ['mean', Math.round(t.mean)],
                  ['min', t.min],
                  ['max', t.max],
                ] as const
              ).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{formatCount(v)}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : (
          <p className="hint">Token lengths need a tokenizer: load a model, then run Analyze.</p>
        )}
      </div>
      <div className="ds-stats-col ds-stats-side">
        <div className="ds-sub">Duplicates</div>
        <button type="button" className="ds-stat" aria-label="Show exact duplicates" onClick={() => show({ duplicate: 'exact' })}>
          <span>exact</span>
          <strong className="num">{formatCount(stats.exactDuplicates)}</strong>
        </button>
        <button type="button" className="ds-stat" aria-label="Show near duplicates" onClick={() => show({ duplicate: 'near' })}>
          <span>near</span>
          <strong className="num">{formatCount(stats.nearDuplicates)}</strong>
        </button>
        <div className="ds-sub">Personal data</div>
        {Object.entries(stats.pii).map(([kind, n]) => (
          <button key={kind} type="button" className="ds-stat" aria-label={`Show rows with personal data (${PII_WORDS[kind] ?? kind})`} onClick={() => show({ pii: 'yes' })}>
            <span>{PII_WORDS[kind] ?? kind}</span>
            <strong className={n ? 'num text-warn' : 'num'}>{formatCount(n)}</strong>
          </button>
        ))}
      </div>
    </div>
  );
}

/** Rows per token-length bin, as bars; hovering a bar names its range and count. */
function Histogram({ bins }: { bins: readonly { lo: number; hi: number; count: number }[] }): React.JSX.Element {
  const width = 520;
  const height = 150;
  const pad = { l: 44, r: 8, t: 8, b: 22 };
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const bw = bins.length ? plotW / bins.length : plotW;
  const first = bins[0];
  const last = bins[bins.length - 1];
  return (
    <svg className="ds-hist" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Token length histogram" data-testid="dataset-histogram">
      <line x1={pad.l} y1={pad.t + plotH} x2={pad.l + plotW} y2={pad.t + plotH} className="ds-axis" />
      <text x={pad.l - 6} y={pad.t + 4} textAnchor="end" dominantBaseline="hanging" className="ds-chart-value">
        {formatCount(max)}
      </text>
      <text x={pad.l - 6} y={pad.t + plotH} textAnchor="end" className="ds-chart-value">
        0
      </text>
      {bins.map((b, i) => {
        const h = (b.count / max) * plotH;
        return (
          <rect key={i} x={pad.l + i * bw + 1} y={pad.t + plotH - h} width={Math.max(1, bw - 2)} height={h} className="ds-hist-bar">
            <title>{`${formatCount(b.lo)}–${formatCount(b.hi)} tokens: ${formatCount(b.count)} rows`}</title>
          </rect>
        );
      })}
      {first ? (
        <text x={pad.l} y={height - 6} className="ds-chart-value">
          {formatCount(first.lo)}
        </text>
      ) : null}
      {last ? (
        <text x={pad.l + plotW} y={height - 6} textAnchor="end" className="ds-chart-value">
          {formatCount(last.hi)} tokens
        </text>
      ) : null}
    </svg>
  );
}
