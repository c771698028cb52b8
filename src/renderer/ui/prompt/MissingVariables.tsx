/** The variables a rendered prompt still lacks, as chips; nothing when none are missing. */
export function MissingVariables({ missing }: { missing: readonly string[] }): React.JSX.Element | null {
  if (!missing.length) return null;
  return (
    <div className="missing" role="status">
      Missing {missing.length === 1 ? 'variable' : 'variables'}:{' '}
      {missing.map((m) => (
        <span key={m} className="chip chip-warn mono">
          {m}
        </span>
      ))}
    </div>
  );
}
