import type { Gates } from './record.js';
import type { RunRecord, SuiteManifest } from './record.js';
import { summarise } from './summary.js';

export interface ShardResult {
  manifest: SuiteManifest;
  records: RunRecord[];
}

export class MergeError extends Error {}

/** The suite's gates, recovered from a manifest's gate results. */
function gatesOf(m: SuiteManifest): Gates {
  const g: Gates = {};
  for (const r of m.gates) (g as Record<string, number>)[r.name] = r.threshold;
  return g;
}

/**
 * One view of a suite run split across a job matrix: records of every shard, re-summarised as
 * if one process had run them, so pass^k and gates see every trial of a task together. Shards
 * that never reported are listed, not guessed at.
 */
export function mergeShards(parts: ShardResult[]): ShardResult {
  if (!parts.length) throw new MergeError('no shard results to merge');
  const first = parts[0].manifest;
  for (const p of parts) {
    const m = p.manifest;
    if (m.suite !== first.suite)
      throw new MergeError(`cannot merge suite ${m.suite} with ${first.suite}`);
    if (m.provenance.workflow_run !== first.provenance.workflow_run)
      throw new MergeError(
        `suite run ${m.id} belongs to workflow run ${m.provenance.workflow_run}, not ${first.provenance.workflow_run}`,
      );
  }
  // A re-run attempt replaces its shard's earlier attempt.
  const byShard = new Map<string, ShardResult>();
  for (const p of [...parts].sort(
    (a, b) =>
      (a.manifest.provenance.run_attempt ?? 1) - (b.manifest.provenance.run_attempt ?? 1) ||
      a.manifest.started_at.localeCompare(b.manifest.started_at),
  )) {
    byShard.set(p.manifest.provenance.shard ?? '1/1', p);
  }
  const shardNo = (s: string) => Number(s.split('/')[0]);
  const chosen = [...byShard.entries()]
    .sort((a, b) => shardNo(a[0]) - shardNo(b[0]))
    .map(([, p]) => p);
  const total = Number((first.provenance.shard ?? '1/1').split('/')[1]);
  const expected = Array.from({ length: total }, (_, i) => `${i + 1}/${total}`);
  const records = chosen.flatMap((p) => p.records);
  const started = Math.min(...chosen.map((p) => Date.parse(p.manifest.started_at)));
  const finished = Math.max(...chosen.map((p) => Date.parse(p.manifest.finished_at)));
  const { shard: _shard, ...prov } = first.provenance;
  const manifest = summarise(
    `${first.provenance.workflow_run ?? first.id}-${first.suite}`,
    first.suite,
    records,
    first.trials,
    gatesOf(first),
    started,
    prov,
  );
  manifest.finished_at = new Date(finished).toISOString();
  manifest.duration_ms = finished - started;
  manifest.merged_from = {
    suite_run_ids: chosen.map((p) => p.manifest.id),
    shards: [...byShard.keys()].sort((a, b) => shardNo(a) - shardNo(b)),
    missing_shards: expected.filter((s) => !byShard.has(s)),
  };
  const viewerUrl = chosen.map((p) => p.manifest.viewer_url).find((u) => u);
  if (viewerUrl) manifest.viewer_url = viewerUrl;
  return { manifest, records };
}
