import { describe, expect, it } from 'vitest';
import { appWebPreferences, assertSecureWebPreferences, webPreferencesViolations, webviewAttachDecision } from './webPreferences';

const prefs = appWebPreferences('/opt/Lamplight/resources/app.asar/out/preload/index.cjs', { devTools: false });

describe("the window's webPreferences", () => {
  it('are isolated, sandboxed, without Node and with web security on', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(webPreferencesViolations({ ...prefs })).toEqual([]);
    expect(() => assertSecureWebPreferences({ ...prefs })).not.toThrow();
  });

  it.each([
    ['contextIsolation', false],
    ['sandbox', false],
    ['nodeIntegration', true],
    ['nodeIntegrationInWorker', true],
    ['nodeIntegrationInSubFrames', true],
    ['webSecurity', false],
    ['allowRunningInsecureContent', true],
    ['experimentalFeatures', true],
    ['enableBlinkFeatures', 'ExecCommandInJavaScript'],
    ['webviewTag', true],
    ['preload', 'relative/preload.js'],
  ])('a window with %s = %s is refused, naming the setting', (key, value) => {
    expect(webPreferencesViolations({ ...prefs, [key]: value })).toEqual([expect.stringContaining(key)]);
    expect(() => assertSecureWebPreferences({ ...prefs, [key]: value })).toThrow(new RegExp(`weakened webPreferences: ${key}`));
  });

  it('an empty preferences object is refused: isolation and sandbox must be explicit', () => {
    const bad = webPreferencesViolations({});
    expect(bad.map((b) => b.split(' ')[0])).toEqual(['contextIsolation', 'sandbox', 'nodeIntegration']);
  });
});

describe('webviewAttachDecision', () => {
  it('refuses every <webview>, and says what a hostile one asked for', () => {
    const d = webviewAttachDecision({ nodeIntegration: true, contextIsolation: false }, { src: 'https://evil.example/', allowpopups: 'true' });
    expect(d.allow).toBe(false);
    expect(d.reason).toMatch(/https:\/\/evil\.example\//);
    expect(d.reason).toMatch(/nodeIntegration/);
    expect(d.reason).toMatch(/contextIsolation/);
    expect(d.reason).toMatch(/allowpopups/);
  });

  it('refuses even a harmless-looking one', () => {
    expect(webviewAttachDecision({ ...prefs }, { src: 'lamplight://app/index.html' }).allow).toBe(false);
  });
});
