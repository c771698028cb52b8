import { useEffect, useState } from 'react';
import { api } from '../../client/bridge';

// Thumbnails asked once per hash for the grid's life: scrolling back over rows must not ask again.
const cache = new Map<string, Promise<string>>();
const MAX_CACHED = 500;

function thumbnail(hash: string): Promise<string> {
  let p = cache.get(hash);
  if (!p) {
    p = api.invoke('images.thumbnail', { hash, size: 96 }).then((r) => r.dataUrl);
    p.catch(() => cache.delete(hash));
    cache.set(hash, p);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

/** A row's first image, small, in the grid; "+n" when the row has more. */
export function Thumbnail({ hashes }: { hashes: readonly string[] }): React.JSX.Element | null {
  const hash = hashes[0];
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!hash) return;
    let live = true;
    thumbnail(hash).then(
      (u) => live && setUrl(u),
      () => live && setUrl(null),
    );
    return () => {
      live = false;
    };
  }, [hash]);
  if (!hash) return null;
  return (
    <span className="ds-thumb" data-testid="dataset-thumbnail">
      {url ? <img src={url} alt="" /> : <span className="ds-thumb-empty" />}
      {hashes.length > 1 ? <span className="ds-thumb-more">+{hashes.length - 1}</span> : null}
    </span>
  );
}
