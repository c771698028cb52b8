import { describe, expect, it } from 'vitest';
import { checkIpcSender } from './ipcSender';
import { appUrlCheck } from './urls';

const isApp = appUrlCheck();
const good = { frameUrl: 'lamplight://app/index.html', isMainFrame: true, fromAppWindow: true };

describe('checkIpcSender', () => {
  it("accepts the app's own top-level page in its window", () => {
    expect(checkIpcSender(good, isApp)).toEqual({ ok: true });
  });

  it('refuses a subframe, even one showing the app', () => {
    expect(checkIpcSender({ ...good, isMainFrame: false }, isApp)).toEqual({ ok: false, reason: expect.stringMatching(/subframe/) });
  });

  it('refuses another window or webContents', () => {
    expect(checkIpcSender({ ...good, fromAppWindow: false }, isApp)).toEqual({ ok: false, reason: expect.stringMatching(/Lamplight window/) });
  });

  it('refuses a frame that is gone', () => {
    expect(checkIpcSender({ ...good, frameUrl: null }, isApp).ok).toBe(false);
    expect(checkIpcSender({ ...good, frameUrl: undefined }, isApp).ok).toBe(false);
  });

  it.each(['https://evil.example/', 'http://127.0.0.1:5173/', 'file:///tmp/index.html', 'data:text/html,x', 'lamplight://evil/index.html', 'about:blank'])(
    'refuses a main frame at %s',
    (frameUrl) => {
      expect(checkIpcSender({ ...good, frameUrl }, isApp)).toEqual({ ok: false, reason: expect.stringMatching(/not Lamplight's own page/) });
    },
  );

  it('in development accepts the dev server page and nothing else', () => {
    const dev = appUrlCheck('http://127.0.0.1:5173');
    expect(checkIpcSender({ ...good, frameUrl: 'http://127.0.0.1:5173/' }, dev)).toEqual({ ok: true });
    expect(checkIpcSender(good, dev).ok).toBe(false);
  });
});
