import { describe, expect, it } from 'vitest';
import { holmAdjust, reservedHolm } from './holm.js';

describe("Holm's correction", () => {
  it("matches R's p.adjust(method = 'holm')", () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), 'holm') = 0.03 0.06 0.06 0.02
    const got = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]);
    expect(holmAdjust([0.9, 0.3])).toEqual([0.9, 0.6]);
  });

  it('gives the reserved hypothesis half of alpha, and the others the rest, then all', () => {
    // Suite p 0.02 ≤ 0.05/2 is rejected first (adjusted 0.04); then the tasks have all of
    // alpha: 0.01 × 2 = 0.02 (kept monotone: 0.04), then 0.03 × 1.
    const r = reservedHolm(0.02, [0.01, 0.03]);
    expect(r.reserved).toBeCloseTo(0.04, 12);
    expect(r.others[0]).toBeCloseTo(0.04, 12);
    expect(r.others[1]).toBeCloseTo(0.04, 12);
    // Tasks first: 0.001 / (0.5/3) = 0.006; the suite alone then 0.2/0.5 = 0.4.
    const t = reservedHolm(0.2, [0.001, 0.5, 0.9]);
    expect(t.others[0]).toBeCloseTo(0.006, 12);
    expect(t.reserved).toBeCloseTo(0.4, 12);
    // Without a reserved hypothesis it is plain Holm.
    const plain = holmAdjust([0.01, 0.04, 0.03]);
    reservedHolm(null, [0.01, 0.04, 0.03]).others.forEach((p, i) =>
      expect(p).toBeCloseTo(plain[i], 12),
    );
    expect(reservedHolm(0.3, []).reserved).toBeCloseTo(0.3, 12);
  });
});
