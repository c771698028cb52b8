import { useEffect } from 'react';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatCount } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { MissingVariables } from '../../ui/prompt/MissingVariables';
import { localModelId, usePlaygroundStore } from './playground.store';
import { RenderedImages } from './RenderedImages';
import { missingImagesMessage } from '../../ui/images/imagePrompt';

const DEBOUNCE_MS = 250;

/** The exact text the model will see after the chat template, its token count and missing variables. */
export function RenderedPromptPanel(): React.JSX.Element {
  const systemPrompt = usePlaygroundStore((s) => s.systemPrompt);
  const userMessage = usePlaygroundStore((s) => s.userMessage);
  const variables = usePlaygroundStore((s) => s.variables);
  const images = usePlaygroundStore((s) => s.images);
  const imageSlots = usePlaygroundStore((s) => s.imageSlots);
  const modelId = usePlaygroundStore((s) => localModelId(s.target));
  const remote = usePlaygroundStore((s) => s.target?.kind === 'remote');
  const remoteKey = usePlaygroundStore((s) => (s.target?.kind === 'remote' ? `${s.target.targetId}:${s.target.model}` : ''));
  const rendered = usePlaygroundStore((s) => s.rendered);
  const renderError = usePlaygroundStore((s) => s.renderError);
  const render = usePlaygroundStore((s) => s.render);
  // Token counts need a loaded model, so a load or unload re-renders too.
  const engineKey = useEngineStore((s) => (s.status ? `${s.status.state}:${s.status.modelId ?? ''}` : ''));

  useEffect(() => {
    const t = setTimeout(() => void render(), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [systemPrompt, userMessage, variables, images, imageSlots, modelId, remoteKey, engineKey, render]);

  const missing = rendered?.missingVariables ?? [];
  const missingImages = missingImagesMessage(rendered?.missingImages ?? []);
  return (
    <section className="panel-section rendered">
      <div className="block-label">
        <span>Rendered prompt</span>
        <span className="token-count num" data-testid="token-count" title={remote ? 'The remote server counts its own tokens' : (rendered?.note ?? undefined)}>
          {rendered?.tokenCount != null && !remote ? `${formatCount(rendered.tokenCount)} tokens` : '— tokens'}
        </span>
      </div>
      <MissingVariables missing={missing} />
      {missingImages ? <div className="hint text-warn">{missingImages}</div> : null}
      {remote ? (
        <div className="hint">A remote server applies its own chat template; it receives the system and user messages as shown before templating.</div>
      ) : rendered?.note && rendered.tokenCount == null ? (
        <div className="hint">{rendered.note}</div>
      ) : null}
      <ErrorNote error={renderError} title="Could not render the prompt" />
      <pre className="rendered-text mono" data-testid="rendered-prompt">
        {rendered?.text ?? ''}
      </pre>
      <RenderedImages rendered={rendered} />
    </section>
  );
}
