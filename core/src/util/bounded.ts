/**
 * Bounds untrusted JSON-like values before the host keeps them. Whatever an agent or a model
 * sends (trace events, tool arguments, model bodies, transcripts, its own result report) may be
 * of any size and any nesting depth; recursion over such a value (JSON.stringify included) can
 * overflow the stack, and keeping it whole can exhaust memory or the string limit. Everything
 * here walks iteratively and cuts with a visible note, counting what it cut.
 */

/** Deeper than this, a subtree is replaced by a note: no honest payload nests this far. */
export const MAX_DEPTH = 64;

export interface Cut {
  /** Bytes (UTF-16 code units, close enough for budgets) dropped from strings. */
  bytes: number;
  /** Subtrees replaced because they nested deeper than MAX_DEPTH. */
  deep: number;
  /** Array items or object keys dropped because the value's own budget ran out. */
  items: number;
}

export const noCut = (): Cut => ({ bytes: 0, deep: 0, items: 0 });
export const wasCut = (c: Cut) => c.bytes > 0 || c.deep > 0 || c.items > 0;

export function addCut(into: Cut, c: Cut): Cut {
  into.bytes += c.bytes;
  into.deep += c.deep;
  into.items += c.items;
  return into;
}

/** Keeps the head and the tail of a long text, with the size of the hole between them. */
export function clipText(s: string, max: number, cut?: Cut): string {
  if (s.length <= max) return s;
  const keep = Math.max(0, max - 64);
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  if (cut) cut.bytes += s.length - keep;
  return `${s.slice(0, head)}\n[… ${s.length - keep} characters cut …]\n${s.slice(s.length - tail)}`;
}

export interface BoundOptions {
  /** Longest string kept whole. */
  maxString: number;
  /** Rough budget for the whole value (sum of string lengths and keys). */
  maxTotal: number;
  maxDepth?: number;
}

type Frame =
  | { kind: 'value'; src: unknown; set: (v: unknown) => void; depth: number }
  | {
      kind: 'rest';
      entries: [string, unknown][];
      next: number;
      out: unknown[] | Record<string, unknown>;
      depth: number;
    };

/** What each kept array item or object key costs the budget, so many tiny items still add up. */
const ITEM_COST = 8;

/**
 * A copy of `value` that is plain JSON, at most `maxDepth` deep, with long strings clipped and
 * items beyond the total budget dropped (depth first, in order, so what is kept is a prefix).
 * Non-JSON values (functions, symbols, bigint) become strings. Never recurses, so no input can
 * overflow the stack.
 */
export function boundJson(value: unknown, o: BoundOptions, cut: Cut = noCut()): unknown {
  const maxDepth = o.maxDepth ?? MAX_DEPTH;
  let budget = o.maxTotal;
  let root: unknown;
  const stack: Frame[] = [{ kind: 'value', src: value, set: (v) => (root = v), depth: 0 }];
  const seen = new Set<object>();
  while (stack.length) {
    const f = stack.pop()!;
    if (f.kind === 'rest') {
      const { entries, next, out, depth } = f;
      if (next >= entries.length) continue;
      if (budget <= 0) {
        const dropped = entries.length - next;
        cut.items += dropped;
        const note = `[${dropped} more ${Array.isArray(out) ? 'items' : 'keys'} cut]`;
        if (Array.isArray(out)) out.push(note);
        else out['…'] = note;
        continue;
      }
      const [k, v] = entries[next];
      stack.push({ ...f, next: next + 1 });
      // As JSON.stringify does: no value is no key, and null in an array.
      const absent = v === undefined || typeof v === 'function' || typeof v === 'symbol';
      if (absent && !Array.isArray(out)) continue;
      budget -= ITEM_COST + (Array.isArray(out) ? 0 : k.length);
      if (absent) {
        (out as unknown[]).push(null);
        continue;
      }
      const set = Array.isArray(out)
        ? (x: unknown) => out.push(x)
        : (x: unknown) => (out[clipText(k, 256, cut)] = x);
      stack.push({ kind: 'value', src: v, set, depth: depth + 1 });
      continue;
    }
    const { src, set, depth } = f;
    if (src === null || typeof src === 'boolean') set(src);
    else if (typeof src === 'number') set(Number.isFinite(src) ? src : String(src));
    else if (typeof src === 'string') {
      const s = clipText(src, Math.max(64, Math.min(o.maxString, budget)), cut);
      budget -= s.length;
      set(s);
    } else if (typeof src !== 'object') set(String(src));
    else if (seen.has(src)) set('[repeated reference]');
    else if (depth >= maxDepth) {
      cut.deep++;
      set(`[cut: nested deeper than ${maxDepth} levels]`);
    } else {
      seen.add(src);
      const isArray = Array.isArray(src);
      const entries: [string, unknown][] = isArray
        ? (src as unknown[]).map((v, i) => [String(i), v])
        : Object.entries(src as Record<string, unknown>);
      const out: unknown[] | Record<string, unknown> = isArray ? [] : {};
      set(out);
      stack.push({ kind: 'rest', entries, next: 0, out, depth });
    }
  }
  return root;
}

/**
 * Parses JSON text only when its nesting stays within `maxDepth`, checked by a linear scan
 * first: a document nested 20,000 deep parses fine but breaks every recursive consumer after.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}
