import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results/record.js';
import { summarise } from '../results/summary.js';
import { markdownProblems } from '../test-support/hostile-text.js';
import { longSession, sessionRecord } from '../test-support/records.js';
import { JOB_SUMMARY_LIMIT, renderJobSummary } from './job-summary.js';

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

  it('shows failing 50-turn sessions of large messages within the byte limit', () => {
    const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
    const big = (turn: number) => `turn ${turn}: ${'<b>x</b> @team **y** '.repeat(1000)}`;
    const sessions = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        sessionRecord(longSession(50, big), { task_id: `chat-${i}`, verdict: 'FAIL' }),
      );
    const part = (records: RunRecord[]) => ({
      manifest: summarise('s1', 'chat', records, 1, {}, Date.now(), prov),
      records,
      fullRecordsAt: 'https://github.com/o/r/tree/gauntlet-results/runs/s1',
    });
    const all = renderJobSummary([part(sessions(20))]);
    expect(Buffer.byteLength(all)).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT);
    expect(markdownProblems(all)).toEqual([]);
    // 1 MiB holds every one of the twenty sessions, each with its first and last turns.
    expect(all.match(/\*\*turn 1 · user \(task\)\*\*/g)).toHaveLength(20);
    expect(all.match(/\*\*turn 51 · user \(persona, closing\)\*\*/g)).toHaveLength(20);
    // A hundred and twenty of them do not fit: the summary stays within the limit and says so.
    const cut = renderJobSummary([part(sessions(120))]);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT);
    expect(markdownProblems(cut)).toEqual([]);
    expect(cut).toMatch(/_\d+ more non-passing run\(s\) not shown; the full records are in h/);
  });
});
