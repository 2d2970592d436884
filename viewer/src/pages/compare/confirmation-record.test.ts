import { describe, expect, it } from 'vitest';
import type { SuiteManifest } from '../../../../core/src/index.js';
import { readConfirmation } from './confirmation-record.js';

const m = (confirmation: unknown) => ({ confirmation }) as unknown as SuiteManifest;

describe('readConfirmation', () => {
  it('is null when no manifest confirmed anything', () => {
    expect(readConfirmation([m(undefined), m(null)])).toBeNull();
  });

  it("merges the shards' confirmations: tasks, what was left out and why, cost and cap", () => {
    const c = readConfirmation([
      m({
        extra_trials: 10,
        base_suite_runs: ['b1'],
        tasks: [{ task_id: 't1', agent: 'a', change: 'regressed' }],
        not_rerun: [{ task_id: 't9', agent: 'a', reason: 'cost_cap' }],
        cost_usd: 0.5,
        max_cost_usd: 1,
      }),
      m({
        extra_trials: 10,
        base_suite_runs: ['b1', 'b2'],
        tasks: [],
        not_rerun: [{ task_id: 't8', agent: 'a', reason: 'not_confirmable' }],
        cost_usd: 0.25,
        max_cost_usd: null,
      }),
    ])!;
    expect(c.extra_trials).toBe(10);
    expect(c.base_suite_runs).toEqual(['b1', 'b2']);
    expect(c.rerun.map((t) => t.task_id)).toEqual(['t1']);
    expect(c.not_rerun.map((t) => `${t.task_id}:${t.reason}`)).toEqual([
      't9:cost_cap',
      't8:not_confirmable',
    ]);
    expect(c.cost_usd).toBe(0.75);
    expect(c.max_cost_usd).toBe(1);
  });

  it('survives a hostile manifest: wrong types become text, empty lists or nothing', () => {
    const c = readConfirmation([
      m({
        extra_trials: '10',
        base_suite_runs: 'b1',
        tasks: { task_id: 'x' },
        not_rerun: [
          null,
          7,
          { task_id: { a: 1 }, agent: { toString: 1 }, reason: '<script>alert(1)</script>' },
        ],
        cost_usd: Number.NaN,
      }),
    ])!;
    expect(c.extra_trials).toBeNull();
    expect(c.base_suite_runs).toEqual([]);
    expect(c.rerun).toEqual([]);
    expect(c.not_rerun).toEqual([
      {
        task_id: '{\n  "a": 1\n}',
        agent: '{\n  "toString": 1\n}',
        reason: '<script>alert(1)</script>',
      },
    ]);
    expect(c.cost_usd).toBeNull();
    expect(c.max_cost_usd).toBeNull();
  });
});
