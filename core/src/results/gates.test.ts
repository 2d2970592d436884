import { describe, expect, it } from 'vitest';
import { applyExtraGates } from './gates.js';
import type { RunRecord } from './record.js';
import { summarise } from './summary.js';

const rec = (latency: number, verdict: 'PASS' | 'FAIL') =>
  ({
    id: 'r',
    task_id: 't',
    trial: 1,
    agent: { name: 'a' },
    status: 'completed',
    verdict,
    error: null,
    latency_ms: latency,
    cost: { agent_usd: 0.5, judge_usd: 0, simulator_usd: 0, total_usd: 0.5 },
  }) as unknown as RunRecord;
const manifest = () =>
  summarise(
    's',
    'smoke',
    [rec(1000, 'PASS'), rec(1300, 'FAIL')],
    1,
    { min_pass_rate: 0.4 },
    Date.now(),
    { gauntlet_version: '0', config_hash: 'x', host: 'h' },
  );

describe('extra gates', () => {
  it('fails a p95 regression beyond the allowance against the baseline', () => {
    const m = manifest();
    const notes = applyExtraGates(m, { maxLatencyRegressionPct: 20 }, { p95_ms: 1000, id: 'base' });
    expect(m.gates.find((g) => g.name === 'max_latency_regression_pct')).toEqual({
      name: 'max_latency_regression_pct',
      threshold: 20,
      actual: 30,
      passed: false,
    });
    expect(m.gates_passed).toBe(false);
    expect(notes[0]).toContain('+30.0%');
  });

  it('lets the caller tighten the suite gates, and skips the latency gate with no baseline', () => {
    const m = manifest();
    expect(m.gates_passed).toBe(true);
    const notes = applyExtraGates(m, {
      minPassRate: 0.9,
      maxCostUsd: 2,
      maxLatencyRegressionPct: 10,
    });
    expect(m.gates.find((g) => g.name === 'min_pass_rate')).toMatchObject({
      threshold: 0.9,
      passed: false,
    });
    expect(m.gates.find((g) => g.name === 'max_cost_usd')).toMatchObject({ passed: true });
    expect(m.gates.some((g) => g.name === 'max_latency_regression_pct')).toBe(false);
    expect(notes[0]).toMatch(/no baseline/);
    expect(m.gates_passed).toBe(false);
  });
});
