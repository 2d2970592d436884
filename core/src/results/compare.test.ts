import { describe, expect, it } from 'vitest';
import { compareRuns, fisherExact } from './compare.js';
import { flipsToConfirm, selectiveConfirmationP } from './confirmation.js';
import type { RunRecord } from './record.js';

const runs = (
  task: string,
  pass: number,
  fail: number,
  latency = 100,
  confirmation?: unknown,
): RunRecord[] =>
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
        ...(confirmation === undefined ? {} : { confirmation }),
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

  it('corrects for every task compared (Holm) and pairs the pass-rate test by task', () => {
    // 20 tasks passing 2 or 3 of 5 on either side, and one that lost 5 of 5: raw p 0.0079, but
    // the 21 testable tasks and the pass rate share alpha, so it is not beyond noise.
    const base = [...runs('lost', 5, 0)];
    const head = [...runs('lost', 0, 5)];
    for (let i = 0; i < 20; i++) {
      base.push(...runs(`t${i}`, 2 + (i % 2), 3 - (i % 2)));
      head.push(...runs(`t${i}`, 3 - (i % 2), 2 + (i % 2)));
    }
    const c = compareRuns(base, head);
    const lost = c.tasks.find((t) => t.task_id === 'lost')!;
    expect(lost.p_value).toBeCloseTo(0.007937, 5);
    expect(lost.p_adjusted).toBeGreaterThan(0.05);
    expect(lost.beyond_noise).toBe(false);
    expect(c.tasks_tested).toBe(21);
    expect(c.pass_rate).toMatchObject({
      test: 'exact stratified permutation (per task)',
      tasks_paired: 21,
      tasks_informative: 21,
    });
    expect(c.pass_rate.excess_passes).toBeLessThan(0);
    // Always-pass tasks tell nothing: they neither enter the correction nor the paired test.
    const easy = compareRuns([...base, ...runs('easy', 5, 0)], [...head, ...runs('easy', 5, 0)]);
    expect(easy.tasks_tested).toBe(21);
    expect(easy.tasks.find((t) => t.task_id === 'easy')!.p_adjusted).toBe(1);
    expect(easy.pass_rate.p_value).toBeCloseTo(c.pass_rate.p_value, 12);
  });

  it('keeps confirmation re-runs out of stage 1, and takes only `true` as the mark', () => {
    const base = [...runs('a', 3, 0), ...runs('b', 1, 2), ...runs('c', 3, 0)];
    const head = [...runs('a', 0, 3), ...runs('b', 0, 3), ...runs('c', 3, 0)];
    const plain = compareRuns(base, head);
    const extra = [...runs('a', 0, 10, 100, true), ...runs('b', 0, 10, 100, true)];
    const c = compareRuns(base, [...head, ...extra]);
    expect(c.tasks.map((t) => t.head)).toEqual(plain.tasks.map((t) => t.head));
    expect(c.pass_rate.p_value).toBe(plain.pass_rate.p_value);
    const a = c.tasks.find((t) => t.task_id === 'a')!;
    expect(a.confirmation).toMatchObject({ extra: { pass: 0, n: 10 }, outcome: 'confirmed' });
    expect(a.beyond_noise).toBe(true);
    // b (1 of 3 to 0 of 3) was re-run for its one base pass: ten failing trials cannot tell.
    expect(c.tasks.find((t) => t.task_id === 'b')!.confirmation!.outcome).toBe('undecided');
    expect(c).toMatchObject({ confirmed_regressions: 1, undecided: 1, refuted: 0 });
    expect(c.tasks.find((t) => t.task_id === 'c')!.confirmation).toBeNull();
    // A hostile record's "yes" is an ordinary trial.
    const hostile = compareRuns(base, [...head, ...runs('c', 0, 10, 100, 'yes')]);
    expect(hostile.tasks.find((t) => t.task_id === 'c')!.head).toEqual({ pass: 3, n: 13 });
  });

  it('conditions the confirmation on why the task was re-run', () => {
    // 3 of 3 fell to 0 of 3: re-run among flips up to p 1, ten failing extra trials confirm it
    // (1/166); re-run only because it was the most extreme flip, nothing can (base's 3 passes
    // are then what got it chosen).
    const base = { pass: 3, n: 3 };
    const head = { pass: 0, n: 3 };
    expect(selectiveConfirmationP(base, head, { pass: 0, n: 10 }, 1)).toBeCloseTo(1 / 166, 10);
    expect(selectiveConfirmationP(base, head, { pass: 0, n: 10 }, 0.1)).toBe(1);
  });

  it('lists the flips to re-run, most suspicious first, and none with one trial a side', () => {
    const base = [...runs('z', 5, 0), ...runs('y', 4, 1), ...runs('x', 3, 2), ...runs('w', 5, 0)];
    const head = [...runs('z', 0, 5), ...runs('y', 1, 4), ...runs('x', 1, 4), ...runs('w', 5, 0)];
    const order = flipsToConfirm(compareRuns(base, head)).map((t) => t.task_id);
    // x (3/5 to 1/5) is left out: re-run at that depth, no extra trials could confirm it.
    expect(order).toEqual(['z', 'y']);
    // Capped at one: re-running only the most extreme flip could never confirm it (its 5 base
    // passes are what chose it), so nothing is worth re-running.
    expect(flipsToConfirm(compareRuns(base, head), { max: 1 })).toEqual([]);
    const one = compareRuns(
      [...runs('a', 1, 0), ...runs('b', 1, 0)],
      [...runs('a', 0, 1), ...runs('b', 0, 1)],
    );
    expect(flipsToConfirm(one)).toEqual([]);
  });
});
