import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results/record.js';
import { record } from '../test-support/records.js';
import { planConfirmation } from './confirm.js';

/** `task` run `trials` times, `pass` of them passing, each costing `usd`. */
function runs(task: string, trials: number, pass: number, usd = 0): RunRecord[] {
  return Array.from({ length: trials }, (_, i) => {
    const r = record({ task_id: task, trial: i + 1, verdict: i < pass ? 'PASS' : 'FAIL' });
    return { ...r, cost: { ...r.cost, total_usd: usd } };
  });
}

describe('planConfirmation', () => {
  // a truly regressed; b and c flipped by chance; same did not move. The conditional test
  // needs the less suspicious flip b in the re-run set to be able to confirm a at all.
  const base = {
    records: [...runs('a', 5, 5), ...runs('b', 5, 4), ...runs('c', 5, 3), ...runs('same', 5, 3)],
    suiteRunIds: ['base-1'],
  };
  const head = [
    ...runs('a', 5, 0, 0.1),
    ...runs('b', 5, 2, 0.1),
    ...runs('c', 5, 1, 0.1),
    ...runs('same', 5, 3),
  ];

  it('re-runs the flips, most suspicious first, and never an unchanged task', () => {
    const plan = planConfirmation(base, head, { trials: 10 });
    expect(plan.rerun.map((t) => t.task_id)).toEqual(['a', 'b']);
    expect(plan.run).toMatchObject({
      extra_trials: 10,
      base_suite_runs: ['base-1'],
      tasks: [
        { task_id: 'a', change: 'regressed' },
        { task_id: 'b', change: 'regressed' },
      ],
      not_rerun: [{ task_id: 'c', agent: 'support-bot', reason: 'not_confirmable' }],
      max_cost_usd: null,
    });
  });

  it('chooses its depth within the cost cap and says which flips it left out, and why', () => {
    // Each re-run costs 10 trials x $0.10 = $1: the cap affords one, and a alone, re-run for
    // being the most extreme flip, could never be confirmed, so nothing is re-run.
    const plan = planConfirmation(base, head, { trials: 10, maxCostUsd: 1.5 });
    expect(plan.rerun).toEqual([]);
    expect(plan.run.not_rerun.map((t) => [t.task_id, t.reason])).toEqual([
      ['a', 'not_confirmable'],
      ['b', 'cost_cap'],
      ['c', 'not_confirmable'],
    ]);
    expect(planConfirmation(base, head, { trials: 10, maxCostUsd: 2 }).rerun).toHaveLength(2);
  });

  it('re-runs nothing with one trial a side: no flip could be confirmed', () => {
    const one = { records: [...runs('a', 1, 1), ...runs('b', 1, 1)], suiteRunIds: ['x'] };
    const plan = planConfirmation(one, [...runs('a', 1, 0), ...runs('b', 1, 0)], { trials: 10 });
    expect(plan.rerun).toEqual([]);
    expect(plan.run.not_rerun.map((t) => t.reason)).toEqual(['not_confirmable', 'not_confirmable']);
  });
});
