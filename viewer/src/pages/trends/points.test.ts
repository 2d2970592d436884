import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '../../../../core/src/index.js';
import { countedEntries, refsOf, suitesOf, trendPoints } from './points.js';

let n = 0;
const e = (o: Partial<IndexEntry>): IndexEntry => ({
  id: `sr${++n}`,
  suite: 's',
  started_at: '2026-01-01T00:00:00Z',
  pass_rate: 1,
  runs: 10,
  failed: 0,
  cost_usd: 1,
  gates_passed: true,
  p95_ms: 100,
  pass_hat_k: 1,
  ...o,
});

describe('trendPoints', () => {
  it('makes one point per commit, ordered by time; a run without commit is its own point', () => {
    const pts = trendPoints(
      [
        e({ commit: 'b', started_at: '2026-01-02T00:00:00Z' }),
        e({ commit: 'a', started_at: '2026-01-01T00:00:00Z' }),
        e({ started_at: '2026-01-03T00:00:00Z' }),
        e({ started_at: '2026-01-04T00:00:00Z' }),
        e({ commit: 'b', started_at: '2026-01-02T01:00:00Z', runs: 2, pass_rate: 0 }),
        e({ commit: 'a', suite: 'other' }),
      ],
      's',
    );
    expect(pts.map((p) => p.commit ?? 'local')).toEqual(['a', 'b', 'local', 'local']);
    expect(pts[1].entries).toHaveLength(2);
    expect(pts[1].time).toBe('2026-01-02T00:00:00Z');
  });

  it('adds shards up: pass rate weighted by runs, cost summed, p95 the largest', () => {
    const [p] = trendPoints(
      [
        e({ commit: 'c', shard: '1/2', runs: 30, pass_rate: 1, cost_usd: 2, p95_ms: 100 }),
        e({ commit: 'c', shard: '2/2', runs: 10, pass_rate: 0.6, cost_usd: 1, p95_ms: 300 }),
      ],
      's',
    );
    expect(p.pass_rate).toBeCloseTo(0.9);
    expect(p.cost_usd).toBe(3);
    expect(p.p95_ms).toBe(300);
  });

  it('counts a full re-run in place of the first run, and lists a partial re-run uncounted', () => {
    const first = e({ commit: 'c', runs: 40, pass_rate: 0.5, started_at: '2026-01-01T00:00:00Z' });
    const partial = e({ commit: 'c', runs: 3, pass_rate: 1, started_at: '2026-01-01T01:00:00Z' });
    const full = e({ commit: 'c', runs: 40, pass_rate: 0.8, started_at: '2026-01-01T02:00:00Z' });
    expect(countedEntries([first, partial]).map((x) => x.id)).toEqual([first.id]);
    expect(countedEntries([first, partial, full]).map((x) => x.id)).toEqual([full.id]);
    const [p] = trendPoints([first, partial], 's');
    expect(p.pass_rate).toBe(0.5);
    expect(p.entries).toHaveLength(2);
    expect(p.suiteRun).toBe(first.id);
  });

  it('leaves pass^k out where an old index lacks it, rather than averaging a part', () => {
    const pts = trendPoints(
      [
        e({ commit: 'a', pass_hat_k: undefined }),
        e({ commit: 'b', shard: '1/2', started_at: '2026-01-02T00:00:00Z' }),
        e({ commit: 'b', shard: '2/2', started_at: '2026-01-02T00:00:00Z', pass_hat_k: undefined }),
        e({ commit: 'c', started_at: '2026-01-03T00:00:00Z', pass_hat_k: 0.5 }),
      ],
      's',
    );
    expect(pts.map((p) => p.pass_hat_k)).toEqual([null, null, 0.5]);
  });

  it('survives hostile figures: a wrong type is a gap, never a number or a crash', () => {
    const line = { id: 'x', suite: 's', started_at: 't', commit: 42, pass_rate: 'high', runs: -3 };
    const [p] = trendPoints([line as unknown as IndexEntry], 's');
    expect(p.commit).toBeNull();
    expect(p.key).toBe('x');
    expect(p.pass_rate).toBeNull();
    expect(p.cost_usd).toBeNull();
    expect(p.p95_ms).toBeNull();
  });
});

describe('suitesOf and refsOf', () => {
  it('lists suites most recently run first', () => {
    expect(
      suitesOf([
        e({ suite: 'old', started_at: '2026-01-01T00:00:00Z' }),
        e({ suite: 'new', started_at: '2026-02-01T00:00:00Z' }),
        e({ suite: 'old', started_at: '2026-01-15T00:00:00Z' }),
      ]),
    ).toEqual(['new', 'old']);
  });

  it('lists refs by how many points they have', () => {
    const pts = trendPoints(
      [
        e({ commit: 'a', ref: 'refs/pull/1/merge' }),
        e({ commit: 'b', ref: 'refs/heads/main' }),
        e({ commit: 'c', ref: 'refs/heads/main' }),
      ],
      's',
    );
    expect(refsOf(pts)).toEqual(['refs/heads/main', 'refs/pull/1/merge']);
  });
});
