import type { SuiteManifest } from './record.js';

/** Gates a caller adds on top of the suite's own (the Action's inputs, say). */
export interface ExtraGates {
  minPassRate?: number;
  maxCostUsd?: number;
  /** Percent the p95 latency may grow over the baseline's before the gate fails. */
  maxLatencyRegressionPct?: number;
}

/**
 * Adds gate results to a manifest in place. The latency-regression gate compares p95 with the
 * baseline suite run (the base branch's); with no baseline it is reported, not failed.
 */
export function applyExtraGates(
  m: SuiteManifest,
  g: ExtraGates,
  baseline?: { p95_ms: number; id: string },
): string[] {
  const notes: string[] = [];
  const set = (name: string, threshold: number, actual: number, passed: boolean) => {
    m.gates = [...m.gates.filter((x) => x.name !== name), { name, threshold, actual, passed }];
  };
  if (g.minPassRate !== undefined)
    set('min_pass_rate', g.minPassRate, m.pass_rate, m.pass_rate >= g.minPassRate);
  if (g.maxCostUsd !== undefined)
    set('max_cost_usd', g.maxCostUsd, m.cost.total_usd, m.cost.total_usd <= g.maxCostUsd);
  if (g.maxLatencyRegressionPct !== undefined) {
    if (!baseline || baseline.p95_ms <= 0)
      notes.push(
        `latency regression gate skipped for ${m.suite}: no baseline run of this suite on the base commit`,
      );
    else {
      const pct = ((m.latency.p95_ms - baseline.p95_ms) / baseline.p95_ms) * 100;
      set(
        'max_latency_regression_pct',
        g.maxLatencyRegressionPct,
        Number(pct.toFixed(1)),
        pct <= g.maxLatencyRegressionPct,
      );
      notes.push(
        `p95 latency ${m.latency.p95_ms} ms vs ${baseline.p95_ms} ms on the base (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%, suite run ${baseline.id})`,
      );
    }
  }
  m.gates_passed = m.gates.every((x) => x.passed);
  return notes;
}
