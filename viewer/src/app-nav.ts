/** Moves to a fragment route (a history entry, so Back returns). */
export function navigate(hash: string) {
  if (location.hash !== hash) location.hash = hash;
}

/** Rewrites the current route in place (filters, sort): no history entry, no re-render. */
export function replaceRoute(hash: string) {
  history.replaceState(history.state, '', hash);
}
