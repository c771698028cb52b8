import { useEffect, useState } from 'react';
import { api } from '../../client/bridge';
import { invokeImages } from '../../client/images';
import { toShownError } from '../../client/errors';
import { formatBytes } from '../../ui/format';
import { imageTokenTotal } from '../../ui/images/imagePrompt';
import { Thumbnail } from '../../ui/images/Thumbnail';
import type { ImagePreview } from '../../../shared/guard.schema';
import type { RenderedPrompt } from '../../../shared/runs.schema';
import { GuardPreviewCache, regionsLine } from './guardPreviewCache';
import { useImageAcceptance } from './PlaygroundImages';
import { usePlaygroundStore } from './playground.store';
import '../../ui/images/images.css';

type ImagePart = Extract<NonNullable<RenderedPrompt['parts']>[number], { kind: 'image' }>;

/**
 * The image parts of the request in the order they are sent, each with its token estimate, the total, and
 * for a remote target what will actually leave (images.preview under the target's pixel budget).
 */
export function RenderedImages({ rendered }: { rendered: RenderedPrompt | null }): React.JSX.Element | null {
  const remote = usePlaygroundStore((s) => s.target?.kind === 'remote');
  const targetId = usePlaygroundStore((s) => (s.target?.kind === 'remote' ? s.target.targetId : null));
  const acceptance = useImageAcceptance();
  // A fresh Playground asks again: the image policy may have changed in Guardrails meanwhile.
  useState(() => previews.clear());
  const parts = (rendered?.parts ?? []).filter((p): p is ImagePart => p.kind === 'image');
  if (parts.length === 0) return null;
  const total = rendered?.imageTokens ?? imageTokenTotal(rendered?.parts);
  const budget = remote && acceptance.ok ? acceptance.maxPixels : null;
  return (
    <div className="rendered-images" data-testid="rendered-images">
      <div className="hint">
        {parts.length === 1 ? '1 image' : `${parts.length} images`} in the user message
        {total != null ? (
          <>
            {' · '}
            <span className="num" data-testid="rendered-image-tokens">
              ≈{total.toLocaleString('en-US')} image tokens
            </span>
          </>
        ) : null}
      </div>
      <ol className="img-parts">
        {parts.map((p, i) => (
          <li key={`${p.hash}-${i}`} className="img-part" data-testid="rendered-image-part">
            <Thumbnail hash={p.hash} name={p.name} size={96} className="img-thumb img-thumb-small" />
            <span className="img-meta">
              <span className="img-name mono" title={p.name}>
                {p.name}
              </span>
              <span className="muted num">{p.estTokens != null ? `≈${p.estTokens.toLocaleString('en-US')} tokens` : 'tokens unknown'}</span>
              {budget != null ? <SentAs hash={p.hash} maxPixels={budget} /> : null}
            </span>
            {targetId != null ? <GuardedImage hash={p.hash} targetId={targetId} /> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** What the remote target will receive for one image: its size after preparation, and whether it was downscaled. */
function SentAs({ hash, maxPixels }: { hash: string; maxPixels: number }): React.JSX.Element {
  const [text, setText] = useState<string>('preparing…');
  useEffect(() => {
    let live = true;
    invokeImages('images.preview', { hash, maxPixels }).then(
      (p) => live && setText(`${p.downscaled ? 'downscaled to' : 'sent as'} ${p.width}×${p.height} · ${formatBytes(p.bytes)}`),
      (e: unknown) => live && setText(`cannot prepare: ${toShownError(e).message}`),
    );
    return () => {
      live = false;
    };
  }, [hash, maxPixels]);
  return (
    <span className="muted" data-testid="rendered-image-sent">
      {text}
    </span>
  );
}

const previews = new GuardPreviewCache((hash, targetId) => api.invoke('guard.previewImage', { hash, targetId }));

type Shown = { state: 'pending' } | { state: 'done'; preview: ImagePreview } | { state: 'error'; message: string };

/**
 * What the image policy does to this image before it leaves for the remote target: the redacted image with
 * the painted regions counted, a refusal, or nothing extra when it is sent as prepared. OCR runs in the core
 * (a second or two); until it answers this shows a pending line and the editor stays live.
 */
function GuardedImage({ hash, targetId }: { hash: string; targetId: string }): React.JSX.Element | null {
  const [shown, setShown] = useState<Shown>({ state: 'pending' });
  useEffect(() => {
    let live = true;
    setShown({ state: 'pending' });
    previews.get(hash, targetId).then(
      (preview) => live && setShown({ state: 'done', preview }),
      (e: unknown) => live && setShown({ state: 'error', message: toShownError(e).message }),
    );
    return () => {
      live = false;
    };
  }, [hash, targetId]);
  if (shown.state === 'pending') {
    return (
      <span className="muted img-guard" data-testid="image-guard-pending">
        checking the image policy (reading text in the image)…
      </span>
    );
  }
  if (shown.state === 'error') {
    return (
      <span className="field-error img-guard" data-testid="image-guard-error">
        image policy check failed: {shown.message}
      </span>
    );
  }
  const { preview } = shown;
  if (preview.action === 'allow') return null;
  if (preview.action === 'block') {
    return (
      <span className="field-error img-guard" data-testid="image-guard-blocked">
        The image policy blocks images to this target: the request will be refused.
      </span>
    );
  }
  return (
    <span className="img-guard" data-testid="image-guard-redacted">
      <img src={preview.dataUrl} alt="as it will be sent (redacted)" className="img-guard-preview" data-testid="image-guard-redacted-img" />
      <span className="muted" data-testid="image-guard-regions">
        Redacted before sending · {regionsLine(preview.counts)}
      </span>
    </span>
  );
}
