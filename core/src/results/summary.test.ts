import { describe, expect, it } from 'vitest';
import type { RunRecord } from './record.js';
import { reportHead } from '../report/markdown.js';
import { summarise } from './summary.js';

const rec = (
  task: string,
  trial: number,
  verdict: RunRecord['verdict'],
  cost = 0.1,
  latency = 1000,
): RunRecord =>
  ({
    id: `${task}-${trial}`,
    task_id: task,
    trial,
    agent: { name: 'a', version: '1', kind: 'python' },
    status: verdict === 'PENDING' ? 'failed' : 'completed',
    verdict,
    error: verdict === 'PENDING' ? { class: 'agent_timeout', message: 't' } : null,
    latency_ms: latency,
    cost: { agent_usd: cost, judge_usd: 0, simulator_usd: 0, total_usd: cost },
  }) as unknown as RunRecord;

describe('suite summary', () => {
  const records = [
    rec('t1', 1, 'PASS'),
    rec('t1', 2, 'PASS'),
    rec('t2', 1, 'PASS'),
    rec('t2', 2, 'FAIL'),
    rec('t3', 1, 'PENDING', 0, 9000),
    rec('t3', 2, 'FAIL'),
  ];
  const m = summarise(
    's1',
    'suite',
    records,
    2,
    { min_pass_rate: 0.5, max_cost_usd: 0.45, max_failed_runs: 0 },
    Date.now(),
    { gauntlet_version: '0', config_hash: 'h', host: 'x' },
  );

  it('computes pass rate, pass^k and pass@k per task', () => {
    expect(m.pass_rate).toBeCloseTo(3 / 6);
    expect(m.pass_hat_k).toBeCloseTo(1 / 3);
    expect(m.pass_at_k).toBeCloseTo(2 / 3);
    expect(m.counts).toMatchObject({ runs: 6, pass: 3, fail: 2, pending: 1, failed: 1 });
    expect(m.by_error_class).toEqual({ agent_timeout: 1 });
  });

  it('evaluates every gate and fails the suite when one fails', () => {
    expect(m.gates.map((g) => [g.name, g.passed])).toEqual([
      ['min_pass_rate', true],
      ['max_cost_usd', false],
      ['max_failed_runs', false],
    ]);
    expect(m.gates_passed).toBe(false);
    expect(m.latency.max_ms).toBe(9000);
  });
});

describe('the pass^k curve in the manifest', () => {
  it('holds the unbiased estimators for k = 1..trials, its last point the pass^k fields', () => {
    const runs = [
      rec('a', 1, 'PASS'),
      rec('a', 2, 'PASS'),
      rec('a', 3, 'FAIL'),
      rec('b', 1, 'PASS'),
      rec('b', 2, 'PASS'),
      rec('b', 3, 'PASS'),
    ];
    const m = summarise('s1', 's', runs, 3, {}, Date.now(), {
      gauntlet_version: '0',
      config_hash: 'h',
      host: 'x',
    });
    expect(m.pass_k_curve!.map((p) => p.k)).toEqual([1, 2, 3]);
    // Task a: pass^2 = C(2,2)/C(3,2) = 1/3; task b: 1.
    expect(m.pass_k_curve![1].pass_hat_k).toBeCloseTo((1 / 3 + 1) / 2);
    expect(m.pass_hat_k).toBeCloseTo(0.5);
    expect(m.pass_at_k).toBe(1);
    expect(reportHead(m)).toContain('**pass^k** 1: 83% · 2: 67% · 3: 50%');
  });
});

describe('uncertain runs (a split sampled judge)', () => {
  const runs = [
    rec('a', 1, 'PASS'),
    rec('a', 2, 'UNCERTAIN'),
    rec('b', 1, 'UNCERTAIN'),
    rec('b', 2, 'FAIL'),
  ];
  const m = summarise('s1', 's', runs, 2, { min_pass_rate: 0.5 }, Date.now(), {
    gauntlet_version: '0',
    config_hash: 'h',
    host: 'x',
  });

  it('are counted apart and never as a pass: not in the pass rate, pass^k or pass@k', () => {
    expect(m.counts).toMatchObject({ runs: 4, pass: 1, fail: 1, uncertain: 2, pending: 0 });
    expect(m.counts.not_applicable).toBe(0);
    expect(m.pass_rate).toBe(0.25);
    expect(m.gates).toEqual([
      { name: 'min_pass_rate', threshold: 0.5, actual: 0.25, passed: false },
    ]);
    // Task a: 1 of 2 passed, task b: none.
    expect(m.pass_at_k).toBe(0.5);
    expect(m.pass_hat_k).toBe(0);
    expect(m.runs.map((r) => r.verdict)).toEqual(['PASS', 'UNCERTAIN', 'UNCERTAIN', 'FAIL']);
  });

  it('show in the report head, which leaves the count out when there are none', () => {
    expect(reportHead(m)).toContain('**PASS** 1 · **FAIL** 1');
    expect(reportHead(m)).toContain('**uncertain** 2');
    const none = summarise('s1', 's', [rec('a', 1, 'PASS')], 1, {}, Date.now(), {
      gauntlet_version: '0',
      config_hash: 'h',
      host: 'x',
    });
    expect(reportHead(none)).not.toContain('uncertain');
  });
});
