/**
 * Holm's step-down correction: the chance that ANY of a family of no-change hypotheses is called
 * a change stays under alpha, whatever the dependence between their tests.
 */

/** Holm-adjusted p-values, in the order given: p_(k) × (m − k + 1), kept monotone, at most 1. */
export function holmAdjust(ps: readonly number[]): number[] {
  const order = ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b] || a - b);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach((i, k) => {
    running = Math.max(running, Math.min(1, ps[i] * (ps.length - k)));
    out[i] = running;
  });
  return out;
}

/**
 * Holm over one reserved hypothesis and a family of others (the suite's pass rate and its
 * tasks). While the reserved one stands it holds `share` of alpha and the others split the rest
 * equally; once it is rejected they split all of alpha, and once they are all rejected it holds
 * all of it. Weights only grow as hypotheses are rejected, so this is a consonant closed test
 * (a weighted Holm, the "graphical" procedure of Bretz et al. 2009) and the family-wise error
 * over all of them stays under alpha. The reserve keeps the suite test's power however many tasks
 * there are, which a plain Holm over tasks + 1 would not.
 *
 * Adjusted p-values come from rejecting one hypothesis at a time, smallest p / weight first:
 * a hypothesis is rejected at level alpha exactly when its adjusted p is <= alpha.
 */
export function reservedHolm(
  reserved: number | null,
  others: readonly number[],
  share = 0.5,
): { reserved: number | null; others: number[] } {
  const order = others.map((_, i) => i).sort((a, b) => others[a] - others[b] || a - b);
  const out = new Array<number>(others.length);
  let reservedAdj: number | null = null;
  let standing = reserved !== null;
  let next = 0;
  let running = 0;
  while (standing || next < order.length) {
    const left = order.length - next;
    const wReserved = standing ? (left ? share : 1) : 0;
    const wOther = left ? (standing ? 1 - share : 1) / left : 0;
    const qReserved = standing ? reserved! / wReserved : Infinity;
    const qOther = left ? others[order[next]] / wOther : Infinity;
    if (qReserved <= qOther) {
      running = Math.max(running, Math.min(1, qReserved));
      reservedAdj = running;
      standing = false;
    } else {
      running = Math.max(running, Math.min(1, qOther));
      out[order[next++]] = running;
    }
  }
  return { reserved: reservedAdj, others: out };
}
