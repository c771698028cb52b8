// Who may call the core over IPC: only the app's own top-level page in the app's window. Any frame can
// send IPC in principle (iframes, a page navigated elsewhere), so every call is checked, not just the first.

export interface IpcSenderFacts {
  /** event.senderFrame?.url; null when the frame is gone (navigated away or destroyed). */
  frameUrl: string | null | undefined;
  /** senderFrame.parent === null */
  isMainFrame: boolean;
  /** event.sender is the webContents of the window Lamplight created */
  fromAppWindow: boolean;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

export function checkIpcSender(facts: IpcSenderFacts, isAppUrl: (url: string) => boolean): SenderVerdict {
  if (!facts.fromAppWindow) return { ok: false, reason: 'the call did not come from the Lamplight window' };
  if (typeof facts.frameUrl !== 'string') return { ok: false, reason: 'the calling frame is gone' };
  if (!facts.isMainFrame) return { ok: false, reason: 'the call came from a subframe, not the Lamplight page' };
  if (!isAppUrl(facts.frameUrl)) return { ok: false, reason: "the calling page is not Lamplight's own page" };
  return { ok: true };
}
