import { describe, expect, it } from 'vitest';
import type { BranchIndex, SuiteManifest } from '../../../core/src/index.js';
import { listedEntry, listedRun, listedRuns, listedSuiteRuns } from './listed.js';

const hostile = JSON.parse('{"toString": 1}');

describe('index lines and run rows as the pages read them', () => {
  it('keeps a well-formed run row as it is', () => {
    const row = {
      id: 'r1',
      task_id: 't',
      agent: 'a',
      trial: 1,
      status: 'failed',
      verdict: 'PENDING',
      error_class: 'agent_timeout',
      latency_ms: 12,
      cost_usd: 0.5,
      agent_version: '1.2',
      started_at: '2026-01-01T00:00:00Z',
      failure_mode: null,
      tool_calls: { total: 3, by_source: { odyssey: 2, injected: 1 } },
      behavior_config: 'be rude',
      ledger_violations: 2,
      confirmation: true,
    };
    expect(listedRun(row)).toEqual(row);
  });

  it('drops each field of the wrong type, so no page meets an object where it draws text', () => {
    const r = listedRun({
      id: 'r1',
      task_id: 't',
      agent: 'a',
      trial: 1,
      status: hostile,
      verdict: ['PASS'],
      error_class: 5,
      latency_ms: 'fast',
      cost_usd: null,
      agent_version: hostile,
      failure_mode: hostile,
      behavior_config: { a: 1 },
      tool_calls: { total: '3', by_source: {} },
      ledger_violations: '2',
      confirmation: 'yes',
    })!;
    expect(r).toMatchObject({ status: 'unknown', verdict: 'PENDING', error_class: null });
    expect(r.latency_ms).toBeNaN();
    expect(r.cost_usd).toBeNaN();
    for (const k of ['agent_version', 'tool_calls', 'ledger_violations', 'confirmation'])
      expect(r).not.toHaveProperty(k);
    expect(r.failure_mode).toBeNull();
    expect(r.behavior_config).toBeNull();
  });

  it('keeps per-source counts that are numbers, a prototype key as a plain key', () => {
    const r = listedRun({
      id: 'r1',
      task_id: 't',
      agent: 'a',
      trial: 1,
      tool_calls: JSON.parse('{"total": 2, "by_source": {"__proto__": 1, "odyssey": "1"}}'),
    })!;
    expect(Object.keys(r.tool_calls!.by_source)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.tool_calls!.by_source)).toBe(Object.prototype);
  });

  it('leaves out rows and lines without the ids a page groups and links by', () => {
    expect(listedRun({ id: 'r', task_id: 't', agent: 'a', trial: '1' })).toBeNull();
    expect(listedRun(['r'])).toBeNull();
    const m = { runs: [null, { id: 1 }, { id: 'r', task_id: 't', agent: 'a', trial: 1 }] };
    expect(listedRuns(m as unknown as SuiteManifest).map((r) => r.id)).toEqual(['r']);
    expect(listedEntry({ id: 'x', suite: hostile, started_at: '1' })).toBeNull();
  });

  it('reads an index line field by field', () => {
    const index = {
      suite_runs: [
        {
          id: 'x',
          suite: 's',
          started_at: '1',
          commit: hostile,
          ref: 5,
          pr: '7',
          shard: { n: 1 },
          pass_rate: 0.5,
          base_sha: 'b',
          gates_passed: 'yes',
        },
      ],
    } as unknown as BranchIndex;
    const [e] = listedSuiteRuns(index);
    expect(e).toMatchObject({ id: 'x', pass_rate: 0.5, base_sha: 'b', gates_passed: false });
    for (const k of ['commit', 'ref', 'pr', 'shard']) expect(e).not.toHaveProperty(k);
    expect(e.runs).toBeNaN();
  });
});
