import './fileInput.css';

interface Props {
  downloads: readonly { name: string; url: string }[];
  testId?: string;
}

/** After a browser-host export: the first file is already being saved; the others wait as one-time links. */
export function DownloadLinks({ downloads, testId }: Props): React.JSX.Element {
  const [first, ...rest] = downloads;
  return (
    <p className="note fi-downloads" data-testid={testId}>
      {first ? (
        <>
          Saving <span className="mono">{first.name}</span> to this browser's downloads.
        </>
      ) : null}
      {rest.length ? (
        <>
          {' '}
          Also:{' '}
          {rest.map((d) => (
            <a key={d.url} className="mono fi-link" href={d.url} download={d.name}>
              {d.name}
            </a>
          ))}
          <span className="muted"> (each link works once)</span>
        </>
      ) : null}
    </p>
  );
}
