import { describe, expect, it } from 'vitest';
import { parseShard, parseTaskFilter, selectRuns, SelectionError } from './select.js';

const runs = (ids: string[], trials = 1) =>
  ids.flatMap((id) =>
    Array.from({ length: trials }, (_, t) => ({ task: { id }, agent: 'a', trial: t + 1 })),
  );

describe('run selection', () => {
  it('parses shards and refuses nonsense with the fix', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0'])
      expect(() => parseShard(bad)).toThrow(SelectionError);
    expect(() => parseShard('5/4')).toThrow(/1 <= i <= n/);
  });

  it('splits runs into disjoint, balanced shards that cover everything, whatever the input order', () => {
    const all = runs(['t1', 't2', 't3', 't4', 't5', 't6', 't7'], 3);
    const shards = [1, 2, 3].map((i) => selectRuns(all, { shard: { index: i, total: 3 } }));
    expect(shards.map((s) => s.length)).toEqual([7, 7, 7]);
    const keys = shards.flat().map((r) => `${r.task.id}/${r.trial}`);
    expect(new Set(keys).size).toBe(21);
    const reversed = [1, 2, 3].map((i) =>
      selectRuns([...all].reverse(), { shard: { index: i, total: 3 } })
        .map((r) => `${r.task.id}/${r.trial}`)
        .sort(),
    );
    expect(reversed).toEqual(shards.map((s) => s.map((r) => `${r.task.id}/${r.trial}`).sort()));
  });

  it('filters by id and glob, and names a filter that matches nothing', () => {
    const all = runs(['auth-login', 'auth-logout', 'billing']);
    expect(selectRuns(all, { tasks: parseTaskFilter('auth-*, billing') })).toHaveLength(3);
    expect(selectRuns(all, { tasks: parseTaskFilter('billing') }).map((r) => r.task.id)).toEqual([
      'billing',
    ]);
    expect(() => selectRuns(all, { tasks: ['bilin'] })).toThrow(/"bilin" matches no task/);
  });
});
