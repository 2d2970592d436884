// The stored, versioned record schema (schemas/run-record.schema.json) owns every shape it
// stores, so it imports no runtime module: the relay, the gateway and the agents produce these.

export const RECORD_SCHEMA_VERSION = 1;

/** Failure-mode chips (seed 001); `palette` is how reports colour them. */
export const ERROR_CLASSES = {
  auth_failed: { chip: 'auth failed', palette: 'danger' },
  agent_timeout: { chip: 'timeout', palette: 'warning' },
  agent_5xx: { chip: '5xx', palette: 'danger' },
  agent_4xx: { chip: '4xx', palette: 'amber' },
  agent_bad_response: { chip: 'bad response', palette: 'warning' },
  agent_unreachable: { chip: 'unreachable', palette: 'danger' },
  proxy_misconfigured: { chip: 'proxy misconfigured', palette: 'amber' },
  contract_error: { chip: 'contract error', palette: 'danger' },
  transport_error: { chip: 'transport error', palette: 'warning' },
  internal_error: { chip: 'internal error', palette: 'danger' },
} as const;
export type ErrorClass = keyof typeof ERROR_CLASSES;

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type RowVerdict = 'PASS' | 'FAIL' | 'PENDING' | 'NOT APPLICABLE';

export interface RunError {
  class: ErrorClass;
  /** Failure code with the seeds' meaning, e.g. agent_code_fetch_failed. */
  code?: string;
  message: string;
  detail?: string;
}

export interface JudgeCard {
  verdict: 'PASS' | 'FAIL' | 'NOT APPLICABLE';
  scores: {
    task_completion: number | null;
    instruction_adherence: number | null;
    efficiency: number | null;
  };
  failure_mode: string | null;
  reasoning: string;
  model: string | null;
  cost_usd: number;
  latency_ms: number;
  error?: string;
}

export type StepType =
  | 'file_read'
  | 'file_write'
  | 'file_op'
  | 'process'
  | 'http'
  | 'http_request'
  | 'network'
  | 'model_call'
  | 'tool_call'
  | 'trace_event'
  | 'exception'
  | 'final_response'
  | 'shell'
  | 'edit'
  | 'read'
  | 'search'
  | 'assistant'
  | 'thinking';

export interface TrajectoryStep {
  at: string;
  type: StepType;
  summary: string;
  count?: number;
  actor_id?: string;
  detail?: unknown;
  /**
   * Who saw it happen: `host` for what gauntlet observed itself (gateway calls, exit codes of
   * the execs it ran, the diff), `agent` for what the agent's own process reported (audit-hook
   * steps, a CLI's transcript, trace events' content). Reports can be forged; observations not.
   */
  observed_by?: 'host' | 'agent';
  /** Sessions: the turn the step belongs to (a turn's trajectory is its steps). */
  turn?: number;
}

/** A model call as recorded for the trajectory, cost accounting and cassettes. */
export interface ModelCall {
  id: string;
  /** The wire format the call used. */
  provider: 'anthropic' | 'openai' | 'gemini';
  model: string;
  stream: boolean;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** Set when the model is not in the price table: cost_usd is 0 because it is unknown. */
  price_unknown?: true;
  latency_ms: number;
  started_at: string;
  /** Who made it: the agent (through the gateway) or the judge/simulator on the host. */
  purpose: 'agent' | 'judge' | 'simulator';
  error?: string;
  /** Short text of what the model answered, for the trajectory view. */
  response_preview?: string;
  tool_uses?: { name: string; input: unknown }[];
  /** Tool results the client sent back in this request (those after the model's last turn). */
  tool_results?: ToolResult[];
  actor_id?: string;
}

/** A tool result as a client sent it back to the model. */
export interface ToolResult {
  id: string;
  name?: string;
  output: string;
}

/** A tool call the gateway served or refused. */
export interface ToolCallRecord {
  id: string;
  name: string;
  source: 'odyssey' | 'injected' | 'passthrough' | 'error' | 'transport_error';
  args: unknown;
  response?: unknown;
  error?: string;
  latency_ms: number;
  started_at: string;
  actor_id?: string;
}

/** A trace event the agent sent through the gateway. */
export interface TraceEvent {
  type: 'assistant_message' | 'thinking' | 'system_prompt' | 'custom' | 'handoff';
  /** Agent-supplied `__occurred_at`, else the gateway's arrival time. */
  occurred_at: string;
  received_at: string;
  actor_id?: string;
  data: Record<string, unknown>;
}

/** One scorer's badge: filled by the coding scenarios' scorers. */
export interface ScorerResult {
  name: string;
  passed: boolean;
  score?: number;
  /** The failing tail of the scorer's output, kept for the badge's expanded view. */
  tail?: string;
}

export interface RunRecord {
  schema_version: typeof RECORD_SCHEMA_VERSION;
  id: string;
  suite_run_id: string;
  suite: string;
  task_id: string;
  trial: number;
  agent: { name: string; version: string; kind: 'python' | 'http' | 'command' };
  status: RunStatus;
  error: RunError | null;
  verdict: RowVerdict;
  final_response: string | null;
  judge: JudgeCard | null;
  tool_calls: { total: number; by_source: Record<ToolCallRecord['source'], number> };
  latency_ms: number;
  phases: Record<string, number>;
  cost: { agent_usd: number; judge_usd: number; simulator_usd: number; total_usd: number };
  behavior_config: string | null;
  ledger_violations: unknown[];
  seed: {
    user_instruction: string;
    behavior_instructions: string | null;
    expected_outcome: 'completion' | 'refusal';
    initial_state: Record<string, unknown> | null;
    origin: { file: string; line: number; row?: number };
    scenario?: unknown;
  };
  trajectory: {
    steps: TrajectoryStep[];
    model_calls: ModelCall[];
    tool_calls: ToolCallRecord[];
    trace_events: TraceEvent[];
    dropped_steps: number;
  };
  diff: string | null;
  scorers: ScorerResult[];
  overall: 'PASS' | 'FAIL' | null;
  /** Tokens and cost as the coding CLI itself reported them (Claude Code's result line). */
  cli_usage?: {
    input_tokens: number;
    output_tokens: number;
    cost_usd: number | null;
    turns?: number;
  };
  soft_warnings: string[];
  banners: string[];
  /** Sessions of more than one turn (or any run of a multi_turn suite); null for one-shot runs. */
  multi_turn: MultiTurnRecord | null;
  artifacts: string[];
  debug: {
    stdout_tail?: string;
    stderr_tail?: string;
    raw_response?: string;
    exception?: { type: string; message: string; traceback: string };
  };
  provenance: Provenance;
  started_at: string;
  finished_at: string;
}

/** One line of a session's canonical transcript. `task` is the opening message, the task's text. */
export interface TranscriptEntry {
  turn: number;
  role: 'user' | 'assistant';
  source: 'task' | 'persona' | 'scripted' | 'agent';
  content: string;
  at: string;
  /** The simulator's closing message: recorded, never sent to the agent. */
  closing?: true;
}

export type TerminationReason =
  | 'user_done'
  | 'scripted_exhausted'
  | 'max_turns'
  | 'termination_keyword'
  | 'agent_error'
  | 'simulator_error'
  | 'timeout';

/** A session in the record: its transcript, each turn's own slice, and why it ended. */
export interface MultiTurnRecord {
  simulator_mode: 'persona' | 'scripted';
  memory_mode: 'replay' | 'stateful';
  max_turns: number;
  turns_used: number;
  termination_reason: TerminationReason | null;
  transcript: TranscriptEntry[];
  turns: {
    turn: number;
    agent: string;
    status: RunStatus;
    latency_ms: number;
    agent_ms: number;
    cost_usd: number;
    model_calls: number;
    tool_calls: number;
    /** Coding sessions: this turn's change, against the previous turn. */
    diff: string | null;
    changed_paths: string[];
    error: RunError | null;
  }[];
  /** Coding sessions: every turn's change against the baseline (also the record's `diff`). */
  cumulative_diff: string | null;
  simulator_usd: number;
}

export interface Provenance {
  gauntlet_version: string;
  config_hash: string;
  /** Head commit evaluated (the PR head on pull requests). */
  commit?: string;
  ref?: string;
  base_sha?: string;
  repository?: string;
  pr?: number;
  workflow_run?: string;
  run_attempt?: number;
  /** `i/n` when the suite was split across a job matrix. */
  shard?: string;
  event?: string;
  /** Where the config tree's root sits in the repository (task origins are relative to it). */
  config_root?: string;
  host: string;
}

export interface SuiteManifest {
  schema_version: typeof RECORD_SCHEMA_VERSION;
  id: string;
  suite: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  trials: number;
  counts: {
    runs: number;
    completed: number;
    failed: number;
    pass: number;
    fail: number;
    pending: number;
    not_applicable: number;
    cancelled?: number;
    not_run?: number;
  };
  pass_rate: number;
  /** Tasks whose every trial passed (pass^k) and whose any trial passed (pass@k), as fractions. */
  pass_hat_k: number;
  pass_at_k: number;
  cost: { agent_usd: number; judge_usd: number; simulator_usd: number; total_usd: number };
  latency: { p50_ms: number; p95_ms: number; max_ms: number };
  by_error_class: Record<string, number>;
  gates: { name: string; threshold: number; actual: number; passed: boolean }[];
  gates_passed: boolean;
  runs: {
    id: string;
    task_id: string;
    agent: string;
    trial: number;
    status: RunStatus;
    verdict: RowVerdict;
    error_class: ErrorClass | null;
    latency_ms: number;
    cost_usd: number;
  }[];
  provenance: Provenance;
  /** On the merged view of a sharded suite run: what it was merged from. */
  merged_from?: { suite_run_ids: string[]; shards: string[]; missing_shards: string[] };
}
