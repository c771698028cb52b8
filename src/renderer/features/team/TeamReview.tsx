// The reviewer's half of the Team view: start an assignment, pick one, read its agreement (table and chart)
// and queue sizes, and resolve disagreements and rejected rows into the row's label.
import { useEffect, useMemo } from 'react';
import type { ChartData, ChartOptions } from 'chart.js';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatPercent, preview } from '../../ui/format';
import { useTeamStore } from './team.store';
import { alphaSeries, answerWords, statWords } from './teamView';

const HOUR = 3_600_000;
const COLORS = ['#7aa2f7', '#e0af68', '#9ece6a', '#f7768e', '#bb9af7', '#2ac3de'];

export function TeamReview(): React.JSX.Element {
  const { datasets, assignments, selected, agreement, dashboard, review, startForm, reviewError, loadReviewer, select, setStartForm, start, resolve } = useTeamStore();
  useEffect(() => void loadReviewer(), [loadReviewer]);
  const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
  return (
    <>
      <section className="card" data-testid="team-assign">
        <div className="section-head">
          <h2 className="card-title">Assignments</h2>
        </div>
        <div className="team-start">
          <select className="input" aria-label="Dataset" data-testid="team-start-dataset" value={startForm.datasetId} onChange={(e) => setStartForm({ datasetId: e.target.value })}>
            <option value="">Dataset…</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <select className="input" aria-label="Mode" value={startForm.mode} onChange={(e) => setStartForm({ mode: e.target.value as 'round_robin' | 'claim_next' })}>
            <option value="claim_next">Claim next (shared pool)</option>
            <option value="round_robin">Round-robin</option>
          </select>
          <label>
            overlap % <input className="input team-num" data-testid="team-start-overlap" value={startForm.overlapPercent} onChange={(e) => setStartForm({ overlapPercent: e.target.value })} />
          </label>
          <label>
            labelers per overlapped row <input className="input team-num" value={startForm.overlapK} onChange={(e) => setStartForm({ overlapK: e.target.value })} />
          </label>
          <label>
            claim minutes <input className="input team-num" value={startForm.claimMinutes} onChange={(e) => setStartForm({ claimMinutes: e.target.value })} />
          </label>
          <button type="button" className="btn btn-primary" data-testid="team-start" onClick={() => void start()}>
            Start
          </button>
        </div>
        <ErrorNote error={reviewError} testId="team-review-error" />
        <div className="chips">
          {assignments.map((a) => (
            <button key={a.id} type="button" className={a.id === selected ? 'chip team-chip-on' : 'chip'} onClick={() => void select(a.id)}>
              {a.name} · {formatCount(a.done)}/{formatCount(a.tasks)}
            </button>
          ))}
        </div>
        {dashboard ? (
          <table className="table team-table" data-testid="team-queues">
            <thead>
              <tr><th>Labeler</th><th className="right">Done</th><th className="right">Left</th><th className="right">Holding</th><th className="right">Labelled this hour</th></tr>
            </thead>
            <tbody>
              {dashboard.queues.map((q) => (
                <tr key={q.labelerId}>
                  <td>{q.name}</td>
                  <td className="num right">{formatCount(q.done)}</td>
                  <td className="num right">{formatCount(q.remaining)}</td>
                  <td className="num right">{q.claimed}</td>
                  <td className="num right">{formatCount(dashboard.perHour.find((h) => h.labelerId === q.labelerId && h.hourStart === thisHour)?.rows ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {agreement ? <AgreementCard /> : null}
      <section className="card" data-testid="team-review">
        <div className="section-head">
          <h2 className="card-title">Review</h2>
          <span className="muted">{review.length} waiting</span>
        </div>
        {review.map((item) => (
          <div key={item.rowId} className="team-review-item" data-testid="team-review-item">
            <div className="muted">
              Row {item.rowId} · {item.reason === 'disagreement' ? `answers differ on ${item.fields.join(', ')}` : 'rejected by a labeler'}
            </div>
            <div className="team-text">{preview(item.row.prompt, 300)}</div>
            {item.answers.map((a) => (
              <div key={a.labelerId} className="team-answer-line">
                <span>{a.name}:</span> <span data-testid="team-answer">{answerWords(a.patch)}</span>
                <button type="button" className="btn btn-small" data-testid="team-choose" onClick={() => void resolve(item.rowId, { labelerId: a.labelerId }, item.row.version)}>
                  Use {a.name}&apos;s answer
                </button>
              </div>
            ))}
            <div className="team-actions">
              {(['accepted', 'rejected'] as const).map((status) => (
                <button key={status} type="button" className="btn btn-small btn-ghost" data-testid={`team-write-${status}`} onClick={() => void resolve(item.rowId, { patch: { status } }, item.row.version)}>
                  {status === 'accepted' ? 'Accept the row' : 'Reject the row'} (own decision)
                </button>
              ))}
            </div>
          </div>
        ))}
      </section>
    </>
  );
}

function AgreementCard(): React.JSX.Element {
  const agreement = useTeamStore((s) => s.agreement);
  const series = useMemo(() => alphaSeries(agreement?.overTime ?? []), [agreement]);
  const data: ChartData<'line'> = useMemo(
    () => ({ datasets: series.map((s, i) => ({ label: s.field, data: s.points, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], tension: 0.2 })) }),
    [series],
  );
  // An hour either side of the data, so a single bucket sits in a readable range.
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const [lo, hi] = xs.length ? [Math.min(...xs) - HOUR, Math.max(...xs) + HOUR] : [0, HOUR];
  const options: ChartOptions<'line'> = useMemo(
    () => ({
      parsing: false,
      scales: {
        x: { type: 'linear', min: lo, max: hi, ticks: { stepSize: HOUR, callback: (v) => new Date(Number(v)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) } },
        y: { min: -1, max: 1, title: { display: true, text: "Krippendorff's alpha" } },
      },
    }),
    [lo, hi],
  );
  if (!agreement) return <></>;
  return (
    <section className="card" data-testid="team-agreement">
      <div className="section-head">
        <h2 className="card-title">Agreement</h2>
        <span className="muted">{formatCount(agreement.units)} overlapped rows</span>
      </div>
      <table className="table team-table" data-testid="team-agreement-table">
        <thead>
          <tr><th>Field</th><th className="right">Agreement</th><th className="right">Cohen&apos;s κ</th><th className="right">Fleiss&apos; κ</th><th className="right">α ({'ordinal / nominal'})</th></tr>
        </thead>
        <tbody>
          {agreement.fields.map((f) => (
            <tr key={f.field} data-testid={`team-agreement-${f.field}`}>
              <td>{f.field}</td>
              <td className="num right">{f.percent.value === null ? '—' : formatPercent(f.percent.value)}</td>
              {[f.cohen, f.fleiss, f.alpha].map((s, i) => {
                const w = statWords(s);
                return (
                  <td key={i} className="num right" title={w.title}>
                    {w.text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {series.length > 0 ? <ChartCanvas type="line" data={data} options={options} label="Agreement over time per field" testId="team-agreement-chart" height={200} /> : null}
    </section>
  );
}
