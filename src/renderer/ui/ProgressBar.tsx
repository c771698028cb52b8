import { formatPercent } from './format';

interface Props {
  /** 0..1, or null for an indeterminate bar. */
  value: number | null;
  label?: string;
  testId?: string;
}

export function ProgressBar({ value, label, testId }: Props): React.JSX.Element {
  const pct = value == null ? null : Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className="progress"
      data-testid={testId}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct == null ? undefined : Math.round(pct)}
      aria-label={label}
    >
      <div className="progress-track">
        <div
          className={pct == null ? 'progress-fill indeterminate' : 'progress-fill'}
          style={pct == null ? undefined : { width: `${pct}%` }}
        />
      </div>
      <div className="progress-text">
        {label ? <span>{label}</span> : null}
        <span className="num">{value == null ? '' : formatPercent(value)}</span>
      </div>
    </div>
  );
}
