import { describe, expect, it } from 'vitest';
import { compareRuns, fisherExact } from './compare.js';
import type { RunRecord } from './record.js';

const runs = (task: string, pass: number, fail: number, latency = 100): RunRecord[] =>
  [...Array(pass).fill('PASS'), ...Array(fail).fill('FAIL')].map(
    (verdict, i) =>
      ({
        id: `${task}-${i}`,
        task_id: task,
        trial: i + 1,
        agent: { name: 'a' },
        verdict,
        latency_ms: latency,
        cost: { total_usd: 0.01 },
      }) as unknown as RunRecord,
  );

describe('comparison with the base', () => {
  it("computes Fisher's exact test (checked against R's fisher.test)", () => {
    expect(fisherExact(1, 0, 0, 1)).toBeCloseTo(1, 6); // one trial a side
    expect(fisherExact(0, 10, 10, 0)).toBeCloseTo(1.082509e-5, 9);
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857143, 6);
    expect(fisherExact(8, 2, 1, 5)).toBeCloseTo(0.03496503, 7);
  });

  it('does not call a single flipped trial a regression, but does call 10 of 10 lost one', () => {
    const one = compareRuns(runs('t1', 1, 0), runs('t1', 0, 1));
    expect(one.tasks[0]).toMatchObject({ change: 'regressed', beyond_noise: false });
    expect(one.regressions).toBe(0);
    expect(one.noisy).toBe(1);
    const ten = compareRuns(runs('t1', 10, 0), runs('t1', 0, 10));
    expect(ten.tasks[0]).toMatchObject({ change: 'regressed', beyond_noise: true });
    expect(ten.regressions).toBe(1);
    expect(ten.min_trials).toBe(10);
  });

  it('lists new and removed tasks, and the cost and p95 deltas', () => {
    const c = compareRuns(
      [...runs('old', 1, 0), ...runs('same', 1, 0, 100)],
      [...runs('same', 1, 0, 300), ...runs('new', 0, 1)],
    );
    expect(c.tasks.map((t) => [t.task_id, t.change])).toEqual([
      ['new', 'new'],
      ['old', 'removed'],
      ['same', 'unchanged'],
    ]);
    expect(c.p95_ms).toEqual({ base: 100, head: 300 });
    expect(c.cost_usd.head).toBeCloseTo(0.02);
  });
});
