import type { BranchIndex, IndexEntry } from './git-branch.js';
import { mergeShards, type ShardResult } from './merge.js';
import type { RunRecord, SuiteManifest } from './record.js';
import { summarise } from './summary.js';

/** Everything known about one suite at one commit, as one manifest over its records. */
export interface SuiteView {
  manifest: SuiteManifest;
  records: RunRecord[];
  /** The newest suite run in the view (where its full records are). */
  latestId: string;
  /** Every suite run the view was built from, in the index's order. */
  suiteRunIds: string[];
}

const key = (r: RunRecord) => `${r.task_id}\0${r.agent.name}\0${r.trial}`;

/**
 * Everything known about one suite at one commit: shards of each workflow run merged, then
 * later workflow runs (re-runs of failed tasks, say) laid over earlier ones task by task. The
 * newest result of each run replaces the old one in the view; the branch keeps them all.
 */
export async function suiteView(
  entries: IndexEntry[],
  read: (id: string) => Promise<ShardResult | undefined>,
  id: string,
): Promise<SuiteView | undefined> {
  if (!entries.length) return undefined;
  const byRun = new Map<string, IndexEntry[]>();
  for (const e of [...entries].sort((a, b) => a.started_at.localeCompare(b.started_at)))
    byRun.set(e.workflow_run ?? e.id, [...(byRun.get(e.workflow_run ?? e.id) ?? []), e]);
  const overlay = new Map<string, RunRecord>();
  let last: SuiteManifest | undefined;
  for (const group of byRun.values()) {
    const parts = (await Promise.all(group.map((e) => read(e.id)))).filter(
      (p): p is ShardResult => !!p,
    );
    if (!parts.length) continue;
    const merged = group.some((e) => e.shard) ? mergeShards(parts) : parts[parts.length - 1];
    for (const r of merged.records) overlay.set(key(r), r);
    last = merged.manifest;
  }
  if (!last) return undefined;
  const records = [...overlay.values()].sort((a, b) => key(a).localeCompare(key(b)));
  const gates = Object.fromEntries(
    last.gates
      .filter((g) => g.name !== 'max_latency_regression_pct')
      .map((g) => [g.name, g.threshold]),
  );
  const manifest = summarise(
    id,
    last.suite,
    records,
    last.trials,
    gates,
    Date.parse(entries[0].started_at),
    last.provenance,
  );
  manifest.merged_from = last.merged_from;
  if (last.confirmation) manifest.confirmation = last.confirmation;
  if (last.viewer_url) manifest.viewer_url = last.viewer_url;
  const ids = entries.map((e) => e.id);
  return { manifest, records, latestId: ids[ids.length - 1], suiteRunIds: ids };
}

/**
 * The suite runs a PR's head is compared with: the PR's exact base commit if it was evaluated,
 * else the newest evaluated commit on the base branch (outside PRs).
 */
export function baseEntries(
  index: BranchIndex,
  suite: string,
  pr: { baseSha: string; baseRef: string },
): IndexEntry[] {
  const runs = index.suite_runs.filter((e) => e.suite === suite);
  const onBase = runs.filter((e) => e.commit === pr.baseSha);
  const onBranch = runs
    .filter((e) => !e.pr && e.ref === `refs/heads/${pr.baseRef}`)
    .sort((a, b) => b.started_at.localeCompare(a.started_at));
  const commit = onBase.length ? pr.baseSha : onBranch[0]?.commit;
  return commit ? runs.filter((e) => e.commit === commit) : [];
}
