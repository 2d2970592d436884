import type { SuiteManifest } from './record.js';

/**
 * index.json, the one listing of a results directory or branch: a line per suite run with what
 * the App, the comparison and the viewer's Trends read without opening manifests. Both stores
 * write this shape; it is regenerated from the manifests on every write, never appended to.
 */

export interface IndexEntry {
  id: string;
  suite: string;
  started_at: string;
  pass_rate: number;
  runs: number;
  failed: number;
  cost_usd: number;
  gates_passed: boolean;
  p95_ms: number;
  /** pass^k at the suite run's k (absent in indexes written before it was listed). */
  pass_hat_k?: number;
  commit?: string;
  ref?: string;
  event?: string;
  base_sha?: string;
  pr?: number;
  workflow_run?: string;
  run_attempt?: number;
  shard?: string;
}

export interface BranchIndex {
  schema_version: 1;
  updated_at: string;
  suite_runs: IndexEntry[];
}

/** A suite run's index line, from its manifest. */
export function entryOf(m: SuiteManifest): IndexEntry {
  const p = m.provenance;
  return {
    id: m.id,
    suite: m.suite,
    started_at: m.started_at,
    pass_rate: m.pass_rate,
    runs: m.counts.runs,
    failed: m.counts.failed,
    cost_usd: m.cost.total_usd,
    gates_passed: m.gates_passed,
    p95_ms: m.latency.p95_ms,
    pass_hat_k: m.pass_hat_k,
    ...(p.commit ? { commit: p.commit } : {}),
    ...(p.ref ? { ref: p.ref } : {}),
    ...(p.event ? { event: p.event } : {}),
    ...(p.base_sha ? { base_sha: p.base_sha } : {}),
    ...(p.pr ? { pr: p.pr } : {}),
    ...(p.workflow_run ? { workflow_run: p.workflow_run } : {}),
    ...(p.run_attempt ? { run_attempt: p.run_attempt } : {}),
    ...(p.shard ? { shard: p.shard } : {}),
  };
}
