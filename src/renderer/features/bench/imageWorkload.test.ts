import { describe, expect, it } from 'vitest';
import { Workload } from '../../../shared/bench.schema';
import { emptyImageWorkload, imageWorkloadFromForm } from './imageWorkload';

describe('image workload form', () => {
  it('generated images: count, size and k per request become a workload the contract accepts', () => {
    const r = imageWorkloadFromForm({ ...emptyImageWorkload(), imageCount: '4', imageWidth: '1280', imageHeight: '720', imagePattern: 'noise', imagesPerRequest: '2' }, 32);
    expect(r).toEqual({
      ok: true,
      workload: { kind: 'images', images: { kind: 'generated', count: 4, width: 1280, height: 720, pattern: 'noise' }, perRequest: 2, prompt: 'Describe the image in one sentence.', outputLen: 32 },
    });
    expect(Workload.safeParse(r.ok ? r.workload : null).success).toBe(true);
  });

  it('names the field at fault', () => {
    expect(imageWorkloadFromForm({ ...emptyImageWorkload(), imageWidth: '8' }, 1)).toEqual({ ok: false, message: 'Width: “8” is not a whole number from 16 to 4096.' });
    expect(imageWorkloadFromForm({ ...emptyImageWorkload(), imagesPerRequest: '17' }, 1)).toMatchObject({ ok: false, message: expect.stringContaining('Images per request') });
    expect(imageWorkloadFromForm({ ...emptyImageWorkload(), imageSource: 'testset' }, 1)).toEqual({ ok: false, message: 'Choose a test set and its image column.' });
    expect(imageWorkloadFromForm({ ...emptyImageWorkload(), imagePrompt: ' ' }, 1)).toMatchObject({ ok: false });
  });
});
