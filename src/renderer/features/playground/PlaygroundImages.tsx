// The Playground's image pieces: attachments, `{{image:name}}` slots, and whether the chosen target takes images.
import { useTargetsStore } from '../../client/targets.store';
import { ImageAttachments } from '../../ui/images/ImageAttachments';
import { extractImageVariables, imageAcceptance, type Acceptance } from '../../ui/images/imagePrompt';
import { ImageSlots } from '../../ui/images/ImageSlots';
import type { RunTarget } from '../../../shared/runs.schema';
import { usePlaygroundStore } from './playground.store';

/** Whether a target takes images, from the targets' settings and their last check. */
export function acceptanceOf(target: RunTarget | null, s: Pick<ReturnType<typeof useTargetsStore.getState>, 'targets' | 'checks'>): Acceptance {
  const targetId = target?.kind === 'remote' ? target.targetId : null;
  return imageAcceptance(target, s.targets.find((t) => t.id === targetId), targetId ? s.checks[targetId] : undefined);
}

export function useImageAcceptance(): Acceptance {
  const target = usePlaygroundStore((s) => s.target);
  const targets = useTargetsStore((s) => s.targets);
  const checks = useTargetsStore((s) => s.checks);
  return acceptanceOf(target, { targets, checks });
}

/** Images in the draft (attached or in filled slots the texts name), for the Run button's check. */
export function useHasImages(): boolean {
  return usePlaygroundStore((s) => s.images.length > 0 || extractImageVariables(s.userMessage).some((n) => s.imageSlots[n]));
}

export function PlaygroundAttachments(): React.JSX.Element {
  const images = usePlaygroundStore((s) => s.images);
  const attaching = usePlaygroundStore((s) => s.attaching);
  const error = usePlaygroundStore((s) => s.imageError);
  const attachFiles = usePlaygroundStore((s) => s.attachFiles);
  const removeImage = usePlaygroundStore((s) => s.removeImage);
  const dismiss = usePlaygroundStore((s) => s.dismissImageError);
  return (
    <ImageAttachments
      images={images}
      attaching={attaching}
      error={error}
      onFiles={(files) => void attachFiles(files)}
      onRemove={removeImage}
      onDismissError={dismiss}
    />
  );
}

export function PlaygroundImageSlots(): React.JSX.Element | null {
  const userMessage = usePlaygroundStore((s) => s.userMessage);
  const slots = usePlaygroundStore((s) => s.imageSlots);
  const fill = usePlaygroundStore((s) => s.fillImageSlot);
  const clear = usePlaygroundStore((s) => s.clearImageSlot);
  return <ImageSlots names={extractImageVariables(userMessage)} slots={slots} onFill={(n, f) => void fill(n, f)} onClear={clear} />;
}
