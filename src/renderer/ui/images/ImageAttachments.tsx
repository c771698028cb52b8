import { useRef, useState } from 'react';
import { ErrorNote } from '../ErrorNote';
import { formatBytes } from '../format';
import type { ShownError } from '../../client/errors';
import type { AttachedImage } from './imagePrompt';
import { imageFilesOf } from './imageFields';
import { ImageNotes } from './ImageNotes';
import { Thumbnail } from './Thumbnail';
import './images.css';

/** What the picker offers; a dropped file of another kind still goes to the core, which says why it refuses it. */
export const IMAGE_ACCEPT = 'image/png,image/jpeg,image/webp,image/gif,.png,.jpg,.jpeg,.webp,.gif';

interface DropProps {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
  className?: string;
  testId?: string;
  children: React.ReactNode;
}

/**
 * Takes image files dropped on it or pasted into anything inside it (the editors included). Paste is caught
 * in the capture phase so Monaco never inserts a pasted image's file name; a text paste passes through.
 */
export function ImageDropZone({ onFiles, disabled = false, className = '', testId, children }: DropProps): React.JSX.Element {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`img-drop${over ? ' over' : ''} ${className}`}
      data-testid={testId}
      onDragOver={(e) => {
        if (disabled || !e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDropCapture={(e) => {
        const files = imageFilesOf(e.dataTransfer.files);
        setOver(false);
        if (disabled || files.length === 0) return;
        e.preventDefault();
        e.stopPropagation();
        onFiles(files);
      }}
      onPasteCapture={(e) => {
        const files = imageFilesOf(e.clipboardData.files);
        if (disabled || files.length === 0) return;
        e.preventDefault();
        e.stopPropagation();
        onFiles(files);
      }}
    >
      {children}
      {over ? <div className="img-drop-hint">Drop to attach</div> : null}
    </div>
  );
}

interface Props {
  images: readonly AttachedImage[];
  attaching: number;
  error: ShownError | null;
  onFiles: (files: File[]) => void;
  onRemove: (hash: string) => void;
  onDismissError: () => void;
  disabled?: boolean;
  /** Why the chosen target cannot take them, shown under the thumbnails. */
  refusal?: string | null;
  testIdPrefix?: string;
}

/** The images attached to the user message: thumbnails with name and size, a remove button each, and a picker. */
export function ImageAttachments({ images, attaching, error, onFiles, onRemove, onDismissError, disabled = false, refusal, testIdPrefix = '' }: Props): React.JSX.Element {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <section className="panel-section img-attachments" data-testid={`${testIdPrefix}image-attachments`}>
      <div className="block-label">
        <span>Images</span>
        <span className="hint">{images.length ? `${images.length} attached` : 'drop or paste onto the message, or'}</span>
        <button type="button" className="btn btn-small" data-testid={`${testIdPrefix}image-pick`} disabled={disabled} onClick={() => picker.current?.click()}>
          Attach image…
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          className="img-native"
          accept={IMAGE_ACCEPT}
          aria-label="Attach images"
          data-testid={`${testIdPrefix}image-file`}
          disabled={disabled}
          onChange={(e) => {
            onFiles(imageFilesOf(e.target.files));
            e.target.value = ''; // the same file again is a new pick
          }}
        />
      </div>
      {images.length || attaching ? (
        <ul className="img-list">
          {images.map((img) => (
            <li key={img.hash} className="img-item" data-testid={`${testIdPrefix}image-item`}>
              <Thumbnail hash={img.hash} name={img.name} />
              <span className="img-meta">
                <span className="img-name mono" title={img.name}>
                  {img.name}
                </span>
                <span className="muted num">{[img.width && img.height ? `${img.width}×${img.height}` : null, img.bytes != null ? formatBytes(img.bytes) : null].filter(Boolean).join(' · ')}</span>
              </span>
              <button type="button" className="btn btn-small btn-ghost img-remove" aria-label={`Remove ${img.name}`} data-testid={`${testIdPrefix}image-remove`} disabled={disabled} onClick={() => onRemove(img.hash)}>
                ×
              </button>
              <ImageNotes notes={img.notes} testId={`${testIdPrefix}image-notes`} />
            </li>
          ))}
          {attaching ? <li className="img-item img-pending muted">Adding {attaching === 1 ? 'an image' : `${attaching} images`}…</li> : null}
        </ul>
      ) : null}
      {refusal && images.length ? (
        <div className="field-error" data-testid={`${testIdPrefix}image-refusal`}>
          {refusal}
        </div>
      ) : null}
      <ErrorNote error={error} testId={`${testIdPrefix}image-error`} title="Could not attach the image" onDismiss={onDismissError} />
    </section>
  );
}
