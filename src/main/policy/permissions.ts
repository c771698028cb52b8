// Session permission handlers: everything is refused except what the app's own page needs. Electron grants
// every permission when no handler is set; Chromium asks the check handler first, then the request handler.

/** navigator.clipboard.writeText (the Copy buttons) asks for this one; nothing else is used. */
export const GRANTED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export interface PermissionAsk {
  permission: string;
  /** The frame's URL (request handler) or origin (check handler). */
  requestingUrl: string | null | undefined;
  isMainFrame: boolean | undefined;
}

/** True only for a granted permission asked by the app's own top-level page. */
export function permissionDecision(ask: PermissionAsk, isAppUrl: (url: string) => boolean): boolean {
  if (!GRANTED_PERMISSIONS.includes(ask.permission)) return false;
  if (ask.isMainFrame !== true) return false;
  return typeof ask.requestingUrl === 'string' && isAppUrl(ask.requestingUrl);
}
