import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SafeMarkdown } from './SafeMarkdown';

const html = (text: string): string => renderToStaticMarkup(createElement(SafeMarkdown, { text }));

describe('SafeMarkdown', () => {
  it('renders ordinary markdown', () => {
    expect(html('**bold** and `code`')).toContain('<strong>bold</strong>');
    expect(html('**bold** and `code`')).toContain('<code>code</code>');
  });
  it('drops raw HTML', () => {
    const out = html('hi <img src=x onerror="alert(1)"> <script>alert(2)</script> <b>b</b>');
    expect(out).not.toMatch(/<img|<script|onerror|<b>/);
  });
  it('never loads images: alt text only', () => {
    const out = html('![a cat](https://example.com/cat.png)');
    expect(out).not.toContain('<img');
    expect(out).toContain('[image: a cat]');
  });
  it('never renders clickable links', () => {
    const out = html('[docs](https://example.com) and [x](javascript:alert(1))');
    expect(out).not.toContain('<a');
    expect(out).toContain('docs');
    expect(out).not.toContain('javascript:');
  });
});
