import { compareRuns } from '../results/compare.js';
import { flipsToConfirm } from '../results/confirmation.js';
import type { ConfirmationRun, RunRecord } from '../results/record.js';

/** The caller's side of a confirmation: how many extra trials, the cap, and the base runs. */
export interface ConfirmOptions {
  /** Extra trials per flipped task (the Action's `confirm`). */
  trials: number;
  /** The most the re-runs may cost, estimated from each task's head runs; none when unset. */
  maxCostUsd?: number;
  /** The base side of this suite: its records and the suite runs they came from. */
  base(suite: string): Promise<{ records: RunRecord[]; suiteRunIds: string[] } | undefined>;
}

/** What to re-run: tasks by id and agent, and the record of the choice. */
export interface ConfirmationPlan {
  rerun: { task_id: string; agent: string }[];
  run: ConfirmationRun;
}

/**
 * The flipped tasks to re-run: `flipsToConfirm`'s choice (a prefix of its order, for which the
 * confirmation test is exact), no deeper than the first task whose estimated cost (its head
 * runs' mean, times the extra trials) would pass the cap.
 */
export function planConfirmation(
  base: { records: RunRecord[]; suiteRunIds: string[] },
  head: RunRecord[],
  o: { trials: number; maxCostUsd?: number },
): ConfirmationPlan {
  const comparison = compareRuns(base.records, head);
  const pick = (max?: number) => flipsToConfirm(comparison, { extraTrials: o.trials, max });
  const cost = (t: { task_id: string; agent: string }) => {
    const rs = head.filter((r) => r.task_id === t.task_id && r.agent.name === t.agent);
    return rs.length ? (rs.reduce((n, r) => n + r.cost.total_usd, 0) / rs.length) * o.trials : 0;
  };
  // The cap bounds how deep the list may go; flipsToConfirm then picks the depth within it,
  // since cutting its list short afterwards would keep the test exact but could lose its power.
  const ordered = pick();
  let fit = 0;
  for (let spent = 0; fit < ordered.length; fit++) {
    spent += cost(ordered[fit]);
    if (o.maxCostUsd !== undefined && spent > o.maxCostUsd) break;
  }
  const chosen = fit < ordered.length ? pick(fit) : ordered;
  const chosenKeys = new Set(chosen.map((t) => `${t.task_id}\0${t.agent}`));
  const run: ConfirmationRun = {
    extra_trials: o.trials,
    base_suite_runs: base.suiteRunIds,
    tasks: chosen.map((t) => ({
      task_id: t.task_id,
      agent: t.agent,
      change: t.change as 'regressed' | 'improved',
    })),
    not_rerun: [],
    cost_usd: 0,
    max_cost_usd: o.maxCostUsd ?? null,
  };
  const capped = new Set(ordered.slice(fit).map((t) => `${t.task_id}\0${t.agent}`));
  for (const t of comparison.tasks) {
    const k = `${t.task_id}\0${t.agent}`;
    if ((t.change === 'regressed' || t.change === 'improved') && !chosenKeys.has(k))
      run.not_rerun.push({
        task_id: t.task_id,
        agent: t.agent,
        reason: capped.has(k) ? 'cost_cap' : 'not_confirmable',
      });
  }
  return { rerun: run.tasks.map(({ task_id, agent }) => ({ task_id, agent })), run };
}
