import { navSections, shortcutLabel, type View, type VIEWS } from './views';

// Cmd on a Mac, Ctrl elsewhere (App.tsx accepts both).
const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

interface Props {
  /** The views this session may use, in order. */
  views: readonly (typeof VIEWS)[number][];
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
  prompts: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M4 2.5h6l2.5 2.5v8.5H4z M10 2.5V5h2.5 M6 7.5h4.5 M6 9.75h4.5 M6 12h2.5" />
    </svg>
  ),
  history: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7 M2.5 2.5v3.5H6 M8 5v3.2l2.2 1.4" />
    </svg>
  ),
  compare: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 3h4.5v10H2.5z M9 3h4.5v10H9z M4 6h1.5 M4 8.5h1.5 M10.5 6h1.5 M10.5 8.5h1.5" />
    </svg>
  ),
  testsets: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 3h11v10h-11z M2.5 6h11 M2.5 9.5h11 M6.5 3v10" />
    </svg>
  ),
  evals: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 13.5h11 M4 13.5V9 M7 13.5V5.5 M10 13.5V8 M12.5 3.5l-2 2-1-1" />
    </svg>
  ),
  team: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M5.5 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4z M11 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4z M1.5 13c0-2.2 1.8-4 4-4s4 1.8 4 4 M9.5 9.2c.5-.1 1-.2 1.5-.2 2.2 0 4 1.8 4 4" />
    </svg>
  ),
  datasets: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M3 3.5c0-1 10-1 10 0v9c0 1-10 1-10 0z M3 3.5c0 1 10 1 10 0 M3 6.5c0 1 10 1 10 0 M3 9.5c0 1 10 1 10 0" />
    </svg>
  ),
  training: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 13.5h11 M3 11l3-3.5 2.5 2 4.5-6 M10.5 3.5H13V6" />
    </svg>
  ),
  extraction: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M3.5 1.5h6l3 3v10h-9z M5.5 7h5 M5.5 9.5h5 M5.5 12h3" />
    </svg>
  ),
  bench: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 13.5h11 M2.5 13.5V2.5 M4.5 11c2-5 4-6.5 8.5-7.5 M9 13.5v-2 M11.5 13.5v-3.5" />
    </svg>
  ),
  targets: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M2.5 3.5h11v3.5h-11z M2.5 9h11v3.5h-11z M4.5 5.25h.01 M4.5 10.75h.01 M7 5.25h4.5 M7 10.75h4.5" />
    </svg>
  ),
  guard: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M8 1.8 13 3.6v4c0 3.1-2.1 5.4-5 6.6-2.9-1.2-5-3.5-5-6.6v-4z M5.8 8l1.6 1.6 2.9-3.1" />
    </svg>
  ),
  audit: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M4 2.5h8v11H4z M6 5h4 M6 7.5h4 M6 10h2 M9.5 11.5l1 1 2-2.2" />
    </svg>
  ),
  settings: (
    <svg viewBox="0 0 16 16" aria-hidden>
      <path d="M3 4.5h10 M3 8h10 M3 11.5h10 M5.5 3v3 M10.5 6.5v3 M7 10v3" />
    </svg>
  ),
};

export function Nav({ views, view, onChange, footer }: Props): React.JSX.Element {
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden />
        <span className="brand-name">Lamplight</span>
      </div>
      <div className="nav-sections">
        {navSections(views).map((section) => (
          <div key={section.id} className="nav-section" role="group" aria-label={section.label ?? 'Other'} data-testid={`nav-group-${section.id}`}>
            {section.label ? <div className="nav-group-label">{section.label}</div> : null}
            <ul className="nav-list">
              {section.views.map((v) => {
                const keys = shortcutLabel(v.shortcut, MAC);
                return (
                  <li key={v.id}>
                    <button
                      type="button"
                      className={v.id === view ? 'nav-item active' : 'nav-item'}
                      data-testid={`nav-${v.id}`}
                      aria-current={v.id === view ? 'page' : undefined}
                      aria-keyshortcuts={v.shortcut === null ? undefined : `${MAC ? 'Meta' : 'Control'}+${v.shortcut}`}
                      title={keys === null ? `${v.label}: ${v.subtitle}` : `${v.label} (${keys}): ${v.subtitle}`}
                      onClick={() => onChange(v.id)}
                    >
                      {ICONS[v.id]}
                      <span className="nav-item-label">{v.label}</span>
                      {keys ? <kbd className="nav-kbd" aria-hidden>{keys}</kbd> : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </div>
      <div className="nav-footer">{footer}</div>
    </nav>
  );
}
