import { hypergeometric } from './fisher.js';

/**
 * The suite's pass-rate change, paired by task: an exact stratified permutation test (the exact
 * Cochran–Mantel–Haenszel test, each task its own stratum).
 *
 * Why this test: with no real change, a task's base and head trials are draws of one agent on
 * one task, so which of its trials ran on head is a random relabelling; given each task's total
 * passes, the head passes of a task follow the hypergeometric law, independently across tasks.
 * The statistic is the sum over tasks of head passes; its exact law is the convolution of those
 * hypergeometrics. So
 *   - tasks are paired with themselves: an easy task and a hard one never pool into one rate (the
 *     old pooled Fisher test treated every run of the suite as one coin, and a suite of
 *     always-pass and always-fail tasks as far noisier than it is);
 *   - it is exact for any trial counts, even unequal ones per side, and needs no Monte Carlo;
 *   - a task that passed (or failed) every trial on both sides tells nothing and weighs nothing;
 *   - with equal trials everywhere the statistic is the sum of the per-task pass-rate changes
 *     (head − base) up to a constant, and with 1 trial a side it is McNemar's exact test on the
 *     discordant tasks. A sign-flip test on per-task differences would need equal trial counts
 *     to be exact; Wilcoxon ranks tie massively on trial fractions.
 * Two-sided p: twice the smaller tail, at most 1.
 */
export interface PairedTest {
  test: 'exact stratified permutation (per task)';
  /** Tasks with trials on both sides. */
  tasks_paired: number;
  /** Tasks whose trials could move the statistic (not all-pass or all-fail on both sides). */
  tasks_informative: number;
  /** Mean over paired tasks of head's pass rate minus base's. */
  mean_change: number;
  /** Head passes observed minus expected with no change: its sign is the direction. */
  excess_passes: number;
  p_value: number;
}

export interface PairedTally {
  base: { pass: number; n: number };
  head: { pass: number; n: number };
}

/** Below this a probability at a tail's end is dropped: p-values that small are all "< 0.001". */
const NEGLIGIBLE = 1e-30;

const hyperCache = new Map<string, { lo: number; p: number[] }>();
function hyper(nh: number, nb: number, c: number) {
  const key = `${nh},${nb},${c}`;
  let h = hyperCache.get(key);
  if (!h) hyperCache.set(key, (h = hypergeometric(nh, nb, c)));
  return h;
}

export function pairedPassRateTest(pairs: readonly PairedTally[]): PairedTest {
  let dist = [1];
  let offset = 0;
  let observed = 0;
  let expected = 0;
  let informative = 0;
  let change = 0;
  for (const { base, head } of pairs) {
    change += head.pass / head.n - base.pass / base.n;
    const h = hyper(head.n, base.n, head.pass + base.pass);
    observed += head.pass;
    if (h.p.length === 1) {
      offset += h.lo;
      expected += h.lo;
      continue;
    }
    informative++;
    expected += h.p.reduce((s, p, i) => s + p * (h.lo + i), 0);
    const next = new Array<number>(dist.length + h.p.length - 1).fill(0);
    for (let i = 0; i < dist.length; i++) {
      const di = dist[i];
      for (let j = 0; j < h.p.length; j++) next[i + j] += di * h.p[j];
    }
    offset += h.lo;
    // Trim the tails' negligible ends so the work grows with the spread, not the support.
    let a = 0;
    let b = next.length - 1;
    while (a < b && next[a] < NEGLIGIBLE) a++;
    while (b > a && next[b] < NEGLIGIBLE) b--;
    dist = next.slice(a, b + 1);
    offset += a;
  }
  const k = observed - offset;
  let below = 0;
  let above = 0;
  for (let i = 0; i < dist.length; i++) {
    if (i <= k) below += dist[i];
    if (i >= k) above += dist[i];
  }
  const excess = observed - expected;
  return {
    test: 'exact stratified permutation (per task)',
    tasks_paired: pairs.length,
    tasks_informative: informative,
    mean_change: pairs.length ? change / pairs.length : 0,
    excess_passes: Math.abs(excess) < 1e-9 ? 0 : excess,
    p_value: informative ? Math.min(1, 2 * Math.min(below, above)) : 1,
  };
}
