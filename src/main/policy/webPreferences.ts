// The window's webPreferences, spelled out even where they equal Electron's defaults, and a checker that
// names every setting that would weaken them (run before each window is created, and on webview attempts).
import { isAbsolute } from 'node:path';

export interface AppWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
  devTools: boolean;
}

export function appWebPreferences(preload: string, opts: { devTools: boolean }): AppWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped on the window would otherwise replace the app's page with file://…
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  };
}

type Rule = [key: string, ok: (v: unknown) => boolean, why: string];
const RULES: Rule[] = [
  ['contextIsolation', (v) => v === true, 'must be true: the preload and the page must not share globals'],
  ['sandbox', (v) => v === true, 'must be true: the renderer runs in the OS sandbox'],
  ['nodeIntegration', (v) => v === false, 'must be false: page scripts must not reach Node'],
  ['nodeIntegrationInWorker', (v) => v !== true, 'must not be true: workers must not reach Node'],
  ['nodeIntegrationInSubFrames', (v) => v !== true, 'must not be true: frames must not reach Node'],
  ['webSecurity', (v) => v !== false, 'must not be false: it turns off the same-origin policy'],
  ['allowRunningInsecureContent', (v) => v !== true, 'must not be true: no http content in the app'],
  ['experimentalFeatures', (v) => v !== true, 'must not be true: untested Chromium features'],
  ['enableBlinkFeatures', (v) => v === undefined || v === '', 'must be unset: no features Chromium keeps off'],
  ['webviewTag', (v) => v !== true, 'must not be true: Lamplight embeds no <webview>'],
  ['preload', (v) => v === undefined || (typeof v === 'string' && isAbsolute(v)), 'must be an absolute path to the app’s own preload'],
];

/** Each weakened setting as "name: reason"; empty when the preferences are as strict as the app's own. */
export function webPreferencesViolations(prefs: Record<string, unknown>): string[] {
  return RULES.filter(([key, ok]) => !ok(prefs[key])).map(([key, , why]) => `${key} ${why} (got ${JSON.stringify(prefs[key])})`);
}

export function assertSecureWebPreferences(prefs: Record<string, unknown>): void {
  const bad = webPreferencesViolations(prefs);
  if (bad.length) throw new Error(`Refusing to open a window with weakened webPreferences: ${bad.join('; ')}`);
}

/**
 * will-attach-webview: Lamplight shows no <webview>, so every one is refused, whatever its options
 * (allowpopups, nodeintegration, a preload) — the violations are reported so a log says what was tried.
 */
export function webviewAttachDecision(
  webPreferences: Record<string, unknown>,
  params: Record<string, unknown>,
): { allow: false; reason: string } {
  const tried = webPreferencesViolations(webPreferences);
  if (params.allowpopups !== undefined && params.allowpopups !== false) tried.push('allowpopups');
  const src = typeof params.src === 'string' ? params.src : '(no src)';
  return { allow: false, reason: `a <webview> for ${src} was refused: Lamplight uses none${tried.length ? ` (it asked for: ${tried.join('; ')})` : ''}` };
}
