import { describe, expect, it } from 'vitest';
import { mergeShards, MergeError, type ShardResult } from './merge.js';
import type { RunRecord } from './record.js';
import { summarise } from './summary.js';

function rec(id: string, task: string, trial: number, verdict: 'PASS' | 'FAIL'): RunRecord {
  return {
    id,
    task_id: task,
    trial,
    agent: { name: 'a', version: 'v', kind: 'python' },
    status: 'completed',
    verdict,
    error: null,
    latency_ms: 100,
    cost: { agent_usd: 0.01, judge_usd: 0, simulator_usd: 0, total_usd: 0.01 },
  } as unknown as RunRecord;
}

function shard(id: string, shardText: string, records: RunRecord[], attempt = 1): ShardResult {
  const m = summarise(
    id,
    'smoke',
    records,
    2,
    { min_pass_rate: 0.75 },
    Date.parse('2026-11-23T10:00:00Z'),
    {
      gauntlet_version: '0',
      config_hash: 'x',
      host: 'h',
      workflow_run: '42',
      run_attempt: attempt,
      shard: shardText,
    },
  );
  return { manifest: m, records };
}

describe('merging the shards of one workflow run', () => {
  it('re-summarises every trial together: pass^k and gates see the whole suite', () => {
    const s1 = shard('s1', '1/2', [rec('r1', 't1', 1, 'PASS'), rec('r2', 't2', 1, 'PASS')]);
    const s2 = shard('s2', '2/2', [rec('r3', 't1', 2, 'FAIL'), rec('r4', 't2', 2, 'PASS')]);
    expect(s1.manifest.gates_passed).toBe(true); // each shard alone looks different
    const { manifest } = mergeShards([s2, s1]);
    expect(manifest.counts).toMatchObject({ runs: 4, pass: 3, fail: 1 });
    expect(manifest.pass_hat_k).toBe(0.5); // t1 failed one of its two trials, across shards
    expect(manifest.pass_at_k).toBe(1);
    expect(manifest.gates).toEqual([
      { name: 'min_pass_rate', threshold: 0.75, actual: 0.75, passed: true },
    ]);
    expect(manifest.merged_from).toEqual({
      suite_run_ids: ['s1', 's2'],
      shards: ['1/2', '2/2'],
      missing_shards: [],
    });
    expect(manifest.provenance.shard).toBeUndefined();
    expect(manifest.id).toBe('42-smoke');
  });

  it('names missing shards and lets a re-run attempt replace its shard', () => {
    const old = shard('s1', '1/3', [rec('r1', 't1', 1, 'FAIL')], 1);
    const retry = shard('s1b', '1/3', [rec('r9', 't1', 1, 'PASS')], 2);
    const { manifest } = mergeShards([
      retry,
      old,
      shard('s3', '3/3', [rec('r3', 't3', 1, 'PASS')]),
    ]);
    expect(manifest.merged_from?.missing_shards).toEqual(['2/3']);
    expect(manifest.merged_from?.suite_run_ids).toEqual(['s1b', 's3']);
    expect(manifest.counts.fail).toBe(0);
  });

  it('refuses to merge different workflow runs', () => {
    const a = shard('s1', '1/2', [rec('r1', 't1', 1, 'PASS')]);
    const b = shard('s2', '2/2', [rec('r2', 't2', 1, 'PASS')]);
    b.manifest.provenance.workflow_run = '43';
    expect(() => mergeShards([a, b])).toThrow(MergeError);
  });

  it('keeps the published viewer URL the shards recorded', () => {
    const a = shard('s-1', '1/2', [rec('r1', 't1', 1, 'PASS')]);
    const b = shard('s-2', '2/2', [rec('r2', 't2', 1, 'PASS')]);
    b.manifest.viewer_url = 'https://octo.github.io/widgets';
    expect(mergeShards([a, b]).manifest.viewer_url).toBe('https://octo.github.io/widgets');
    expect(mergeShards([a]).manifest.viewer_url).toBeUndefined();
  });
});
