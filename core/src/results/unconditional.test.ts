import { describe, expect, it } from 'vitest';
import { boschlooLower, boschlooOneSided } from './unconditional.js';

describe("Boschloo's one-sided exact test", () => {
  it("matches SciPy's boschloo_exact (alternative 'greater', base as the first sample)", () => {
    const cases: [number, number, number, number, number][] = [
      [1, 1, 0, 10, 0.0350493899481392],
      [3, 3, 0, 10, 0.0008914565579121298],
      [5, 5, 0, 10, 7.136432064128627e-5],
      [4, 5, 2, 10, 0.021233902915683445],
      [10, 10, 3, 10, 0.00043640491869888573],
      [2, 3, 1, 10, 0.046581961128830576],
    ];
    for (const [xb, nb, xe, ne, want] of cases) {
      const got = boschlooLower({ pass: xb, n: nb }, { pass: xe, n: ne });
      expect(Math.abs(got - want) / want).toBeLessThan(1e-4);
    }
  });

  it('is more powerful than Fisher where Fisher cannot reach 0.05 (1 base trial, 10 extras)', () => {
    expect(boschlooLower({ pass: 1, n: 1 }, { pass: 0, n: 10 })).toBeLessThan(0.05);
  });

  it('tests the other direction by swapping passes and fails, and is 1 on no evidence', () => {
    expect(boschlooOneSided({ pass: 0, n: 1 }, { pass: 10, n: 10 }, false)).toBeCloseTo(0.03505, 4);
    expect(boschlooOneSided({ pass: 0, n: 1 }, { pass: 10, n: 10 }, true)).toBe(1);
    expect(boschlooLower({ pass: 0, n: 0 }, { pass: 0, n: 10 })).toBe(1);
  });

  it('falls back to exact Fisher for hostile trial counts, quickly', () => {
    const p = boschlooLower({ pass: 5000, n: 5000 }, { pass: 0, n: 10 });
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-9);
  });
});
