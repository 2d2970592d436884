import type { Comparison, TaskComparison, Tally } from './compare.js';
import { fisherExact, hypergeometric } from './fisher.js';
import { holmAdjust } from './holm.js';

/**
 * Confirmation re-runs: flipped tasks are re-run on head (records marked `confirmation: true`)
 * and the extra trials ALONE are tested against base in the flip's direction.
 *
 * The extra trials are fresh, but base's trials are not: a task is re-run BECAUSE its base and
 * head trials differed, so among re-run tasks base looks better (for a regression) than the
 * agent really is. Testing the extra trials against base as if nothing had been chosen calls
 * that chance a confirmed regression: in simulation, a third to a half of comments on
 * 300–1,000 unchanged tasks "confirmed" one. So the test conditions on the choice (selective
 * inference), exactly:
 *
 *   With no real change, base's, head's and the extra trials are draws of one coin. Given head's
 *   passes h and the passes r of base and the extra trials together, base's passes B follow the
 *   hypergeometric law whatever the coin's bias. The task was re-run because (B, h) flipped in
 *   this direction with a stage-1 p at most the cutoff c (the largest stage-1 p re-run: the
 *   re-run tasks are a prefix of flipsToConfirm's order). That event is B >= b* for the smallest
 *   such b*, so the p-value is P(B >= observed | B >= b*) under that law.
 *
 * This is exact with no nuisance parameter. (Boschloo's unconditional test would beat Fisher on
 * 1 base trial against 10 extra ones, p 0.035, but only by ignoring the choice: given that the
 * task was re-run because its one base trial passed and its head trial failed, ten failing extra
 * trials are just what an agent that passes 5% of the time would show, so no test can confirm.) A larger cutoff (deeper
 * re-runs) means the choice says less and each test is stronger, at the price of a larger Holm
 * family; flipsToConfirm picks the depth. Its limits, measured: one base trial can never confirm
 * (a 5% task that passed once on base and failed once on head looks the same), 3 base trials can
 * in small suites, 5 and 10 do.
 */
export interface Confirmation {
  /** The confirmation trials' passes. */
  extra: Tally;
  /**
   * confirmed: the extra trials differ from base in the flip's direction beyond noise (Holm over
   * every task re-run). refuted: not confirmed, and the extra trials' pass rate lies on base's
   * side of the midpoint between base's rate and head's first rate: they look like base.
   * undecided: neither.
   */
  outcome: 'confirmed' | 'refuted' | 'undecided';
  /** The selective exact test (above), extra trials against base, in the flip's direction. */
  p_value: number;
  /** Holm-adjusted over the tasks re-run for confirmation. */
  p_adjusted: number;
}

export interface Candidate {
  base: Tally;
  head: Tally;
  change: 'regressed' | 'improved';
  extra: Tally;
}

const flip = (t: Tally): Tally => ({ pass: t.n - t.pass, n: t.n });
const stage1 = (base: Tally, head: Tally) =>
  fisherExact(head.pass, head.n - head.pass, base.pass, base.n - base.pass);

/**
 * The selective exact p that the extra trials pass less than base, for a task re-run because it
 * regressed with a stage-1 p at most `cutoff`. (For an improvement, pass flipped tallies.)
 */
export function selectiveConfirmationP(
  base: Tally,
  head: Tally,
  extra: Tally,
  cutoff: number,
): number {
  if (!base.n || !head.n || !extra.n) return 1;
  // The base outcomes that would have been chosen: flipped down and stage-1 p <= cutoff.
  const chosen = (b: number) =>
    b * head.n > head.pass * base.n && stage1({ pass: b, n: base.n }, head) <= cutoff * (1 + 1e-9);
  if (!chosen(base.pass)) return 1;
  const { lo, p } = hypergeometric(base.n, extra.n, base.pass + extra.pass);
  let inChosen = 0;
  let asExtreme = 0;
  p.forEach((pb, i) => {
    const b = lo + i;
    if (!chosen(b)) return;
    inChosen += pb;
    if (b >= base.pass) asExtreme += pb;
  });
  return inChosen > 0 ? Math.min(1, asExtreme / inChosen) : 1;
}

const directedP = (c: Candidate, cutoff: number) =>
  c.change === 'regressed'
    ? selectiveConfirmationP(c.base, c.head, c.extra, cutoff)
    : selectiveConfirmationP(flip(c.base), flip(c.head), flip(c.extra), cutoff);

/**
 * Classify every re-run task; the Holm family is exactly the tasks given, and the cutoff is the
 * largest stage-1 p among them.
 */
export function classifyConfirmations(cands: readonly Candidate[], alpha = 0.05): Confirmation[] {
  const cutoff = Math.max(0, ...cands.map((c) => stage1(c.base, c.head)));
  const ps = cands.map((c) => directedP(c, cutoff));
  const adj = holmAdjust(ps);
  return cands.map((c, i) => {
    const mid = (c.base.pass / c.base.n + c.head.pass / c.head.n) / 2;
    const re = c.extra.pass / c.extra.n;
    const baseSide = c.change === 'regressed' ? re > mid : re < mid;
    return {
      extra: c.extra,
      outcome: adj[i] < alpha ? 'confirmed' : baseSide ? 'refuted' : 'undecided',
      p_value: ps[i],
      p_adjusted: adj[i],
    };
  });
}

const byId = (a: TaskComparison, b: TaskComparison) =>
  (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0) ||
  (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0);

/**
 * The flipped tasks to re-run for confirmation, most suspicious first (smallest stage-1 p, then
 * task id, then agent). The Action re-runs a prefix of it within its cost cap; the confirmation
 * stays valid for any prefix.
 *
 * How deep: re-running the first k flips gives a Holm family of k, and a cutoff (the k-th
 * stage-1 p) that sets how strong each test can be. The list is the prefix that leaves the most
 * tasks confirmable, each judged by its best case: `extraTrials` extra trials, all opposite to
 * base (an always-passing task that now always fails). Ties go to the shorter prefix; `max`
 * bounds it (a cost cap known in advance: the depth is then chosen within it). Empty when
 * no prefix leaves any task confirmable (one trial a side, for instance).
 * `alpha` defaults to the confirmations' half of the comparison's (see compareRuns).
 * Tasks already beyond noise stay in: leaving them out would make the choice no longer "the
 * most suspicious flips", which the test's exactness rests on.
 */
export function flipsToConfirm(
  comparison: Comparison,
  opts: { extraTrials?: number; alpha?: number; max?: number } = {},
): TaskComparison[] {
  const extraTrials = opts.extraTrials ?? 10;
  const max = opts.max ?? Infinity;
  // The confirmations' share of alpha: compareRuns gives them half, stage 1 the other half.
  const alpha = opts.alpha ?? (comparison.alpha ?? 0.05) / 2;
  const flips = comparison.tasks
    .filter(
      (t) =>
        (t.change === 'regressed' || t.change === 'improved') &&
        t.base &&
        t.head &&
        t.base.n > 0 &&
        t.head.n > 0 &&
        !t.confirmation,
    )
    .sort((a, b) => a.p_value! - b.p_value! || byId(a, b));
  const memo = new Map<string, number>();
  const best = (t: TaskComparison, cutoff: number) => {
    const key = `${t.change},${t.base!.pass},${t.base!.n},${t.head!.pass},${t.head!.n},${cutoff}`;
    let v = memo.get(key);
    if (v === undefined) {
      const change = t.change as 'regressed' | 'improved';
      const extra = { pass: change === 'regressed' ? 0 : extraTrials, n: extraTrials };
      v = directedP({ base: t.base!, head: t.head!, change, extra }, cutoff);
      memo.set(key, v);
    }
    return v;
  };
  // The best case over every cutoff is at cutoff 1 (the choice then says least).
  const floor = Math.min(...flips.map((t) => best(t, 1)));
  let bestK = 0;
  let bestCount = 0;
  for (let k = 1; k <= Math.min(max, flips.length) && alpha / k > floor; k++) {
    const cutoff = flips[k - 1].p_value!;
    let count = 0;
    for (let i = 0; i < k; i++) if (best(flips[i], cutoff) < alpha / k) count++;
    if (count > bestCount) [bestK, bestCount] = [k, count];
  }
  return flips.slice(0, bestK);
}
