/**
 * Fisher's exact test on 2×2 tables of trials, memoized by table: suites compare the same small
 * tables (5 of 5 against 4 of 5, ...) over and over.
 */

const lnFactCache = [0];
/** ln(n!) */
export function lnFact(n: number): number {
  for (let i = lnFactCache.length; i <= n; i++) lnFactCache[i] = lnFactCache[i - 1] + Math.log(i);
  return lnFactCache[n];
}

/** ln C(n, k) */
export const lnChoose = (n: number, k: number) => lnFact(n) - lnFact(k) - lnFact(n - k);

/**
 * The hypergeometric law of a in [[a, b], [c, d]] given the margins: row 1 holds r1 trials,
 * r2 the other row, c1 passes in all. Returns the lowest a and the probabilities from there.
 */
export function hypergeometric(r1: number, r2: number, c1: number): { lo: number; p: number[] } {
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  const base = lnChoose(r1 + r2, c1);
  const p: number[] = [];
  for (let x = lo; x <= hi; x++) p.push(Math.exp(lnChoose(r1, x) + lnChoose(r2, c1 - x) - base));
  return { lo, p };
}

const cache = new Map<string, number>();

/** Two-sided Fisher's exact test on [[a, b], [c, d]]: the probability of a table at least as extreme. */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const key = `${a},${b},${c},${d}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const { lo, p } = hypergeometric(a + b, c + d, a + c);
  const observed = p[a - lo];
  let total = 0;
  for (const px of p) if (px <= observed * (1 + 1e-7)) total += px;
  const out = Math.min(1, total);
  if (cache.size > 100_000) cache.clear();
  cache.set(key, out);
  return out;
}

/**
 * The smallest p-value Fisher's test could give for any table with these margins. A task whose
 * every trial passed (or failed) on both sides has 1: no outcome could show a change.
 */
export function fisherMinP(r1: number, r2: number, c1: number): number {
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  // The most extreme tables are the ends of the support.
  return Math.min(
    fisherExact(lo, r1 - lo, c1 - lo, r2 - c1 + lo),
    fisherExact(hi, r1 - hi, c1 - hi, r2 - c1 + hi),
  );
}
