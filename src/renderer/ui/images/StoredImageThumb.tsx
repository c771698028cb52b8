import { Thumbnail } from './Thumbnail';
import './storedImageThumb.css';

interface Props {
  hash: string;
  /** Shown as the tooltip and alt text. */
  label: string;
  size?: number;
  testId?: string;
}

/** A stored image's thumbnail for a grid cell: the shared Thumbnail (one cache per hash) in a small square box. */
export function StoredImageThumb({ hash, label, size = 96, testId }: Props): React.JSX.Element {
  return <Thumbnail hash={hash} name={label} size={size} className="stored-thumb" testId={testId} />;
}
