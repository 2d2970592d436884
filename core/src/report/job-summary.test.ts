import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results/record.js';
import { summarise } from '../results/summary.js';
import { renderJobSummary } from './job-summary.js';

function failing(i: number): RunRecord {
  return {
    id: `r${i}`,
    task_id: `task-${i}-ü`,
    trial: 1,
    agent: { name: 'a', version: 'v', kind: 'python' },
    status: 'failed',
    verdict: 'FAIL',
    error: {
      class: 'agent_timeout',
      code: 'agent_timeout',
      message: 'ran past its timeout '.repeat(20),
    },
    judge: null,
    banners: [],
    latency_ms: 1,
    cost: { agent_usd: 0, judge_usd: 0, simulator_usd: 0, total_usd: 0 },
    tool_calls: { total: 0, by_source: {} },
    scorers: [],
    trajectory: { steps: [] },
  } as unknown as RunRecord;
}

describe('job summary', () => {
  it('stays within the byte budget and points at the full records when it cuts', () => {
    const records = Array.from({ length: 3000 }, (_, i) => failing(i));
    const manifest = summarise('s1', 'big', records, 1, {}, Date.now(), {
      gauntlet_version: '0',
      config_hash: 'x',
      host: 'h',
    });
    const small = {
      manifest: summarise('s2', 'small', [failing(1)], 1, {}, Date.now(), {
        gauntlet_version: '0',
        config_hash: 'x',
        host: 'h',
      }),
      records: [failing(1)],
    };
    const out = renderJobSummary(
      [
        {
          manifest,
          records,
          fullRecordsAt: 'https://github.com/o/r/tree/gauntlet-results/runs/s1',
        },
        small,
      ],
      ['**shard** 1/2'],
      200_000,
    );
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(200_000);
    expect(out).toContain('https://github.com/o/r/tree/gauntlet-results/runs/s1');
    expect(out).toContain('gauntlet · small'); // the big suite did not crowd out the small one
    expect(out.startsWith('**shard** 1/2')).toBe(true);
  });
});
