import { useEffect, useState } from 'react';
import { invokeImages } from '../../client/images';
import { toShownError } from '../../client/errors';
import { formatBytes } from '../../ui/format';
import { imageTokenTotal } from '../../ui/images/imagePrompt';
import { Thumbnail } from '../../ui/images/Thumbnail';
import type { RenderedPrompt } from '../../../shared/runs.schema';
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
  const acceptance = useImageAcceptance();
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
