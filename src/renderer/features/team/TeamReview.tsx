// The reviewer's half of the Team view: start an assignment (data managers), pick one, read its agreement
// (table and chart) and queue sizes, resolve disagreements and rejected rows into the row's label (one
// labeler's answer or the reviewer's own), and see every resolution with who made it and when.
import { useEffect, useMemo } from 'react';
import type { ChartData, ChartOptions } from 'chart.js';
import { useCan } from '../../client/session.store';
import { ChartCanvas } from '../../ui/ChartCanvas';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount, formatPercent } from '../../ui/format';
import { TeamReviewItem } from './TeamReviewItem';
import { TeamStartForm } from './TeamStartForm';
import { useTeamStore } from './team.store';
import { alphaSeries, answerWords, resolutionWords, statWords } from './teamView';

const HOUR = 3_600_000;
const COLORS = ['#7aa2f7', '#e0af68', '#9ece6a', '#f7768e', '#bb9af7', '#2ac3de'];

export function TeamReview(): React.JSX.Element {
  const { assignments, selected, agreement, dashboard, review, reviews, reviewSchema, profiles, reviewError, loadReviewer, select, resolve } = useTeamStore();
  const canStart = useCan('team.start');
  useEffect(() => void loadReviewer(), [loadReviewer]);
  const thisHour = Math.floor(Date.now() / HOUR) * HOUR;
  const nameOf = (id: string) => profiles.find((p) => p.id === id)?.name ?? id;
  return (
    <>
      <section className="card" data-testid="team-assign">
        <div className="section-head">
          <h2 className="card-title">Assignments</h2>
        </div>
        {canStart ? <TeamStartForm /> : null}
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
          <TeamReviewItem key={item.rowId} item={item} schema={reviewSchema} onResolve={(choice) => void resolve(item.rowId, choice, item.row.version)} />
        ))}
      </section>
      {reviews.length > 0 ? (
        <section className="card" data-testid="team-resolved">
          <div className="section-head">
            <h2 className="card-title">Resolved</h2>
            <span className="muted">
              {reviews.length} {reviews.length === 1 ? 'row' : 'rows'} · a resolution is the row&apos;s label, which export reads
            </span>
          </div>
          <ul className="team-resolved">
            {reviews.map((r) => (
              <li key={r.id} data-testid="team-resolution">
                <span>Row {r.rowId}</span> · <span data-testid="team-resolution-who">{resolutionWords(r, nameOf)}</span> ·{' '}
                <time dateTime={new Date(r.at).toISOString()}>{new Date(r.at).toLocaleString()}</time> · <span className="muted">{answerWords(r.patch)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
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
