import { useBenchStore, type BenchForm as Form } from './bench.store';

/** The image workload's fields: generated images (count, size, pattern) or a test set's image column; k per request. */
export function BenchImageFields(): React.JSX.Element {
  const form = useBenchStore((s) => s.form);
  const testSets = useBenchStore((s) => s.testSets);
  const st = useBenchStore.getState();
  const withImages = testSets.filter((t) => (t.imageVariables ?? []).length > 0);
  const columns = testSets.find((t) => t.id === form.imageTestSetId)?.imageVariables ?? [];
  const field = (key: keyof Form, label: string, testId: string, unit?: string): React.JSX.Element => (
    <label className="bn-num">
      <span className="muted">{label}</span>
      <span className="inline-form">
        <input className="input bn-narrow" data-testid={testId} inputMode="numeric" value={String(form[key])} onChange={(e) => st.setForm({ [key]: e.target.value } as Partial<Form>)} />
        {unit ? <span className="muted">{unit}</span> : null}
      </span>
    </label>
  );
  return (
    <div className="bn-stack" data-testid="bench-image-fields">
      <div className="segmented" role="radiogroup" aria-label="Images from">
        {(['generated', 'testset'] as const).map((k) => (
          <button key={k} type="button" role="radio" aria-checked={form.imageSource === k} className={form.imageSource === k ? 'on' : ''} data-testid={`bench-image-source-${k}`} onClick={() => st.setForm({ imageSource: k })}>
            {k === 'generated' ? 'Generated' : 'Test set column'}
          </button>
        ))}
      </div>
      <div className="bn-row">
        {form.imageSource === 'generated' ? (
          <>
            {field('imageCount', 'Images', 'bench-image-count')}
            {field('imageWidth', 'Width', 'bench-image-width', 'px')}
            {field('imageHeight', 'Height', 'bench-image-height', 'px')}
            <label className="bn-num">
              <span className="muted">Pattern</span>
              <select className="input" data-testid="bench-image-pattern" value={form.imagePattern} onChange={(e) => st.setForm({ imagePattern: e.target.value as Form['imagePattern'] })}>
                <option value="gradient">gradient</option>
                <option value="noise">noise (worst case)</option>
              </select>
            </label>
          </>
        ) : (
          <>
            <select className="input" aria-label="Test set with images" data-testid="bench-image-testset" value={form.imageTestSetId} onChange={(e) => st.setForm({ imageTestSetId: e.target.value, imageColumn: testSets.find((t) => t.id === e.target.value)?.imageVariables?.[0] ?? '' })}>
              <option value="">{withImages.length ? 'Choose a test set…' : 'No test set has an image column'}</option>
              {withImages.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.rowCount} rows)
                </option>
              ))}
            </select>
            <select className="input" aria-label="Image column" data-testid="bench-image-column" value={form.imageColumn} disabled={!columns.length} onChange={(e) => st.setForm({ imageColumn: e.target.value })}>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </>
        )}
        {field('imagesPerRequest', 'Per request', 'bench-images-per-request', 'images')}
      </div>
      <label className="bn-field-inline">
        <span className="muted">Prompt</span>
        <input className="input grow" data-testid="bench-image-prompt" value={form.imagePrompt} onChange={(e) => st.setForm({ imagePrompt: e.target.value })} />
      </label>
      <p className="hint">
        {form.imageSource === 'generated' ? 'Generated images are made from a seed, so every run sends the same bytes. ' : 'The rows’ images in order, as stored. '}
        Request i carries images i·k to i·k+k−1, cycling.
      </p>
    </div>
  );
}
