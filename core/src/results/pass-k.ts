/**
 * pass^k and pass@k with the unbiased estimators (tau-bench's pass^k; the HumanEval pass@k):
 * a task run n times with c passes has pass^k = C(c, k) / C(n, k), the chance that k trials
 * drawn without replacement from its n all pass, and pass@k = 1 - C(n - c, k) / C(n, k), the
 * chance that at least one does. The suite's value is the mean over tasks. Estimating from
 * all n trials this way uses every trial, where "the first k trials" would waste n - k.
 */

/** One task's trials: n runs, c of them passed. */
export interface TaskTrials {
  n: number;
  c: number;
}

export interface PassKPoint {
  k: number;
  pass_hat_k: number;
  pass_at_k: number;
}

/** C(n, k) / C(m, k) as a product of ratios, so large trial counts never overflow. */
function ratio(n: number, m: number, k: number): number {
  if (k > n) return 0;
  let r = 1;
  for (let i = 0; i < k; i++) r *= (n - i) / (m - i);
  return r;
}

/** A task's pass^k: the chance that k of its trials, drawn without replacement, all pass. */
export const passHatK = (t: TaskTrials, k: number): number => ratio(t.c, t.n, k);

/** A task's pass@k: the chance that at least one of k trials drawn from its n passes. */
export const passAtK = (t: TaskTrials, k: number): number => 1 - ratio(t.n - t.c, t.n, k);

/**
 * The suite's curve for k = 1 .. the fewest trials any task has, so every task counts at
 * every point (a task with fewer trials cannot say anything about a larger k). Empty when
 * there are no tasks.
 */
export function passKCurve(tasks: TaskTrials[]): PassKPoint[] {
  const live = tasks.filter((t) => t.n > 0);
  if (!live.length) return [];
  const kMax = Math.min(...live.map((t) => t.n));
  const mean = (f: (t: TaskTrials) => number) => live.reduce((s, t) => s + f(t), 0) / live.length;
  return Array.from({ length: kMax }, (_, i) => {
    const k = i + 1;
    return { k, pass_hat_k: mean((t) => passHatK(t, k)), pass_at_k: mean((t) => passAtK(t, k)) };
  });
}
