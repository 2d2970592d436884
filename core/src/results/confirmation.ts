import type { Comparison, TaskComparison, Tally } from './compare.js';
import { holmAdjust } from './holm.js';
import { boschlooOneSided } from './unconditional.js';

/**
 * Confirmation re-runs: a flipped task is re-run on head (records marked `confirmation: true`)
 * and the extra trials ALONE are tested against base in the flip's direction. The extra trials
 * are fresh draws of head, so they are not the trials that made the task look flipped.
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
  /** Boschloo's one-sided exact test, extra trials against base, in the flip's direction. */
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

/** Classify every re-run task; the Holm family is exactly the tasks given. */
export function classifyConfirmations(cands: readonly Candidate[], alpha = 0.05): Confirmation[] {
  const ps = cands.map((c) => boschlooOneSided(c.base, c.extra, c.change === 'regressed'));
  const adj = holmAdjust(ps);
  return cands.map((c, i) => {
    const rb = c.base.pass / c.base.n;
    const mid = (rb + c.head.pass / c.head.n) / 2;
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

/**
 * The flipped tasks to re-run for confirmation, most suspicious first (smallest stage-1 p, then
 * task id, then agent); the Action re-runs a prefix of it within its cost cap.
 *
 * Left out: tasks already beyond noise (nothing to confirm), tasks already re-run, and tasks that
 * could not be confirmed in a family this large. Holm over k re-run tasks needs a p-value of at
 * most alpha / k for the first, so the list stops growing once the best p-value a task could
 * reach with `extraTrials` extra trials (all of them opposite to base) could no longer clear
 * alpha / k: re-running every chance flip would cost money and the confirmation its power. With
 * 1 base trial the best is 0.035, so one task at most; with 3 about 0.0009 (some 55 tasks); with
 * 5 or more, hundreds.
 */
export function flipsToConfirm(
  comparison: Comparison,
  opts: { extraTrials?: number; alpha?: number } = {},
): TaskComparison[] {
  const extraTrials = opts.extraTrials ?? 10;
  const alpha = opts.alpha ?? 0.05;
  const flips = comparison.tasks
    .filter(
      (t) =>
        (t.change === 'regressed' || t.change === 'improved') &&
        t.base &&
        t.head &&
        !t.beyond_noise &&
        !t.confirmation,
    )
    .sort(
      (a, b) =>
        a.p_value! - b.p_value! ||
        (a.task_id < b.task_id ? -1 : a.task_id > b.task_id ? 1 : 0) ||
        (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0),
    );
  const picked: TaskComparison[] = [];
  let worstBest = 0;
  for (const t of flips) {
    const regressed = t.change === 'regressed';
    const best = boschlooOneSided(
      t.base!,
      { pass: regressed ? 0 : extraTrials, n: extraTrials },
      regressed,
    );
    const level = alpha / (picked.length + 1);
    if (worstBest >= level) break;
    if (best >= level) continue;
    picked.push(t);
    worstBest = Math.max(worstBest, best);
  }
  return picked;
}
