import { describe, expect, it } from 'vitest';
import {
  claimsChange,
  compareRuns,
  mulberry32,
  realisticRates,
  simulateRuns,
} from '../test-support/comparison-sim.js';

// Seeded simulations over the real compareRuns. Tasks' true pass rates follow realisticRates:
// 30% always fail, 30% always pass, 40% uniform in (0, 1); base and head draw from the same
// rates unless a test changes some.

const TASKS = [20, 100, 300, 1000];
const TRIALS = [1, 3, 5, 10];
/** Fewer repetitions for big suites keep the file fast; every cell still has 100 or more. */
const reps = (tasks: number) => (tasks >= 1000 ? 200 : tasks >= 300 ? 300 : 400);

describe('comparisons under no real change', () => {
  // Measured (fraction of comments claiming any change, task or pass rate), trials 1/3/5/10:
  //   20 tasks: 0.3% 1.0% 1.8% 2.5% · 100: 3.5% 3.8% 1.8% 4.0% · 300: 4.7% 3.7% 1.7% 2.7%
  //   1000: 4.5% 6.0% (4.3% over 1,000 repetitions) and 5/10 trials below.
  // (The old per-task Fisher at p < 0.05 claimed a change in about two comments of three.)
  // Each cell is a sample: its bound is 5% plus two standard errors of a 5% rate over its
  // repetitions (1000 tasks x 3 trials drew 6.0% here and 4.3% over 1,000 other repetitions; with
  // 1 or 3 trials no task can be called alone, so the paired test has all of alpha and its exact
  // size is close to 5%). The rate over all the suite's cells must be at most 5% itself.
  const all = { claims: 0, n: 0 };
  for (const tasks of TASKS)
    it(`claim a change in at most 5% of comments, ${tasks} tasks, 1-10 trials a side`, () => {
      for (const trials of TRIALS) {
        const rnd = mulberry32(tasks * 100 + trials);
        const n = reps(tasks);
        let claims = 0;
        for (let r = 0; r < n; r++) {
          const rates = realisticRates(tasks, rnd);
          const base = simulateRuns(rates, trials, rnd);
          const head = simulateRuns(rates, trials, rnd);
          if (claimsChange(compareRuns(base, head))) claims++;
        }
        all.claims += claims;
        all.n += n;
        const bound = 0.05 + 2 * Math.sqrt((0.05 * 0.95) / n);
        expect(claims / n, `${tasks} tasks, ${trials} trials`).toBeLessThanOrEqual(bound);
      }
    });

  it('claim a change in at most 5% of comments over all those cells together', () => {
    expect(all.n).toBe(4 * (400 + 400 + 300 + 200));
    expect(all.claims / all.n).toBeLessThanOrEqual(0.05);
  });
});

describe('comparisons with a real regression', () => {
  /** k tasks go from always passing to always failing; the comment calls a regression. */
  function power(tasks: number, trials: number, k: number, n: number, seed: number) {
    const rnd = mulberry32(seed);
    let called = 0;
    for (let r = 0; r < n; r++) {
      const rates = realisticRates(tasks, rnd);
      const head = rates.slice();
      for (let i = 0; i < k; i++) [rates[i], head[i]] = [1, 0];
      const c = compareRuns(simulateRuns(rates, trials, rnd), simulateRuns(head, trials, rnd));
      if (c.regressions > 0 || (c.pass_rate.beyond_noise && c.pass_rate.excess_passes < 0))
        called++;
    }
    return called / n;
  }

  it('calls 1 of 100 tasks lost (10 trials a side) a regression every time (measured 100%)', () => {
    expect(power(100, 10, 1, 200, 1)).toBeGreaterThanOrEqual(0.99);
  });

  it('calls 3 of 20 tasks lost with 5 trials a regression most times (measured 87%)', () => {
    expect(power(20, 5, 3, 200, 2)).toBeGreaterThanOrEqual(0.8);
  });

  it('calls 5% of 300 tasks lost with 5 trials a regression every time (measured 100%)', () => {
    expect(power(300, 5, 15, 100, 3)).toBeGreaterThanOrEqual(0.95);
  });
});
