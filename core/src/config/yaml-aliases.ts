import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/**
 * How many values the aliases of one config file may add once expanded. Anchors that share a
 * scorer list or an env block add tens; an alias bomb ("billion laughs": nine levels of nine
 * aliases) adds 9^9. The cap bounds the work and memory of turning a file into data.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

export interface AliasExcess {
  /** Where the alias that crossed the cap sits: keys and sequence indices. */
  path: (string | number)[];
  /** Offset of that alias in the text. */
  offset: number;
  /** Its anchor refers to the node that contains it: expanding it never ends. */
  cyclic: boolean;
}

/**
 * Walks the document in order, adding up what each alias expands to (aliases inside aliases
 * included), and returns the first alias at which the total passes `limit`.
 */
export function findAliasExcess(
  doc: Document,
  limit = MAX_ALIAS_EXPANSION,
): AliasExcess | undefined {
  const anchors = new Map<string, Node>();
  const target = new Map<Node, Node | undefined>();
  const sizes = new Map<Node, number>();
  const inProgress = new Set<Node>();
  let total = 0;

  // Values a node stands for once every alias in it is expanded (Infinity for a cycle).
  const size = (node: unknown): number => {
    if (!node || typeof node !== 'object') return 0;
    const n = node as Node;
    const known = sizes.get(n);
    if (known !== undefined) return known;
    if (inProgress.has(n)) return Infinity;
    inProgress.add(n);
    let s = 1;
    if (isAlias(n)) s = size(target.get(n));
    else if (isMap(n)) for (const p of n.items) s += size(p.key) + size(p.value);
    else if (isSeq(n)) for (const item of n.items) s += size(item);
    inProgress.delete(n);
    sizes.set(n, s);
    return s;
  };

  const walk = (node: unknown, path: (string | number)[]): AliasExcess | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const n = node as Node;
    if (isAlias(n)) {
      const to = anchors.get(n.source);
      target.set(n, to);
      const cyclic = to !== undefined && inProgress.has(to);
      total += cyclic ? Infinity : size(to);
      if (total > limit) return { path, offset: n.range?.[0] ?? 0, cyclic };
      return undefined;
    }
    if (n.anchor) anchors.set(n.anchor, n);
    // Marks the node as open, so an alias inside it that points back at it is a cycle.
    inProgress.add(n);
    try {
      if (isMap(n)) {
        for (const p of n.items) {
          if (!isPair(p)) continue;
          const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
          const hit = walk(p.key, path) ?? walk(p.value, [...path, key]);
          if (hit) return hit;
        }
      } else if (isSeq(n)) {
        for (let i = 0; i < n.items.length; i++) {
          const hit = walk(n.items[i], [...path, i]);
          if (hit) return hit;
        }
      }
    } finally {
      inProgress.delete(n);
    }
    return undefined;
  };

  return walk(doc.contents, []);
}
