// The image half of an import report: the files of the folder that were passed over and why, then what
// storing changed in the images that were imported, grouped by kind (ui/images/ImageNotes).
import { ImageNoteGroups } from '../../ui/images/ImageNotes';
import { formatCount } from '../../ui/format';
import type { ImageImportFacts } from './importReport';

/** "from 6 images; 2 files skipped" for the report's first line. */
export function imageImportSummary(images: ImageImportFacts): string {
  const skipped = images.skipped.length;
  return ` from ${formatCount(images.files)} image${images.files === 1 ? '' : 's'}${skipped ? `; ${formatCount(skipped)} file${skipped === 1 ? '' : 's'} skipped.` : '.'}`;
}

export function ImportImagesReport({ images }: { images: ImageImportFacts }): React.JSX.Element | null {
  if (images.skipped.length === 0 && images.notes.length === 0) return null;
  return (
    <>
      {images.skipped.length ? (
        <div className="ds-bad" data-testid="dataset-report-skipped">
          <div className="text-warn">
            {formatCount(images.skipped.length)} file{images.skipped.length === 1 ? '' : 's'} not imported
          </div>
          <ul>
            {images.skipped.map((s) => (
              <li key={s.file}>
                <span className="mono">{s.file}</span> <span className="ds-bad-reason">{s.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ImageNoteGroups notes={images.notes} testId="dataset-report-notes" />
    </>
  );
}
