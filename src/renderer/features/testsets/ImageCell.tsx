import { useRef } from 'react';
import { ImageNotes } from '../../ui/images/ImageNotes';
import { StoredImageThumb } from '../../ui/images/StoredImageThumb';
import { useTestSetsStore } from './testsets.store';

/** An image column's cell: the thumbnail, and a picker that stores another image and puts its hash in the row. */
export function ImageCell({ rowId, rowNumber, variable, hash }: { rowId: string; rowNumber: number; variable: string; hash: string }): React.JSX.Element {
  const picker = useRef<HTMLInputElement>(null);
  const busy = useTestSetsStore((s) => s.imageBusy === `${rowId}:${variable}`);
  const stored = useTestSetsStore((s) => s.imageNotes[`${rowId}:${variable}`]);
  const { pickImage, updateRow } = useTestSetsStore.getState();
  return (
    <div className="ts-image-cell" data-testid="testset-image-cell">
      {hash ? <StoredImageThumb hash={hash} label={`Row ${rowNumber} ${variable}`} size={112} testId="testset-image-thumb" /> : <span className="muted">no image</span>}
      <div className="ts-image-actions">
        <button type="button" className="btn btn-small" aria-label={`Row ${rowNumber} ${variable}: pick an image`} disabled={busy} onClick={() => picker.current?.click()}>
          {busy ? 'Storing…' : hash ? 'Replace…' : 'Pick…'}
        </button>
        {hash ? (
          <button type="button" className="btn-icon" aria-label={`Row ${rowNumber} ${variable}: remove the image`} title="Remove the image from this cell" onClick={() => void updateRow(rowId, { variables: { [variable]: '' } })}>
            ×
          </button>
        ) : null}
      </div>
      {hash && stored?.hash === hash ? <ImageNotes notes={stored.notes} testId="testset-image-notes" /> : null}
      <input
        ref={picker}
        type="file"
        hidden
        accept="image/png,image/jpeg,image/webp,image/gif"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void pickImage(rowId, variable, file);
        }}
      />
    </div>
  );
}
