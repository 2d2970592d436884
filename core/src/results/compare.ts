import type { RunRecord } from './record.js';

/**
 * Head against base, per task and agent, over the trials each side ran. A change is called a
 * regression or an improvement only when Fisher's exact test says it is unlikely to be noise:
 * with one trial a side, a flipped verdict never is.
 */

const lnFact = (() => {
  const cache = [0];
  return (n: number) => {
    for (let i = cache.length; i <= n; i++) cache[i] = cache[i - 1] + Math.log(i);
    return cache[n];
  };
})();

/** Two-sided Fisher's exact test on [[a, b], [c, d]]: the probability of a table at least as extreme. */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const r1 = a + b,
    r2 = c + d,
    c1 = a + c,
    n = a + b + c + d;
  const p = (x: number) =>
    Math.exp(
      lnFact(r1) +
        lnFact(r2) +
        lnFact(c1) +
        lnFact(n - c1) -
        lnFact(n) -
        lnFact(x) -
        lnFact(r1 - x) -
        lnFact(c1 - x) -
        lnFact(r2 - c1 + x),
    );
  const observed = p(a);
  let total = 0;
  for (let x = Math.max(0, c1 - r2); x <= Math.min(r1, c1); x++) {
    const px = p(x);
    if (px <= observed * (1 + 1e-7)) total += px;
  }
  return Math.min(1, total);
}

export type Change = 'regressed' | 'improved' | 'unchanged' | 'new' | 'removed';

export interface Tally {
  pass: number;
  n: number;
}

export interface TaskComparison {
  task_id: string;
  agent: string;
  base: Tally | null;
  head: Tally | null;
  change: Change;
  /** Fisher's exact p over the trials; null when one side is missing. */
  p_value: number | null;
  beyond_noise: boolean;
}

export interface Comparison {
  tasks: TaskComparison[];
  pass_rate: { base: number; head: number; p_value: number; beyond_noise: boolean };
  cost_usd: { base: number; head: number };
  p95_ms: { base: number; head: number };
  regressions: number;
  improvements: number;
  /** Changed verdicts that the trials cannot tell from noise. */
  noisy: number;
  min_trials: number;
}

const tally = (rs: RunRecord[]): Tally => ({
  pass: rs.filter((r) => r.verdict === 'PASS').length,
  n: rs.length,
});
const p95 = (rs: RunRecord[]) => {
  const s = rs.map((r) => r.latency_ms).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] : 0;
};

function group(rs: RunRecord[]): Map<string, RunRecord[]> {
  const m = new Map<string, RunRecord[]>();
  for (const r of rs)
    m.set(`${r.task_id}\0${r.agent.name}`, [...(m.get(`${r.task_id}\0${r.agent.name}`) ?? []), r]);
  return m;
}

export function compareRuns(base: RunRecord[], head: RunRecord[], alpha = 0.05): Comparison {
  const b = group(base);
  const h = group(head);
  const keys = [...new Set([...h.keys(), ...b.keys()])].sort();
  const tasks: TaskComparison[] = keys.map((k) => {
    const [task_id, agent] = k.split('\0');
    const bt = b.has(k) ? tally(b.get(k)!) : null;
    const ht = h.has(k) ? tally(h.get(k)!) : null;
    if (!bt || !ht)
      return {
        task_id,
        agent,
        base: bt,
        head: ht,
        change: bt ? 'removed' : 'new',
        p_value: null,
        beyond_noise: false,
      };
    const rb = bt.pass / bt.n;
    const rh = ht.pass / ht.n;
    const pv = fisherExact(ht.pass, ht.n - ht.pass, bt.pass, bt.n - bt.pass);
    const change: Change = rh < rb ? 'regressed' : rh > rb ? 'improved' : 'unchanged';
    return {
      task_id,
      agent,
      base: bt,
      head: ht,
      change,
      p_value: pv,
      beyond_noise: change !== 'unchanged' && pv < alpha,
    };
  });
  const tb = tally(base);
  const th = tally(head);
  const pv = fisherExact(th.pass, th.n - th.pass, tb.pass, tb.n - tb.pass);
  const rate = (t: Tally) => (t.n ? t.pass / t.n : 0);
  const sum = (rs: RunRecord[]) => rs.reduce((n, r) => n + r.cost.total_usd, 0);
  const changed = tasks.filter((t) => t.change === 'regressed' || t.change === 'improved');
  return {
    tasks,
    pass_rate: {
      base: rate(tb),
      head: rate(th),
      p_value: pv,
      beyond_noise: rate(tb) !== rate(th) && pv < alpha,
    },
    cost_usd: { base: sum(base), head: sum(head) },
    p95_ms: { base: p95(base), head: p95(head) },
    regressions: changed.filter((t) => t.change === 'regressed' && t.beyond_noise).length,
    improvements: changed.filter((t) => t.change === 'improved' && t.beyond_noise).length,
    noisy: changed.filter((t) => !t.beyond_noise).length,
    min_trials: Math.min(
      ...tasks.filter((t) => t.base && t.head).flatMap((t) => [t.base!.n, t.head!.n]),
      Infinity,
    ),
  };
}
