import { useEffect, useState } from 'react';
import { imageThumbnail } from '../../client/images';

interface Props {
  hash: string;
  name: string;
  /** Longest side asked of the core, in pixels; the box is sized by CSS. */
  size?: number;
  className?: string;
  testId?: string;
}

/** A stored image's thumbnail (images.thumbnail, cached per hash); a plain box until it arrives or if it cannot. */
export function Thumbnail({ hash, name, size = 160, className = 'img-thumb', testId }: Props): React.JSX.Element {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setUrl(null);
    setFailed(false);
    imageThumbnail(hash, size).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [hash, size]);
  return (
    <span className={className} data-testid={testId} data-hash={hash} title={failed ? `${name}: no thumbnail (the image is not stored here)` : name}>
      {url ? <img src={url} alt={name} draggable={false} /> : <span className="img-thumb-empty">{failed ? '?' : ''}</span>}
    </span>
  );
}
