// A component test in plain node: rendered to a string with react-dom/server, no DOM needed. It also proves
// vitest picks up *.test.tsx files (vitest.config.ts include).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ProgressBar } from './ProgressBar';

describe('ProgressBar', () => {
  it('shows its label and the percentage, clamped, with the ARIA value', () => {
    const html = renderToStaticMarkup(<ProgressBar value={1.4} label="Importing rows" testId="bar" />);
    expect(html).toContain('<span>Importing rows</span>');
    expect(html).toContain('aria-valuenow="100"');
    expect(html).toContain('>100%</span>');
    expect(html).toContain('data-testid="bar"');
  });

  it('is indeterminate without a value', () => {
    const html = renderToStaticMarkup(<ProgressBar value={null} />);
    expect(html).toContain('progress-fill indeterminate');
    expect(html).not.toContain('aria-valuenow');
  });
});
