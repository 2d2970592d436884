import type { IndexEntry } from '../../../../core/src/index.js';

/**
 * One point of a trend: a suite at one commit. A job matrix's shards and the re-runs at that
 * commit are one point; a suite run without a commit (a local run) is a point of its own.
 *
 * Trends read index.json alone (never manifests), so a point's figures come from its index
 * lines: per shard (no shard: the whole suite) the fullest suite run counts, the newest of equal
 * size. A re-run of the whole suite thus replaces the first run, and a re-run of a few failed
 * tasks is listed but not counted: the trend shows how the suite fared when evaluated, not how
 * it fared after its failures were retried. Shards add up: pass rate and pass^k weighted by
 * runs, cost summed, p95 the largest shard's (an upper bound of the whole suite's).
 */
export interface TrendPoint {
  /** The commit, or the suite run id when there is none. */
  key: string;
  commit: string | null;
  ref: string | null;
  pr: number | null;
  /** The first suite run's start: when the commit was evaluated. */
  time: string;
  /** The suite run the explorer opens (it shows the others at the commit with it). */
  suiteRun: string;
  /** Every suite run at the commit, oldest first. */
  entries: IndexEntry[];
  /** The suite runs the figures come from. */
  counted: IndexEntry[];
  pass_rate: number | null;
  pass_hat_k: number | null;
  cost_usd: number | null;
  p95_ms: number | null;
}

export const METRICS = ['pass_rate', 'pass_hat_k', 'cost_usd', 'p95_ms'] as const;
export type Metric = (typeof METRICS)[number];

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const time = (e: IndexEntry) => (typeof e.started_at === 'string' ? e.started_at : '');
const byTime = (a: IndexEntry, b: IndexEntry) => time(a).localeCompare(time(b));

export function suitesOf(entries: readonly IndexEntry[]): string[] {
  // Most recently evaluated first: the suite someone is working on leads.
  const last = new Map<string, string>();
  for (const e of entries) if (time(e) > (last.get(e.suite) ?? '')) last.set(e.suite, time(e));
  for (const e of entries) if (!last.has(e.suite)) last.set(e.suite, '');
  return [...last]
    .sort((a, b) => b[1].localeCompare(a[1]) || a[0].localeCompare(b[0]))
    .map(([s]) => s);
}

/** The suite runs a point's figures come from: per shard, the fullest, then the newest. */
export function countedEntries(entries: readonly IndexEntry[]): IndexEntry[] {
  const bySlot = new Map<string, IndexEntry>();
  for (const e of [...entries].sort(byTime)) {
    const slot = str(e.shard) ?? '';
    const kept = bySlot.get(slot);
    const runs = (x: IndexEntry) => (finite(x.runs) ? x.runs : 0);
    if (!kept || runs(e) >= runs(kept)) bySlot.set(slot, e);
  }
  return [...bySlot.values()].sort(byTime);
}

/** A mean weighted by runs; null when any part lacks the figure (it would mislead). */
function weighted(es: IndexEntry[], f: (e: IndexEntry) => unknown): number | null {
  let sum = 0;
  let weight = 0;
  for (const e of es) {
    const v = f(e);
    if (!finite(v)) return null;
    const w = finite(e.runs) && e.runs > 0 ? e.runs : 1;
    sum += v * w;
    weight += w;
  }
  return weight ? sum / weight : null;
}

function total(es: IndexEntry[], f: (e: IndexEntry) => unknown): number | null {
  const vs = es.map(f);
  return vs.every(finite) && vs.length ? (vs as number[]).reduce((a, b) => a + b, 0) : null;
}

function largest(es: IndexEntry[], f: (e: IndexEntry) => unknown): number | null {
  const vs = es.map(f);
  return vs.every(finite) && vs.length ? Math.max(...(vs as number[])) : null;
}

export function pointOf(entries: IndexEntry[]): TrendPoint {
  const sorted = [...entries].sort(byTime);
  const counted = countedEntries(sorted);
  const first = sorted[0];
  const pr = sorted.map((e) => e.pr).find(finite) ?? null;
  return {
    key: str(first.commit) ?? first.id,
    commit: str(first.commit),
    ref: sorted.map((e) => str(e.ref)).find(Boolean) ?? null,
    pr,
    time: time(first),
    suiteRun: first.id,
    entries: sorted,
    counted,
    pass_rate: weighted(counted, (e) => e.pass_rate),
    pass_hat_k: weighted(counted, (e) => e.pass_hat_k),
    cost_usd: total(counted, (e) => e.cost_usd),
    p95_ms: largest(counted, (e) => e.p95_ms),
  };
}

/** A suite's points, oldest first: its index lines grouped by commit. */
export function trendPoints(entries: readonly IndexEntry[], suite: string): TrendPoint[] {
  const groups = new Map<string, IndexEntry[]>();
  for (const e of entries) {
    if (e.suite !== suite) continue;
    const commit = str(e.commit);
    // A commit key cannot collide with a suite run id's key.
    const key = commit ? `c:${commit}` : `r:${e.id}`;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  return [...groups.values()]
    .map(pointOf)
    .sort((a, b) => a.time.localeCompare(b.time) || a.key.localeCompare(b.key));
}

/** The refs a suite was evaluated on, most points first (a filter for the page). */
export function refsOf(points: readonly TrendPoint[]): string[] {
  const n = new Map<string, number>();
  for (const p of points) if (p.ref) n.set(p.ref, (n.get(p.ref) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
}
