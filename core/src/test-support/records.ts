import type { RunRecord } from '../results/record.js';

/** A complete, schema-shaped run record for renderer and comparison tests. */
export function record(o: Partial<RunRecord> & { task_id: string }): RunRecord {
  const failed = o.verdict === 'FAIL';
  return {
    schema_version: 1,
    id: `r-${o.task_id}-${o.trial ?? 1}`,
    suite_run_id: 's1',
    suite: 'smoke',
    trial: 1,
    agent: { name: 'support-bot', version: 'sha-1', kind: 'python' },
    status: 'completed',
    error: null,
    verdict: 'PASS',
    final_response: 'done',
    judge: {
      verdict: failed ? 'FAIL' : 'PASS',
      scores: { task_completion: failed ? 2 : 5, instruction_adherence: 4, efficiency: 4 },
      failure_mode: failed ? 'wrong_answer' : null,
      reasoning: failed ? 'The agent gave the wrong order status.' : 'Correct.',
      model: 'claude-sonnet-4-6',
      cost_usd: 0.001,
      latency_ms: 10,
    },
    tool_calls: {
      total: 1,
      by_source: { simulated: 0, injected: 0, passthrough: 1, error: 0, transport_error: 0 },
    },
    latency_ms: 1200,
    phases: {},
    cost: { agent_usd: 0.002, judge_usd: 0.001, simulator_usd: 0, total_usd: 0.003 },
    behavior_config: null,
    ledger_violations: [],
    seed: {
      user_instruction: 'Where is my order?',
      behavior_instructions: null,
      expected_outcome: 'completion',
      initial_state: null,
      origin: { file: '/repo/.gauntlet/suites/smoke.yaml', line: 12 },
    },
    trajectory: {
      steps: [
        { at: '2026-11-23T10:00:00Z', type: 'process', summary: '$ python3 lookup.py 42' },
        {
          at: '2026-11-23T10:00:01Z',
          type: 'model_call',
          summary: 'anthropic claude-haiku-4-5 200',
        },
      ],
      model_calls: [],
      tool_calls: [],
      trace_events: [],
      dropped_steps: 0,
    },
    diff: null,
    scorers: [],
    overall: null,
    soft_warnings: [],
    banners: [],
    multi_turn: null,
    artifacts: [],
    debug: {},
    provenance: { gauntlet_version: '0.1.0', config_hash: 'x', host: 'h' },
    started_at: '2026-11-23T10:00:00Z',
    finished_at: '2026-11-23T10:00:01Z',
    ...o,
  } as RunRecord;
}
