import { passKCurve } from './pass-k.js';
import type { Gates } from './record.js';
import type { Provenance, RunRecord, SuiteManifest } from './record.js';

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Aggregates a suite run: pass rates (per run, pass^k and pass@k per task), cost, latency, gates. */
export function summarise(
  id: string,
  suite: string,
  all: RunRecord[],
  trials: number,
  gates: Gates,
  started: number,
  provenance: Provenance,
): SuiteManifest {
  // Confirmation re-runs are extra trials of chosen tasks: listed and paid for, never in the
  // rates, where they would weigh the flipped tasks more than the rest.
  const records = all.filter((r) => r.confirmation !== true);
  const counts: SuiteManifest['counts'] = {
    runs: records.length,
    completed: 0,
    failed: 0,
    pass: 0,
    fail: 0,
    pending: 0,
    not_applicable: 0,
    uncertain: 0,
  };
  const byClass: Record<string, number> = {};
  const cost = { agent_usd: 0, judge_usd: 0, simulator_usd: 0, total_usd: 0 };
  for (const r of records) {
    if (r.status === 'completed') counts.completed++;
    if (r.status === 'failed') counts.failed++;
    if (r.status === 'cancelled') counts.cancelled = (counts.cancelled ?? 0) + 1;
    if (r.verdict === 'PASS') counts.pass++;
    else if (r.verdict === 'FAIL') counts.fail++;
    else if (r.verdict === 'UNCERTAIN') counts.uncertain!++;
    else if (r.verdict === 'PENDING') counts.pending++;
    else counts.not_applicable++;
    if (r.error) byClass[r.error.class] = (byClass[r.error.class] ?? 0) + 1;
  }
  for (const r of all)
    for (const k of Object.keys(cost) as (keyof typeof cost)[]) cost[k] += r.cost[k];
  const byTask = new Map<string, RunRecord[]>();
  for (const r of records)
    byTask.set(`${r.task_id}\0${r.agent.name}`, [
      ...(byTask.get(`${r.task_id}\0${r.agent.name}`) ?? []),
      r,
    ]);
  const curve = passKCurve(
    [...byTask.values()].map((g) => ({
      n: g.length,
      c: g.filter((r) => r.verdict === 'PASS').length,
    })),
  );
  const passHatK = curve.at(-1)?.pass_hat_k ?? 0;
  const passAtK = curve.at(-1)?.pass_at_k ?? 0;
  const latencies = records.map((r) => r.latency_ms).sort((a, b) => a - b);
  // Only a clean PASS is a pass: UNCERTAIN (a split judge), like PENDING, counts against it.
  const passRate = records.length ? counts.pass / records.length : 0;
  const p95 = percentile(latencies, 95);
  const results: SuiteManifest['gates'] = [];
  if (gates.min_pass_rate !== undefined)
    results.push({
      name: 'min_pass_rate',
      threshold: gates.min_pass_rate,
      actual: passRate,
      passed: passRate >= gates.min_pass_rate,
    });
  if (gates.max_cost_usd !== undefined)
    results.push({
      name: 'max_cost_usd',
      threshold: gates.max_cost_usd,
      actual: cost.total_usd,
      passed: cost.total_usd <= gates.max_cost_usd,
    });
  if (gates.max_p95_latency_ms !== undefined)
    results.push({
      name: 'max_p95_latency_ms',
      threshold: gates.max_p95_latency_ms,
      actual: p95,
      passed: p95 <= gates.max_p95_latency_ms,
    });
  if (gates.max_failed_runs !== undefined)
    results.push({
      name: 'max_failed_runs',
      threshold: gates.max_failed_runs,
      actual: counts.failed,
      passed: counts.failed <= gates.max_failed_runs,
    });
  const finished = Date.now();
  return {
    schema_version: 1,
    id,
    suite,
    started_at: new Date(started).toISOString(),
    finished_at: new Date(finished).toISOString(),
    duration_ms: finished - started,
    trials,
    counts,
    pass_rate: passRate,
    pass_hat_k: passHatK,
    pass_at_k: passAtK,
    pass_k_curve: curve,
    cost,
    latency: {
      p50_ms: percentile(latencies, 50),
      p95_ms: p95,
      max_ms: latencies[latencies.length - 1] ?? 0,
    },
    by_error_class: byClass,
    gates: results,
    gates_passed: results.every((g) => g.passed),
    runs: all.map((r) => ({
      ...(r.confirmation === true ? { confirmation: true } : {}),
      id: r.id,
      task_id: r.task_id,
      agent: r.agent.name,
      agent_version: r.agent.version,
      trial: r.trial,
      status: r.status,
      verdict: r.verdict,
      error_class: r.error?.class ?? null,
      latency_ms: r.latency_ms,
      cost_usd: r.cost.total_usd,
      ...explorerColumns(r),
    })),
    provenance,
  };
}

/** Behaviour configs are cut here in the listing (the record keeps the whole text). */
export const LISTED_BEHAVIOR_CHARS = 200;

/**
 * The Data Explorer's columns beyond the verdict (seed 001): listed in the manifest so the
 * viewer draws a suite of any size from one file, opening a record only for its trace.
 */
function explorerColumns(r: RunRecord) {
  // Records merged from a results branch may predate a field: list what there is.
  const behavior = typeof r.behavior_config === 'string' ? r.behavior_config : null;
  const calls = r.tool_calls;
  return {
    started_at: r.started_at,
    failure_mode: r.judge?.failure_mode ?? null,
    ...(calls ? { tool_calls: { total: calls.total, by_source: calls.by_source } } : {}),
    behavior_config:
      behavior && behavior.length > LISTED_BEHAVIOR_CHARS
        ? `${behavior.slice(0, LISTED_BEHAVIOR_CHARS - 1)}…`
        : behavior,
    ledger_violations: r.ledger_violations?.length ?? 0,
  };
}
