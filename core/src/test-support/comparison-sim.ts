import { compareRuns, type Comparison } from '../results/compare.js';
import type { RunRecord } from '../results/record.js';
import { mulberry32 } from '../util/seeded-random.js';

export { mulberry32 };

/**
 * True pass probabilities of a suite's tasks, as agent suites tend to have them: 30% of tasks
 * the agent always fails, 30% it always passes, 40% anywhere between (uniform).
 */
export function realisticRates(tasks: number, rnd: () => number): number[] {
  return Array.from({ length: tasks }, () => {
    const u = rnd();
    return u < 0.3 ? 0 : u < 0.6 ? 1 : rnd();
  });
}

const AGENT = { name: 'a' };
const ids = new Map<number, string>();
const taskId = (i: number) => {
  let s = ids.get(i);
  if (!s) ids.set(i, (s = `t${String(i).padStart(4, '0')}`));
  return s;
};

/**
 * Minimal records: only what compareRuns reads has a real value (task, agent, verdict,
 * latency, cost, confirmation); the rest of a RunRecord is left out, hence the cast.
 */
export function simulateRuns(
  rates: readonly number[],
  trials: number,
  rnd: () => number,
  o: { only?: ReadonlySet<number>; confirmation?: boolean; firstTrial?: number } = {},
): RunRecord[] {
  const out: RunRecord[] = [];
  rates.forEach((p, i) => {
    if (o.only && !o.only.has(i)) return;
    for (let t = 0; t < trials; t++)
      out.push({
        task_id: taskId(i),
        trial: (o.firstTrial ?? 1) + t,
        agent: AGENT,
        verdict: rnd() < p ? 'PASS' : 'FAIL',
        latency_ms: 0,
        cost: { total_usd: 0 },
        ...(o.confirmation ? { confirmation: true } : {}),
      } as unknown as RunRecord);
  });
  return out;
}

/** The comment claims a change: a task beyond noise, or the pass rate. */
export const claimsChange = (c: Comparison) =>
  c.regressions + c.improvements > 0 || c.pass_rate.beyond_noise;

export const taskIndex = (id: string) => Number(id.slice(1));
export { compareRuns };
