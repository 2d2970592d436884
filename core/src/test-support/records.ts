import type { MultiTurnRecord, RunRecord, TranscriptEntry } from '../results/record.js';

/** A complete, schema-shaped run record for renderer and comparison tests. */
export function record(o: Partial<RunRecord> & { task_id: string }): RunRecord {
  const failed = o.verdict === 'FAIL';
  // An UNCERTAIN row: a judge sampled 3 times that split 2-1 for PASS.
  const split = o.verdict === 'UNCERTAIN';
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
      ...(split ? { samples: { n: 3, pass: 2, fail: 1, agreement: 2 / 3, uncertain: true } } : {}),
    },
    tool_calls: {
      total: 1,
      by_source: { odyssey: 0, injected: 0, passthrough: 1, error: 0, transport_error: 0 },
      simulator_faults: 0,
    },
    latency_ms: 1200,
    phases: {},
    cost: { agent_usd: 0.002, judge_usd: 0.001, simulator_usd: 0, total_usd: 0.003 },
    behavior_config: null,
    ledger_violations: [],
    ledger: null,
    multi_agent: null,
    seed: {
      user_instruction: 'Where is my order?',
      behavior_instructions: null,
      expected_outcome: 'completion',
      initial_state: null,
      failure_rules: null,
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

const CALC_FIX = [
  'diff --git a/calc.py b/calc.py',
  'index ab3d3ab..ad81f48 100644',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,3 +1,3 @@',
  ' def add(a, b):',
  '     """Return the sum of a and b."""',
  '-    return a - b',
  '+    return a + b',
  '',
].join('\n');
const CALC_EXTEND = [
  'diff --git a/calc.py b/calc.py',
  'index ad81f48..b0424cb 100644',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,3 +1,8 @@',
  ' def add(a, b):',
  '     """Return the sum of a and b."""',
  '     return a + b',
  '+',
  '+',
  '+def subtract(a, b):',
  '+    """Return a minus b."""',
  '+    return a - b',
  'diff --git a/test_calc.py b/test_calc.py',
  'index d509f32..38c0994 100644',
  '--- a/test_calc.py',
  '+++ b/test_calc.py',
  '@@ -1,5 +1,9 @@',
  '-from calc import add',
  '+from calc import add, subtract',
  ' ',
  ' ',
  ' def test_add():',
  '     assert add(2, 3) == 5',
  '+',
  '+',
  '+def test_subtract():',
  '+    assert subtract(5, 3) == 2',
  '',
].join('\n');

/** The conversation example's `refund` session as it was recorded: a persona that closes. */
export const REFUND_SESSION: MultiTurnRecord = {
  simulator_mode: 'persona',
  memory_mode: 'stateful',
  max_turns: 6,
  turns_used: 2,
  termination_reason: 'user_done',
  transcript: [
    {
      turn: 1,
      role: 'user',
      source: 'task',
      content: 'Help me fix my failed refund for order #4521.',
      at: '2026-11-23T21:17:00.302Z',
    },
    {
      turn: 1,
      role: 'assistant',
      source: 'agent',
      content:
        'I see the refund for order #4521 failed because the card on file has expired. ' +
        'Shall I reissue it as store credit, or to a new card?',
      at: '2026-11-23T21:17:01.347Z',
    },
    {
      turn: 2,
      role: 'user',
      source: 'persona',
      content: 'Store credit is fine, go ahead.',
      at: '2026-11-23T21:17:01.432Z',
    },
    {
      turn: 2,
      role: 'assistant',
      source: 'agent',
      content:
        'Done: the $42.00 refund for order #4521 has been issued as store credit; ' +
        'it is in your account now.',
      at: '2026-11-23T21:17:01.712Z',
    },
    {
      turn: 3,
      role: 'user',
      source: 'persona',
      content: "Great, that's all I needed. Thanks!",
      closing: true,
      at: '2026-11-23T21:17:01.798Z',
    },
  ],
  turns: [1045, 280].map((ms, i) => ({
    turn: i + 1,
    agent: 'support-bot',
    status: 'completed' as const,
    latency_ms: ms,
    agent_ms: ms - 1 + i,
    cost_usd: [0.00035, 0.00041][i],
    model_calls: 1,
    tool_calls: 0,
    diff: null,
    changed_paths: [],
    error: null,
  })),
  cumulative_diff: null,
  simulator_usd: 0.00116,
};

/** The coding example's two-turn session: scripted second turn, each turn's own diff. */
export const CODING_SESSION: MultiTurnRecord = {
  simulator_mode: 'scripted',
  memory_mode: 'stateful',
  max_turns: 2,
  turns_used: 2,
  termination_reason: 'max_turns',
  transcript: [
    ['user', 'task', 'Fix add() in calc.py so the test suite passes.'],
    ['assistant', 'agent', 'Fixed add() to return a + b; the test suite passes.'],
    ['user', 'scripted', 'Now add a subtract(a, b) function to calc.py with a test.'],
    ['assistant', 'agent', 'Added subtract(a, b) to calc.py with a test; the test suite passes.'],
  ].map(([role, source, content], i) => ({
    turn: 1 + Math.floor(i / 2),
    role: role as TranscriptEntry['role'],
    source: source as TranscriptEntry['source'],
    content,
    at: `2026-11-23T21:26:4${4 + i}.000Z`,
  })),
  turns: [
    {
      turn: 1,
      agent: 'claude-code',
      status: 'completed',
      latency_ms: 2812,
      agent_ms: 2397,
      cost_usd: 0.0426,
      model_calls: 4,
      tool_calls: 0,
      diff: CALC_FIX,
      changed_paths: ['calc.py'],
      error: null,
    },
    {
      turn: 2,
      agent: 'claude-code',
      status: 'completed',
      latency_ms: 2887,
      agent_ms: 2451,
      cost_usd: 0.0882,
      model_calls: 6,
      tool_calls: 0,
      diff: CALC_EXTEND,
      changed_paths: ['calc.py', 'test_calc.py'],
      error: null,
    },
  ],
  cumulative_diff: CALC_FIX + CALC_EXTEND,
  simulator_usd: 0,
};

/**
 * A session of `turns` turns whose every message, agent name, path and error is `text(turn)`
 * (a persona closing it at the end): for bounds and hostile-text tests.
 */
export function longSession(turns: number, text: (turn: number) => string): MultiTurnRecord {
  const at = '2026-11-23T10:00:00Z';
  const transcript: TranscriptEntry[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    const source = turn === 1 ? 'task' : 'persona';
    transcript.push({ turn, role: 'user', source, content: text(turn), at });
    transcript.push({ turn, role: 'assistant', source: 'agent', content: text(turn), at });
  }
  transcript.push({
    turn: turns + 1,
    role: 'user',
    source: 'persona',
    content: text(turns + 1),
    at,
    closing: true,
  });
  return {
    simulator_mode: 'persona',
    memory_mode: 'replay',
    max_turns: 50,
    turns_used: turns,
    termination_reason: 'user_done',
    transcript,
    turns: Array.from({ length: turns }, (_, i) => ({
      turn: i + 1,
      agent: text(i + 1),
      status: i === turns - 1 ? 'failed' : 'completed',
      latency_ms: 1200,
      agent_ms: 1100,
      cost_usd: 0.002,
      model_calls: 2,
      tool_calls: 1,
      diff: `diff --git a/x b/x\n+${text(i + 1)}\n`,
      changed_paths: [text(i + 1), 'x', 'y', 'z', 'w', 'v', 'u'],
      error:
        i === turns - 1
          ? { class: 'agent_timeout', code: text(i + 1), message: text(i + 1) }
          : null,
    })),
    cumulative_diff: null,
    simulator_usd: 0.0123,
  };
}

/** A record of a session: its multi_turn part, its steps in turns, the simulator's cost. */
export function sessionRecord(
  multi: MultiTurnRecord,
  o: Partial<RunRecord> & { task_id: string },
): RunRecord {
  const base = record(o);
  const agent = base.cost.agent_usd;
  const judge = base.cost.judge_usd;
  const last = multi.transcript.filter((e) => e.role === 'assistant').at(-1);
  return {
    ...base,
    final_response: last?.content ?? null,
    cost: {
      agent_usd: agent,
      judge_usd: judge,
      simulator_usd: multi.simulator_usd,
      total_usd: agent + judge + multi.simulator_usd,
    },
    trajectory: {
      ...base.trajectory,
      steps: multi.turns.map((t) => ({
        at: '2026-11-23T10:00:01Z',
        type: 'model_call' as const,
        summary: `anthropic claude-haiku-4-5 200 (turn ${t.turn})`,
        observed_by: 'host' as const,
        turn: t.turn,
      })),
    },
    diff: multi.cumulative_diff,
    multi_turn: multi,
    ...o,
  };
}
