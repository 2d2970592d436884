import { describe, expect, it } from 'vitest';
import { hypergeometric } from './fisher.js';
import { pairedPassRateTest, type PairedTally } from './paired-test.js';

const pair = (bp: number, bn: number, hp: number, hn: number): PairedTally => ({
  base: { pass: bp, n: bn },
  head: { pass: hp, n: hn },
});

/** The exact law by brute force: every combination of the tasks' head passes. */
function bruteForce(pairs: PairedTally[]): number {
  const laws = pairs.map((p) => hypergeometric(p.head.n, p.base.n, p.head.pass + p.base.pass));
  const observed = pairs.reduce((s, p) => s + p.head.pass, 0);
  let below = 0;
  let above = 0;
  const walk = (i: number, sum: number, prob: number) => {
    if (i === laws.length) {
      if (sum <= observed) below += prob;
      if (sum >= observed) above += prob;
      return;
    }
    laws[i].p.forEach((p, j) => walk(i + 1, sum + laws[i].lo + j, prob * p));
  };
  walk(0, 0, 1);
  return Math.min(1, 2 * Math.min(below, above));
}

describe('the paired pass-rate test', () => {
  it("is McNemar's exact test with one trial a side", () => {
    // 9 tasks lost their pass, 1 gained one, 5 always pass: 2 × P(Bin(10, 1/2) <= 1).
    const pairs = [
      ...Array.from({ length: 9 }, () => pair(1, 1, 0, 1)),
      pair(0, 1, 1, 1),
      ...Array.from({ length: 5 }, () => pair(1, 1, 1, 1)),
    ];
    const r = pairedPassRateTest(pairs);
    expect(r.p_value).toBeCloseTo((2 * 11) / 1024, 12);
    expect(r).toMatchObject({ tasks_paired: 15, tasks_informative: 10 });
    expect(r.excess_passes).toBeCloseTo(-4, 12);
    expect(r.mean_change).toBeCloseTo(-8 / 15, 12);
  });

  it('equals the brute-force exact law with unequal trial counts', () => {
    const pairs = [pair(3, 5, 1, 4), pair(2, 2, 0, 3), pair(0, 3, 2, 3), pair(4, 6, 1, 5)];
    expect(pairedPassRateTest(pairs).p_value).toBeCloseTo(bruteForce(pairs), 12);
    const more = [...pairs, pair(1, 2, 2, 2), pair(5, 5, 5, 5), pair(0, 4, 0, 4)];
    expect(pairedPassRateTest(more).p_value).toBeCloseTo(bruteForce(more), 12);
  });

  it('sees no evidence in tasks that always pass or always fail, however many', () => {
    const r = pairedPassRateTest(
      Array.from({ length: 500 }, (_, i) => pair(i % 2 ? 5 : 0, 5, i % 2 ? 5 : 0, 5)),
    );
    expect(r).toMatchObject({ p_value: 1, tasks_informative: 0, excess_passes: 0 });
  });

  it('handles 1,000 tasks of 10 trials in well under a second', () => {
    const pairs = Array.from({ length: 1000 }, (_, i) => pair(i % 11, 10, (i * 7) % 11, 10));
    const t = performance.now();
    const r = pairedPassRateTest(pairs);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r.p_value).toBeGreaterThan(0);
    expect(r.p_value).toBeLessThanOrEqual(1);
  });
});
