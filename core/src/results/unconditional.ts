import { hypergeometric, lnChoose } from './fisher.js';

/**
 * Boschloo's exact unconditional test, one-sided: are the `extra` trials' passes LOWER than
 * `base`'s? (For "higher", swap passes and fails on both sides.)
 *
 * Why not Fisher: Fisher conditions on the total passes, which throws away power with small
 * samples. One base pass against ten failing extra trials has Fisher p = 1/11 > 0.05 at best;
 * Boschloo's p is 0.035. Boschloo orders the tables by Fisher's one-sided p and takes the largest
 * chance of a table at least that extreme over every common pass probability, so it is exact
 * (never anti-conservative) and never less powerful than Fisher.
 *
 * The largest chance is found on a grid of 1,000 probabilities refined by golden section around
 * the best; the function is a smooth polynomial of low degree, so the grid finds its maximum.
 * Above MAX_TRIALS trials in all, Fisher's one-sided p is used (exact too, just less powerful).
 */
export const MAX_TRIALS = 400;

export interface Counts {
  pass: number;
  n: number;
}

const cache = new Map<string, number>();

/** Fisher's one-sided p that base's passes are this high or higher given the total passes. */
function fisherUpper(xb: number, nb: number, xe: number, ne: number): number {
  const { lo, p } = hypergeometric(nb, ne, xb + xe);
  let s = 0;
  for (let i = xb - lo; i < p.length; i++) s += p[i];
  return Math.min(1, s);
}

export function boschlooLower(base: Counts, extra: Counts): number {
  const nb = base.n;
  const ne = extra.n;
  if (!nb || !ne) return 1;
  const key = `${base.pass},${nb},${extra.pass},${ne}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const fisher = fisherUpper(base.pass, nb, extra.pass, ne);
  let out = fisher;
  if (nb + ne <= MAX_TRIALS) {
    // W[s]: the number of ways to reach s passes in all within the rejection region.
    const n = nb + ne;
    const lnW = new Array<number>(n + 1).fill(-Infinity);
    for (let a = 0; a <= nb; a++)
      for (let b = 0; b <= ne; b++) {
        if (fisherUpper(a, nb, b, ne) > fisher * (1 + 1e-7)) continue;
        const lw = lnChoose(nb, a) + lnChoose(ne, b);
        const s = a + b;
        lnW[s] = lnW[s] === -Infinity ? lw : lnW[s] + Math.log1p(Math.exp(lw - lnW[s]));
      }
    const chance = (pi: number) => {
      if (pi <= 0 || pi >= 1) return lnW[pi <= 0 ? 0 : n] === -Infinity ? 0 : 1;
      const l1 = Math.log(pi);
      const l0 = Math.log1p(-pi);
      let t = 0;
      for (let s = 0; s <= n; s++)
        if (lnW[s] !== -Infinity) t += Math.exp(lnW[s] + s * l1 + (n - s) * l0);
      return t;
    };
    let best = 0;
    let at = 0;
    const steps = 1000;
    for (let i = 0; i <= steps; i++) {
      const v = chance(i / steps);
      if (v > best) [best, at] = [v, i / steps];
    }
    let lo = Math.max(0, at - 1 / steps);
    let hi = Math.min(1, at + 1 / steps);
    const g = (Math.sqrt(5) - 1) / 2;
    for (let k = 0; k < 40; k++) {
      const m1 = hi - g * (hi - lo);
      const m2 = lo + g * (hi - lo);
      const v1 = chance(m1);
      const v2 = chance(m2);
      best = Math.max(best, v1, v2);
      if (v1 < v2) lo = m1;
      else hi = m2;
    }
    out = Math.min(fisher, best);
  }
  out = Math.min(1, out);
  if (cache.size > 100_000) cache.clear();
  cache.set(key, out);
  return out;
}

/** One-sided Boschloo in either direction: do the extra trials pass less (or more) than base? */
export function boschlooOneSided(base: Counts, extra: Counts, lower: boolean): number {
  if (lower) return boschlooLower(base, extra);
  const flip = (t: Counts) => ({ pass: t.n - t.pass, n: t.n });
  return boschlooLower(flip(base), flip(extra));
}
