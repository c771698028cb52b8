import { memo } from 'react';
import Markdown, { type Components } from 'react-markdown';

// Model output is untrusted. No raw HTML (skipHtml, and no rehype-raw), no images fetched (alt text only),
// no links followed (text plus the address, nothing clickable).
const components: Components = {
  img: ({ alt, src }) => (
    <span className="md-image" title={typeof src === 'string' ? src : undefined}>
      [image{alt ? `: ${alt}` : ''}]
    </span>
  ),
  a: ({ children, href }) => (
    <span className="md-link" title={href}>
      {children}
      {href && href !== childText(children) ? <span className="md-href"> ⟨{href}⟩</span> : null}
    </span>
  ),
};

function childText(children: React.ReactNode): string {
  if (typeof children === 'string') return children;
  if (Array.isArray(children)) return children.map(childText).join('');
  return '';
}

function SafeMarkdownImpl({ text }: { text: string }): React.JSX.Element {
  return (
    <Markdown skipHtml components={components}>
      {text}
    </Markdown>
  );
}

export const SafeMarkdown = memo(SafeMarkdownImpl);
