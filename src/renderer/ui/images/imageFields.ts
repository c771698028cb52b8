// The image fields the Playground and Compare share: attached images and `{{image:name}}` slots, one set of
// actions spread into each feature's store (like ui/prompt/promptFields). Files go to the core first
// (images.addData); the store keeps only hashes and names.
import { addImageFile } from '../../client/images';
import { toShownError, type ShownError } from '../../client/errors';
import { attachedFromStored, withImage, type AttachedImage } from './imagePrompt';

export interface ImageFieldsState {
  /** Attached to the user message, in order. */
  images: AttachedImage[];
  /** `{{image:name}}` values by name; kept when the name leaves the text, like typed variables. */
  imageSlots: Record<string, AttachedImage>;
  /** Files being stored right now. */
  attaching: number;
  imageError: ShownError | null;
}

export interface ImageFieldsActions {
  attachFiles(files: readonly File[]): Promise<void>;
  removeImage(hash: string): void;
  fillImageSlot(name: string, file: File): Promise<void>;
  clearImageSlot(name: string): void;
  dismissImageError(): void;
  setImages(images: AttachedImage[], slots?: Record<string, AttachedImage>): void;
}

export const emptyImageFields = (): ImageFieldsState => ({ images: [], imageSlots: {}, attaching: 0, imageError: null });

type Setter = (partial: Partial<ImageFieldsState> | ((s: ImageFieldsState) => Partial<ImageFieldsState>)) => void;

export function imageFieldsActions(set: Setter): ImageFieldsActions {
  // One file at a time, in the order given: the thumbnails keep the order the person chose.
  const store = async (file: File): Promise<AttachedImage | null> => {
    set((s) => ({ attaching: s.attaching + 1 }));
    try {
      return attachedFromStored(await addImageFile(file));
    } catch (error) {
      set({ imageError: toShownError(error) });
      return null;
    } finally {
      set((s) => ({ attaching: s.attaching - 1 }));
    }
  };
  return {
    async attachFiles(files) {
      set({ imageError: null });
      for (const file of files) {
        const image = await store(file);
        if (!image) continue;
        set((s) => {
          const next = withImage(s.images, image);
          return next.error ? { images: next.images, imageError: { code: 'BAD_INPUT', message: next.error } } : { images: next.images };
        });
      }
    },
    removeImage(hash) {
      set((s) => ({ images: s.images.filter((i) => i.hash !== hash) }));
    },
    async fillImageSlot(name, file) {
      set({ imageError: null });
      const image = await store(file);
      if (image) set((s) => ({ imageSlots: { ...s.imageSlots, [name]: image } }));
    },
    clearImageSlot(name) {
      set((s) => {
        const next = { ...s.imageSlots };
        delete next[name];
        return { imageSlots: next };
      });
    },
    dismissImageError() {
      set({ imageError: null });
    },
    setImages(images, slots) {
      set((s) => ({ images, imageSlots: slots ?? s.imageSlots, imageError: null }));
    },
  };
}

/** Image files among a drop's or a paste's items (a paste of text carries none). */
export function imageFilesOf(list: FileList | DataTransferItemList | null | undefined): File[] {
  if (!list) return [];
  const out: File[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!entry) continue;
    const file = entry instanceof File ? entry : entry.kind === 'file' ? entry.getAsFile() : null;
    if (file) out.push(file);
  }
  return out;
}
