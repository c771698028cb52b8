import type { View } from './views';
import { VIEWS } from './views';

interface Props {
  view: View;
  onChange: (view: View) => void;
  footer: React.ReactNode;
}

const ICONS: Record<View, React.JSX.Element> = {
  models: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M8 1.5 14 4.5v7L8 14.5 2 11.5v-7z M2 4.5 8 7.5l6-3 M8 7.5v7" />
    </svg>
  ),
  playground: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 3.5h11v9h-11z M5 6.5l2 1.5-2 1.5 M8.5 10h2.5" />
    </svg>
  ),
  history: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7 M2.5 2.5v3.5H6 M8 5v3.2l2.2 1.4" />
    </svg>
  ),
};

export function Nav({ view, onChange, footer }: Props): React.JSX.Element {
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden />
        <span className="brand-name">Lamplight</span>
      </div>
      <ul className="nav-list">
        {VIEWS.map((v, i) => (
          <li key={v.id}>
            <button
              type="button"
              className={v.id === view ? 'nav-item active' : 'nav-item'}
              data-testid={`nav-${v.id}`}
              aria-current={v.id === view ? 'page' : undefined}
              title={`${v.label} (Ctrl+${i + 1})`}
              onClick={() => onChange(v.id)}
            >
              {ICONS[v.id]}
              <span>{v.label}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="nav-footer">{footer}</div>
    </nav>
  );
}
