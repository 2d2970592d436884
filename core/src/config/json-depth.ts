/**
 * JSON cells of a task CSV may nest at most this many levels. Parsing deeper JSON succeeds,
 * but the run later copies and serialises the value recursively and overflows the stack; no
 * task state needs more than a few levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests deeper than `max` arrays and objects. A linear scan that skips
 * string contents, run before JSON.parse so that nothing recursive touches a hostile cell.
 */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}
