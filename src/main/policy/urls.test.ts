import { describe, expect, it } from 'vitest';
import { appUrlCheck, externalUrlToOpen, navigationDecision, windowOpenDecision } from './urls';

const packaged = appUrlCheck();

describe('appUrlCheck (packaged: lamplight://app)', () => {
  it("accepts the app's own pages", () => {
    expect(packaged('lamplight://app/index.html')).toBe(true);
    expect(packaged('lamplight://app/')).toBe(true);
    expect(packaged('lamplight://app/index.html?x=1#/prompts')).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://evil.example/',
    'https://app/',
    'lamplight://evil/index.html',
    'lamplight://app.evil/index.html',
    'lamplight://app:8080/index.html',
    'lamplight://app@evil/index.html',
    'lamplight://user:pw@app/index.html',
    'lamplight:app/index.html',
    'lamplight://../etc/passwd',
    'app://../index.html',
    'about:blank',
    '',
    'not a url',
  ])('refuses %s', (url) => {
    expect(packaged(url)).toBe(false);
  });
});

describe('appUrlCheck (dev server)', () => {
  const dev = appUrlCheck('http://localhost:5173/');
  it('accepts the dev server origin only', () => {
    expect(dev('http://localhost:5173/index.html')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://localhost:5173.evil.example/')).toBe(false);
    expect(dev('https://localhost:5173/')).toBe(false);
    expect(dev('lamplight://app/index.html')).toBe(false);
  });

  it('refuses a dev URL that is not http(s) on loopback, naming it', () => {
    expect(() => appUrlCheck('http://evil.example:5173/')).toThrow(/on this machine.*evil\.example/);
    expect(() => appUrlCheck('file:///tmp/index.html')).toThrow(/must be an http\(s\) URL/);
    expect(() => appUrlCheck('nonsense')).toThrow(/not a URL/);
  });

  it('an opaque-origin dev URL could never match data: or javascript: pages', () => {
    // Regression: origin "null" === "null" would have let every data:/javascript: URL in.
    expect(() => appUrlCheck('data:text/html,hi')).toThrow();
  });
});

describe('externalUrlToOpen (shell.openExternal)', () => {
  it('passes plain https links, normalised', () => {
    expect(externalUrlToOpen('https://node-llama-cpp.withcat.ai/guide')).toBe('https://node-llama-cpp.withcat.ai/guide');
    expect(externalUrlToOpen('HTTPS://Example.COM')).toBe('https://example.com/');
  });

  it.each([
    'http://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,x',
    'smb://evil/share',
    'ms-msdt:/id PCWDiagnostic',
    'lamplight://app/index.html',
    'https://user:pw@example.com/',
    `https://example.com/${'a'.repeat(3000)}`,
    'not a url',
  ])('refuses %s', (url) => {
    expect(externalUrlToOpen(url)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(externalUrlToOpen(undefined)).toBeNull();
    expect(externalUrlToOpen({ toString: () => 'https://example.com' })).toBeNull();
  });
});

describe('navigationDecision and windowOpenDecision', () => {
  it("lets the app's page navigate within itself", () => {
    expect(navigationDecision('lamplight://app/index.html#/datasets', packaged)).toEqual({ allow: true });
  });

  it('stops navigation away, sending only https links to the system browser', () => {
    expect(navigationDecision('https://github.com/', packaged)).toEqual({ allow: false, openExternal: 'https://github.com/' });
    expect(navigationDecision('http://evil.example/', packaged)).toEqual({ allow: false, openExternal: null });
    expect(navigationDecision('file:///etc/passwd', packaged)).toEqual({ allow: false, openExternal: null });
    expect(navigationDecision('javascript:alert(1)', packaged)).toEqual({ allow: false, openExternal: null });
  });

  it('never opens a new window, even for the app itself', () => {
    expect(windowOpenDecision('lamplight://app/index.html')).toEqual({ action: 'deny', openExternal: null });
    expect(windowOpenDecision('https://example.com/')).toEqual({ action: 'deny', openExternal: 'https://example.com/' });
    expect(windowOpenDecision('data:text/html,x')).toEqual({ action: 'deny', openExternal: null });
  });
});
