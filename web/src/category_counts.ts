// The category bars count the boxes the server holds; the image being edited adds boxes the server
// does not have yet. This is that difference per category: on-screen boxes minus the boxes the
// server holds for the same image (those are already in its counts). Zero differences are left out.
export function pendingByCategory(
  onScreen: readonly { category_id: number }[],
  onServer: readonly { category_id: number }[],
): Map<number, number> {
  const delta = new Map<number, number>();
  const add = (id: number, by: number) => {
    const next = (delta.get(id) ?? 0) + by;
    if (next === 0) delta.delete(id);
    else delta.set(id, next);
  };
  for (const box of onScreen) add(box.category_id, 1);
  for (const box of onServer) add(box.category_id, -1);
  return delta;
}

// "+4", "−2" (a typographic minus), or "" for no difference.
export function formatPending(delta: number): string {
  if (delta === 0) return '';
  return delta > 0 ? `+${delta}` : `\u2212${-delta}`;
}
