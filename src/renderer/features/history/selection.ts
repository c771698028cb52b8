// Which runs are ticked in History: a click toggles one, Shift-click extends from the last click (the anchor)
// to the clicked row in the order shown, as file managers do.

export interface Selection {
  ids: ReadonlySet<string>;
  /** The row clicked last without Shift; a Shift-click selects from here. */
  anchor: string | null;
}

export const emptySelection: Selection = { ids: new Set(), anchor: null };

/** `order`: the ids as the list shows them. A Shift-click gives the range the state the clicked row takes. */
export function toggle(sel: Selection, order: readonly string[], id: string, shift: boolean): Selection {
  const on = !sel.ids.has(id);
  const ids = new Set(sel.ids);
  const from = shift && sel.anchor !== null ? order.indexOf(sel.anchor) : -1;
  const to = order.indexOf(id);
  if (from < 0 || to < 0) {
    if (on) ids.add(id);
    else ids.delete(id);
    return { ids, anchor: id };
  }
  for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
    const x = order[i] as string;
    if (on) ids.add(x);
    else ids.delete(x);
  }
  return { ids, anchor: sel.anchor };
}

/** Keeps only ids still listed (after a refresh or a removal elsewhere). */
export function keepListed(sel: Selection, order: readonly string[]): Selection {
  const listed = new Set(order);
  const ids = new Set([...sel.ids].filter((id) => listed.has(id)));
  if (ids.size === sel.ids.size && (sel.anchor === null || listed.has(sel.anchor))) return sel;
  return { ids, anchor: sel.anchor !== null && listed.has(sel.anchor) ? sel.anchor : null };
}

/** All shown selected → none; else all shown. */
export function toggleAll(sel: Selection, order: readonly string[]): Selection {
  const all = order.length > 0 && order.every((id) => sel.ids.has(id));
  return { ids: all ? new Set() : new Set(order), anchor: null };
}
