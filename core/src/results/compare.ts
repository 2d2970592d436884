import { classifyConfirmations, type Confirmation } from './confirmation.js';
import { fisherExact, fisherMinP } from './fisher.js';
import { reservedHolm } from './holm.js';
import { pairedPassRateTest, type PairedTest } from './paired-test.js';
import type { RunRecord, SuiteManifest } from './record.js';

export { fisherExact } from './fisher.js';

/**
 * Head against base, per task and agent, over the trials each side ran.
 *
 * Stage 1 (every PR): each task is tested with Fisher's exact test, the suite's pass rate with a
 * test paired by task (paired-test.ts), and ALL of them are corrected together (holm.ts): the
 * pass-rate test holds half of alpha while it stands, the tasks share the other half. So with no
 * real change, the chance that a comment claims any change at all (a task or the pass rate) is
 * under alpha, however many tasks the suite has. A change is "beyond noise" when its adjusted p
 * is under alpha.
 *
 * Tasks whose trials could not give p < alpha whatever their outcome (every trial passed, or
 * failed, on both sides; or too few trials, e.g. 1 or 3 a side) are left out of the correction
 * (Tarone's observation: they can never be called a change, so they spend none of alpha);
 * their adjusted p is 1.
 *
 * Stage 2 (confirmation.ts): head records marked `confirmation: true` are extra trials of tasks
 * that flipped. They never enter stage 1; they confirm or refute the flip on their own.
 */

/**
 * What a comparison reads of a run: a stored record has it, and so does a manifest's listing of
 * its runs (`comparableRow`), which is how the viewer compares suites without opening records.
 */
export type ComparableRun = Pick<
  RunRecord,
  'task_id' | 'verdict' | 'confirmation' | 'latency_ms'
> & { agent: { name: string }; cost: { total_usd: number } };

/** A manifest's run row as a ComparableRun. */
export const comparableRow = (r: SuiteManifest['runs'][number]): ComparableRun => ({
  task_id: r.task_id,
  agent: { name: r.agent },
  verdict: r.verdict,
  latency_ms: r.latency_ms,
  cost: { total_usd: r.cost_usd },
  ...(r.confirmation === true ? { confirmation: true } : {}),
});

export type Change = 'regressed' | 'improved' | 'unchanged' | 'new' | 'removed';

export interface Tally {
  pass: number;
  n: number;
}

export interface TaskComparison {
  task_id: string;
  agent: string;
  base: Tally | null;
  /** Head's trials, confirmation re-runs excluded. */
  head: Tally | null;
  change: Change;
  /** Fisher's exact p over the trials; null when one side is missing. */
  p_value: number | null;
  /** p_value after Holm over every task compared and the pass rate; null when one is missing. */
  p_adjusted: number | null;
  /**
   * The change is real at alpha: stage 1's adjusted p is under alpha and no confirmation
   * refuted it, or a confirmation confirmed it.
   */
  beyond_noise: boolean;
  /** Confirmation re-runs of a flipped task; null when there were none. */
  confirmation: Confirmation | null;
}

export interface Comparison {
  tasks: TaskComparison[];
  /** Pooled pass rates of each side (confirmation re-runs excluded), and the paired test. */
  pass_rate: PairedTest & {
    base: number;
    head: number;
    p_adjusted: number;
    beyond_noise: boolean;
  };
  cost_usd: { base: number; head: number };
  p95_ms: { base: number; head: number };
  /** Beyond noise, confirmed ones included. */
  regressions: number;
  improvements: number;
  /** Changed verdicts that the trials cannot tell from noise. */
  noisy: number;
  min_trials: number;
  alpha: number;
  /** Tasks in stage 1's correction: those compared whose trials could show a change. */
  tasks_tested: number;
  /** Tasks re-run for confirmation, by outcome. */
  confirmed_regressions: number;
  confirmed_improvements: number;
  refuted: number;
  undecided: number;
}

const tally = (rs: ComparableRun[]): Tally => ({
  pass: rs.filter((r) => r.verdict === 'PASS').length,
  n: rs.length,
});
const p95 = (rs: ComparableRun[]) => {
  const s = rs.map((r) => r.latency_ms).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] : 0;
};

function group(rs: ComparableRun[]): Map<string, ComparableRun[]> {
  const m = new Map<string, ComparableRun[]>();
  for (const r of rs) {
    const k = `${r.task_id}\0${r.agent.name}`;
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** A confirmation re-run; anything but `true` (a hostile record's "yes") is an ordinary run. */
const isConfirmation = (r: ComparableRun) => r.confirmation === true;

export function compareRuns(
  base: ComparableRun[],
  headAll: ComparableRun[],
  alpha = 0.05,
): Comparison {
  const head = headAll.filter((r) => !isConfirmation(r));
  const b = group(base);
  const h = group(head);
  const extra = group(headAll.filter(isConfirmation));
  const keys = [...new Set([...h.keys(), ...b.keys()])].sort();
  const tasks: TaskComparison[] = keys.map((k) => {
    const [task_id, agent] = k.split('\0');
    const bt = b.has(k) ? tally(b.get(k)!) : null;
    const ht = h.has(k) ? tally(h.get(k)!) : null;
    const common = { task_id, agent, base: bt, head: ht, p_adjusted: null, confirmation: null };
    if (!bt || !ht)
      return { ...common, change: bt ? 'removed' : 'new', p_value: null, beyond_noise: false };
    const rb = bt.pass / bt.n;
    const rh = ht.pass / ht.n;
    const pv = fisherExact(ht.pass, ht.n - ht.pass, bt.pass, bt.n - bt.pass);
    const change: Change = rh < rb ? 'regressed' : rh > rb ? 'improved' : 'unchanged';
    return { ...common, change, p_value: pv, beyond_noise: false };
  });

  // With confirmation re-runs the comment makes claims of two kinds (stage 1's and the
  // confirmations'): each gets half of alpha, so the chance of any false claim stays under it.
  const a1 = extra.size ? alpha / 2 : alpha;
  const a2 = alpha / 2;
  // Stage 1: the paired pass-rate test and the testable tasks, one Holm family.
  const paired = tasks.filter((t) => t.base && t.head);
  const suite = pairedPassRateTest(paired.map((t) => ({ base: t.base!, head: t.head! })));
  const testable = paired.filter(
    (t) => fisherMinP(t.head!.n, t.base!.n, t.head!.pass + t.base!.pass) < a1,
  );
  const adj = reservedHolm(
    suite.p_value,
    testable.map((t) => t.p_value!),
  );
  for (const t of paired) t.p_adjusted = 1;
  testable.forEach((t, i) => (t.p_adjusted = adj.others[i]));
  for (const t of paired) t.beyond_noise = t.change !== 'unchanged' && t.p_adjusted! < a1;

  // Stage 2: flipped tasks with confirmation re-runs, one Holm family of their own.
  const rerun = paired.filter(
    (t) => (t.change === 'regressed' || t.change === 'improved') && extra.has(keyOf(t)),
  );
  const outcomes = classifyConfirmations(
    rerun.map((t) => ({
      base: t.base!,
      head: t.head!,
      change: t.change as 'regressed' | 'improved',
      extra: tally(extra.get(keyOf(t))!),
    })),
    a2,
  );
  rerun.forEach((t, i) => {
    t.confirmation = outcomes[i];
    t.beyond_noise =
      outcomes[i].outcome === 'confirmed' || (t.beyond_noise && outcomes[i].outcome !== 'refuted');
  });

  const tb = tally(base);
  const th = tally(head);
  const rate = (t: Tally) => (t.n ? t.pass / t.n : 0);
  const sum = (rs: ComparableRun[]) => rs.reduce((n, r) => n + r.cost.total_usd, 0);
  const changed = tasks.filter((t) => t.change === 'regressed' || t.change === 'improved');
  const confirmed = (c: Change) =>
    rerun.filter((t) => t.change === c && t.confirmation!.outcome === 'confirmed').length;
  return {
    tasks,
    pass_rate: {
      base: rate(tb),
      head: rate(th),
      ...suite,
      p_adjusted: adj.reserved ?? 1,
      beyond_noise: suite.excess_passes !== 0 && (adj.reserved ?? 1) < a1,
    },
    cost_usd: { base: sum(base), head: sum(head) },
    p95_ms: { base: p95(base), head: p95(head) },
    regressions: changed.filter((t) => t.change === 'regressed' && t.beyond_noise).length,
    improvements: changed.filter((t) => t.change === 'improved' && t.beyond_noise).length,
    noisy: changed.filter((t) => !t.beyond_noise).length,
    min_trials: paired.reduce((m, t) => Math.min(m, t.base!.n, t.head!.n), Infinity),
    alpha,
    tasks_tested: testable.length,
    confirmed_regressions: confirmed('regressed'),
    confirmed_improvements: confirmed('improved'),
    refuted: rerun.filter((t) => t.confirmation!.outcome === 'refuted').length,
    undecided: rerun.filter((t) => t.confirmation!.outcome === 'undecided').length,
  };
}

const keyOf = (t: TaskComparison) => `${t.task_id}\0${t.agent}`;
