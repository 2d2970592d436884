import { describe, expect, it } from 'vitest';
import { passAtK, passHatK, passKCurve } from './pass-k.js';

describe('pass^k and pass@k, unbiased', () => {
  it('match the combinatorial definitions on small cases', () => {
    // 5 trials, 3 passes: pass^2 = C(3,2)/C(5,2) = 3/10; pass@2 = 1 - C(2,2)/C(5,2) = 9/10.
    expect(passHatK({ n: 5, c: 3 }, 2)).toBeCloseTo(0.3);
    expect(passAtK({ n: 5, c: 3 }, 2)).toBeCloseTo(0.9);
    expect(passHatK({ n: 5, c: 3 }, 1)).toBeCloseTo(0.6);
    expect(passHatK({ n: 5, c: 3 }, 4)).toBe(0);
    expect(passAtK({ n: 5, c: 3 }, 3)).toBe(1);
    expect(passHatK({ n: 4, c: 4 }, 4)).toBe(1);
    expect(passAtK({ n: 4, c: 0 }, 4)).toBe(0);
  });

  it('agrees with brute force over every k-subset of the trials', () => {
    const subsets = (n: number, k: number): number[][] =>
      k === 0
        ? [[]]
        : n < k
          ? []
          : [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
    for (const [n, c] of [
      [6, 2],
      [7, 5],
      [8, 8],
      [5, 0],
    ]) {
      const passed = (i: number) => i < c;
      for (let k = 1; k <= n; k++) {
        const all = subsets(n, k);
        const allPass = all.filter((s) => s.every(passed)).length / all.length;
        const anyPass = all.filter((s) => s.some(passed)).length / all.length;
        expect(passHatK({ n, c }, k)).toBeCloseTo(allPass, 12);
        expect(passAtK({ n, c }, k)).toBeCloseTo(anyPass, 12);
      }
    }
  });

  it('averages over tasks up to the fewest trials, and is monotone in k', () => {
    const curve = passKCurve([
      { n: 4, c: 4 },
      { n: 4, c: 2 },
      { n: 3, c: 0 },
    ]);
    expect(curve.map((p) => p.k)).toEqual([1, 2, 3]);
    expect(curve[0].pass_hat_k).toBeCloseTo((1 + 0.5 + 0) / 3);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].pass_hat_k).toBeLessThanOrEqual(curve[i - 1].pass_hat_k);
      expect(curve[i].pass_at_k).toBeGreaterThanOrEqual(curve[i - 1].pass_at_k);
    }
    expect(passKCurve([])).toEqual([]);
    // Large trial counts do not overflow.
    expect(passHatK({ n: 1000, c: 999 }, 500)).toBeCloseTo(0.5, 12);
  });
});
