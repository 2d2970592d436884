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
 * The flipped tasks to re-run, as a prefix of `flipsToConfirm`'s order (the confirmation test
 * is exact for any prefix, not for a pick): the prefix ends at the first task whose estimated
 * cost (its head runs' mean, times the extra trials) would pass the cap.
 */
export function planConfirmation(
  base: { records: RunRecord[]; suiteRunIds: string[] },
  head: RunRecord[],
  o: { trials: number; maxCostUsd?: number },
): ConfirmationPlan {
  const comparison = compareRuns(base.records, head);
  const chosen = flipsToConfirm(comparison, { extraTrials: o.trials });
  const chosenKeys = new Set(chosen.map((t) => `${t.task_id}\0${t.agent}`));
  const cost = (t: { task_id: string; agent: string }) => {
    const rs = head.filter((r) => r.task_id === t.task_id && r.agent.name === t.agent);
    return rs.length ? (rs.reduce((n, r) => n + r.cost.total_usd, 0) / rs.length) * o.trials : 0;
  };
  const run: ConfirmationRun = {
    extra_trials: o.trials,
    base_suite_runs: base.suiteRunIds,
    tasks: [],
    not_rerun: [],
    cost_usd: 0,
    max_cost_usd: o.maxCostUsd ?? null,
  };
  let estimate = 0;
  let capped = false;
  for (const t of chosen) {
    const c = cost(t);
    capped ||= o.maxCostUsd !== undefined && estimate + c > o.maxCostUsd;
    if (capped) {
      run.not_rerun.push({ task_id: t.task_id, agent: t.agent, reason: 'cost_cap' });
      continue;
    }
    estimate += c;
    run.tasks.push({
      task_id: t.task_id,
      agent: t.agent,
      change: t.change as 'regressed' | 'improved',
    });
  }
  for (const t of comparison.tasks)
    if (
      (t.change === 'regressed' || t.change === 'improved') &&
      !chosenKeys.has(`${t.task_id}\0${t.agent}`)
    )
      run.not_rerun.push({ task_id: t.task_id, agent: t.agent, reason: 'not_confirmable' });
  return { rerun: run.tasks.map(({ task_id, agent }) => ({ task_id, agent })), run };
}
