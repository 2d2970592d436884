import { describe, expect, it } from 'vitest';
import type { BranchIndex, IndexEntry, SuiteManifest } from '../../../core/src/index.js';
import { listedSuiteRuns } from './listed.js';
import { baseOf, compareSuites, currentRuns, groupTasks, sameCommit } from './suite.js';

const entry = (id: string, started: string, more: Partial<IndexEntry> = {}): IndexEntry => ({
  id,
  suite: 's',
  started_at: started,
  pass_rate: 1,
  runs: 1,
  failed: 0,
  cost_usd: 0,
  gates_passed: true,
  p95_ms: 0,
  ...more,
});
const index = (...e: IndexEntry[]): BranchIndex => ({
  schema_version: 1,
  updated_at: '',
  suite_runs: e,
});
type Row = SuiteManifest['runs'][number];
const row = (id: string, task: string, trial: number, verdict: Row['verdict']): Row => ({
  id,
  task_id: task,
  agent: 'a',
  trial,
  status: 'completed',
  verdict,
  error_class: null,
  latency_ms: 10,
  cost_usd: 0,
});
const manifest = (id: string, runs: Row[]) => ({ id, runs }) as SuiteManifest;

describe('a suite at a commit', () => {
  it('groups the suite runs of one suite and commit, shards and re-runs, oldest first', () => {
    const i = index(
      entry('rerun', '2026-01-01T02:00:00Z', { commit: 'c1' }),
      entry('first', '2026-01-01T01:00:00Z', { commit: 'c1' }),
      entry('other-suite', '2026-01-01T01:30:00Z', { commit: 'c1', suite: 't' }),
      entry('next', '2026-01-02T00:00:00Z', { commit: 'c2' }),
    );
    expect(sameCommit(i, i.suite_runs[1]).map((e) => e.id)).toEqual(['first', 'rerun']);
    expect(sameCommit(i, entry('local', 'x')).map((e) => e.id)).toEqual(['local']);
  });

  it('shows the newest run of a task first and lets a re-run replace only its own trial', () => {
    const entries = [
      entry('first', '2026-01-01T01:00:00Z'),
      entry('rerun', '2026-01-01T02:00:00Z'),
    ];
    const tasks = groupTasks(entries, [
      manifest('first', [row('f1', 't', 1, 'FAIL'), row('f2', 't', 2, 'PASS')]),
      manifest('rerun', [row('r1', 't', 1, 'PASS')]),
    ]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].runs.map((r) => r.run.id)).toEqual(['r1', 'f2', 'f1']);
    expect(tasks[0].latest.run.id).toBe('r1');
    expect(
      currentRuns(tasks)
        .map((r) => r.run.id)
        .sort(),
    ).toEqual(['f2', 'r1']);
  });

  it('compares with the PR base when it was evaluated, else with the suite run before', () => {
    const base = entry('base', '2026-01-01T00:00:00Z', { commit: 'b' });
    const older = entry('older', '2026-01-01T05:00:00Z', { commit: 'o' });
    const head = entry('head', '2026-01-02T00:00:00Z', { commit: 'h', base_sha: 'b' });
    expect(baseOf(index(base, older, head), head)?.id).toBe('base');
    const noBase = { ...head, base_sha: 'missing' };
    expect(baseOf(index(base, older, noBase), noBase)?.id).toBe('older');
    expect(baseOf(index(head), head)).toBeUndefined();
    // A re-run at the head's own commit is not its base.
    const rerun = entry('rerun', '2026-01-03T00:00:00Z', { commit: 'h' });
    expect(baseOf(index(older, head, rerun), rerun)?.id).toBe('older');
  });

  it('compares from manifests alone: a task failing every trial after passing every one regressed', () => {
    const e = [entry('x', '1')];
    const rows = (v: Row['verdict']) => [1, 2, 3, 4, 5, 6].map((n) => row(`r${n}`, 't', n, v));
    const c = compareSuites(
      groupTasks(e, [manifest('x', rows('PASS'))]),
      groupTasks(e, [manifest('x', rows('FAIL'))]),
    );
    expect(c.tasks[0]).toMatchObject({
      task_id: 't',
      change: 'regressed',
      base: { pass: 6, n: 6 },
    });
    expect(c.tasks[0].beyond_noise).toBe(true);
  });

  it('leaves out index lines and run rows it cannot draw instead of failing the page', () => {
    const junk = index(entry('ok', '1'), { id: 3 } as never, null as never);
    expect(listedSuiteRuns(junk).map((e) => e.id)).toEqual(['ok']);
    expect(listedSuiteRuns({} as BranchIndex)).toEqual([]);
    const m = manifest('x', [row('a', 't', 1, 'PASS'), { id: 'b' } as Row, 'junk' as never]);
    expect(groupTasks([entry('x', '1')], [m]).map((t) => t.runs.length)).toEqual([1]);
    expect(groupTasks([entry('x', '1')], [{ runs: 'zzz' } as never])).toEqual([]);
  });

  it("links a run under the suite run its manifest was read from, not the manifest's own id", () => {
    const m = { id: { toString: 1 }, runs: [row('a', 't', 1, 'PASS')] } as unknown as SuiteManifest;
    expect(groupTasks([entry('dir', '1')], [m])[0].latest.suiteRun).toBe('dir');
  });
});
