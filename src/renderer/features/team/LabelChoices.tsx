// The single-choice labels and the 1–5 rating, as the labeler's task form and the reviewer's written answer
// both ask for them (one place, so the two forms offer the same choices).
import type { LabelSchema } from '../../../shared/datasets.schema';

export function LabelChoices(p: {
  schema: LabelSchema | null;
  labels: Record<string, string>;
  onLabels: (labels: Record<string, string>) => void;
  /** '' when none. */
  rating: string;
  onRating: (rating: string) => void;
  testIds: { field: (name: string) => string; rating: string };
}): React.JSX.Element {
  return (
    <>
      {(p.schema?.fields ?? [])
        .filter((f) => f.kind === 'single')
        .map((f) => (
          <label key={f.name} className="team-field">
            <span>{f.name}</span>
            <select className="input" data-testid={p.testIds.field(f.name)} value={p.labels[f.name] ?? ''} onChange={(e) => p.onLabels({ ...p.labels, [f.name]: e.target.value })}>
              <option value="">—</option>
              {f.options.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </label>
        ))}
      <label className="team-field">
        <span>rating</span>
        <select className="input" data-testid={p.testIds.rating} value={p.rating} onChange={(e) => p.onRating(e.target.value)}>
          <option value="">—</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
    </>
  );
}
