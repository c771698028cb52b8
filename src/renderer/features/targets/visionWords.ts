// What a check said about a model and images, in the words the Targets view uses. Pure.
export function visionWords(vision: boolean | null | undefined): string {
  if (vision === true) return 'takes images (detected)';
  if (vision === false) return 'text only (detected)';
  return 'not said (auto treats it as text only)';
}
