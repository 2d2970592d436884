import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  type ComparableRun,
  type TaskComparison,
} from '../../../../core/src/index.js';
import { countKinds, kindOf, orderTasks, visibleTasks } from './order.js';
import { sortTasks } from './sort.js';

const t = (o: Partial<TaskComparison> & { task_id: string }): TaskComparison => ({
  agent: 'a',
  base: { pass: 5, n: 5 },
  head: { pass: 5, n: 5 },
  change: 'unchanged',
  p_value: 1,
  p_adjusted: 1,
  beyond_noise: false,
  confirmation: null,
  ...o,
});

describe('kindOf', () => {
  it('separates changes beyond noise from flips within it', () => {
    expect(kindOf(t({ task_id: 'x', change: 'regressed', beyond_noise: true }))).toBe('regression');
    expect(kindOf(t({ task_id: 'x', change: 'regressed' }))).toBe('noisy');
    expect(kindOf(t({ task_id: 'x', change: 'improved', beyond_noise: true }))).toBe('improvement');
    expect(kindOf(t({ task_id: 'x', change: 'improved' }))).toBe('noisy');
    expect(kindOf(t({ task_id: 'x', change: 'new', base: null }))).toBe('new');
    expect(kindOf(t({ task_id: 'x' }))).toBe('unchanged');
  });

  it('reads an unknown change (a hostile manifest) as unchanged', () => {
    expect(kindOf(t({ task_id: 'x', change: 'exploded' as never }))).toBe('unchanged');
  });
});

describe('orderTasks', () => {
  const rows = [
    t({ task_id: 'same' }),
    t({ task_id: 'noisy-b', change: 'improved', p_value: 0.2, p_adjusted: 1 }),
    t({ task_id: 'better', change: 'improved', beyond_noise: true, p_adjusted: 0.01 }),
    t({ task_id: 'noisy-a', change: 'regressed', p_value: 0.04, p_adjusted: 1 }),
    t({ task_id: 'gone', change: 'removed', head: null, p_value: null, p_adjusted: null }),
    t({ task_id: 'worse-2', change: 'regressed', beyond_noise: true, p_adjusted: 0.03 }),
    t({ task_id: 'worse-1', change: 'regressed', beyond_noise: true, p_adjusted: 0.001 }),
  ];

  it('puts regressions first, then improvements, noisy flips, one-sided, unchanged', () => {
    expect(orderTasks(rows).map((r) => r.task_id)).toEqual([
      'worse-1',
      'worse-2',
      'better',
      'noisy-a',
      'noisy-b',
      'gone',
      'same',
    ]);
  });

  it('shows only what changed when asked, and counts every kind', () => {
    expect(visibleTasks(rows, true).map((r) => r.task_id)).not.toContain('same');
    expect(visibleTasks(rows, false)).toHaveLength(rows.length);
    expect(countKinds(rows)).toEqual({
      regression: 2,
      improvement: 1,
      noisy: 2,
      new: 0,
      removed: 1,
      unchanged: 1,
    });
  });

  it('sorts by p with the tasks that have none last, either way', () => {
    const asc = sortTasks(rows, { key: 'p', dir: 'asc' }).map((r) => r.task_id);
    const desc = sortTasks(rows, { key: 'p', dir: 'desc' }).map((r) => r.task_id);
    expect(asc.at(-1)).toBe('gone');
    expect(desc.at(-1)).toBe('gone');
    expect(asc[0]).toBe('noisy-a');
  });
});

describe('over a real comparison', () => {
  const run = (task_id: string, pass: boolean): ComparableRun => ({
    task_id,
    agent: { name: 'a' },
    verdict: pass ? 'PASS' : 'FAIL',
    latency_ms: 100,
    cost: { total_usd: 0.01 },
  });
  const trials = (task: string, passes: number, n: number) =>
    Array.from({ length: n }, (_, i) => run(task, i < passes));

  it('names the task that broke first', () => {
    const base = [...trials('broke', 10, 10), ...trials('flaky', 5, 10), ...trials('ok', 10, 10)];
    const head = [...trials('broke', 0, 10), ...trials('flaky', 4, 10), ...trials('ok', 10, 10)];
    const ordered = orderTasks(compareRuns(base, head).tasks);
    expect(ordered.map((r) => [r.task_id, kindOf(r)])).toEqual([
      ['broke', 'regression'],
      ['flaky', 'noisy'],
      ['ok', 'unchanged'],
    ]);
  });
});
