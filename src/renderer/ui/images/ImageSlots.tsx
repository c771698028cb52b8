import { useRef } from 'react';
import type { AttachedImage } from './imagePrompt';
import { IMAGE_ACCEPT, ImageDropZone } from './ImageAttachments';
import { ImageNotes } from './ImageNotes';
import { Thumbnail } from './Thumbnail';
import './images.css';

interface Props {
  /** `{{image:name}}` names the texts hold now, in order. */
  names: readonly string[];
  slots: Readonly<Record<string, AttachedImage>>;
  onFill: (name: string, file: File) => void;
  onClear: (name: string) => void;
  disabled?: boolean;
  testIdPrefix?: string;
}

/** One image slot per `{{image:name}}`: drop a file on it or choose one; the image goes where the variable stands. */
export function ImageSlots({ names, slots, onFill, onClear, disabled = false, testIdPrefix = '' }: Props): React.JSX.Element | null {
  if (names.length === 0) return null;
  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Image variables</span>
        <span className="hint">{names.filter((n) => slots[n]).length} of {names.length} filled</span>
      </div>
      <div className="img-slots">
        {names.map((name) => (
          <Slot key={name} name={name} image={slots[name]} onFill={onFill} onClear={onClear} disabled={disabled} testId={`${testIdPrefix}image-slot-${name}`} />
        ))}
      </div>
    </section>
  );
}

interface SlotProps {
  name: string;
  image: AttachedImage | undefined;
  onFill: (name: string, file: File) => void;
  onClear: (name: string) => void;
  disabled: boolean;
  testId: string;
}

function Slot({ name, image, onFill, onClear, disabled, testId }: SlotProps): React.JSX.Element {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <ImageDropZone className="img-slot" testId={testId} disabled={disabled} onFiles={(files) => files[0] && onFill(name, files[0])}>
      <span className={image ? 'var-name mono' : 'var-name mono text-warn'} title={image ? undefined : 'No image yet'}>
        image:{name}
      </span>
      {image ? (
        <>
          <Thumbnail hash={image.hash} name={image.name} size={96} className="img-thumb img-thumb-small" />
          <span className="img-name mono" title={image.name}>
            {image.name}
          </span>
          <button type="button" className="btn btn-small btn-ghost" aria-label={`Clear image:${name}`} disabled={disabled} onClick={() => onClear(name)}>
            ×
          </button>
        </>
      ) : (
        <span className="hint">drop an image here or</span>
      )}
      <button type="button" className="btn btn-small" disabled={disabled} onClick={() => picker.current?.click()}>
        {image ? 'Replace…' : 'Choose…'}
      </button>
      <input
        ref={picker}
        type="file"
        className="img-native"
        accept={IMAGE_ACCEPT}
        aria-label={`Image for image:${name}`}
        data-testid={`${testId}-file`}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFill(name, file);
          e.target.value = '';
        }}
      />
      {image ? <ImageNotes notes={image.notes} testId={`${testId}-notes`} compact /> : null}
    </ImageDropZone>
  );
}
