import { useEffect, useState } from 'react';
import { api } from '../../client/bridge';
import './storedImageThumb.css';

/** Thumbnails by hash and size, shared by every grid that shows the same image (a test set's repeated rows). */
const cache = new Map<string, Promise<string>>();

function thumbnail(hash: string, size: number): Promise<string> {
  const key = `${hash}:${size}`;
  let p = cache.get(key);
  if (!p) {
    p = api.invoke('images.thumbnail', { hash, size }).then((r) => r.dataUrl);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

interface Props {
  hash: string;
  /** Shown as the tooltip and alt text. */
  label: string;
  size?: number;
  testId?: string;
}

/** A stored image's thumbnail for a grid cell (images.thumbnail); '?' when the image is not stored here. */
export function StoredImageThumb({ hash, label, size = 96, testId }: Props): React.JSX.Element {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setUrl(null);
    setFailed(false);
    thumbnail(hash, size).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [hash, size]);
  return (
    <span className="stored-thumb" data-testid={testId} data-hash={hash} title={failed ? `${label}: the image is not stored here` : label}>
      {url ? <img src={url} alt={label} draggable={false} /> : <span className="stored-thumb-empty">{failed ? '?' : ''}</span>}
    </span>
  );
}
