// Starting an assignment (data managers only): the dataset and the slice of it to label, the mode, overlap
// and claim time, and in "by filter" mode the rows each labeler takes (a status and/or a label option).
import { RowStatus } from '../../../shared/datasets.schema';
import type { AssignMode } from '../../../shared/team.schema';
import { useTeamStore } from './team.store';
import { ANY_ROWS, labelChoices, type FilterForm } from './teamView';

const MODES: { mode: AssignMode; label: string }[] = [
  { mode: 'claim_next', label: 'Claim next (shared pool)' },
  { mode: 'round_robin', label: 'Round-robin' },
  { mode: 'by_filter', label: 'By filter (rows per labeler)' },
];

/** A status select and a label-option select: one filter. */
function FilterPicker({ value, choices, onChange, testId, name }: { value: FilterForm; choices: string[]; onChange: (f: FilterForm) => void; testId: string; name: string }): React.JSX.Element {
  return (
    <>
      <select className="input" aria-label={`${name} status`} data-testid={`${testId}-status`} value={value.status} onChange={(e) => onChange({ ...value, status: e.target.value as FilterForm['status'] })}>
        <option value="">any status</option>
        {RowStatus.options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select className="input" aria-label={`${name} label`} data-testid={`${testId}-label`} value={value.label} onChange={(e) => onChange({ ...value, label: e.target.value })}>
        <option value="">any label</option>
        {choices.map((c) => (
          <option key={c} value={c}>
            {c.replace('=', ': ')}
          </option>
        ))}
      </select>
    </>
  );
}

export function TeamStartForm(): React.JSX.Element {
  const { datasets, profiles, startSchema, startForm, setStartForm, start } = useTeamStore();
  const choices = labelChoices(startSchema);
  const labelers = profiles.filter((p) => p.role === 'labeler');
  return (
    <div className="team-start-form" data-testid="team-start-form">
      <div className="team-start">
        <select className="input" aria-label="Dataset" data-testid="team-start-dataset" value={startForm.datasetId} onChange={(e) => setStartForm({ datasetId: e.target.value })}>
          <option value="">Dataset…</option>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <span className="muted">rows:</span>
        <FilterPicker name="Rows" testId="team-start-slice" value={startForm.slice} choices={choices} onChange={(slice) => setStartForm({ slice })} />
        <select className="input" aria-label="Mode" value={startForm.mode} onChange={(e) => setStartForm({ mode: e.target.value as AssignMode })}>
          {MODES.map((m) => (
            <option key={m.mode} value={m.mode}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <div className="team-start">
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
      {startForm.mode === 'by_filter' ? (
        <table className="table team-table" data-testid="team-parts">
          <thead>
            <tr>
              <th>Labeler</th>
              <th>Takes the rows with</th>
            </tr>
          </thead>
          <tbody>
            {labelers.map((p) => (
              <tr key={p.id} data-testid="team-part">
                <td>{p.name}</td>
                <td>
                  <div className="team-start">
                    <FilterPicker
                      name={p.name}
                      testId={`team-part-${p.name}`}
                      value={startForm.parts[p.id] ?? ANY_ROWS}
                      choices={choices}
                      onChange={(f) => setStartForm({ parts: { ...startForm.parts, [p.id]: f } })}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {startForm.mode === 'by_filter' ? <p className="muted">Labelers left at “any” take no part; rows no part selects go to a shared pool for the labelers given a part.</p> : null}
    </div>
  );
}
