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
/**
 * UNCERTAIN: a sampled judge split (its card's `samples.uncertain`); it is neither a clean PASS
 * nor a clean FAIL, and never counts as a pass.
 */
export type RowVerdict = 'PASS' | 'FAIL' | 'UNCERTAIN' | 'PENDING' | 'NOT APPLICABLE';

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
  /**
   * Set when the suite asked the judge more than once (judge.samples > 1): the votes, the
   * majority's share of them (0..1), and whether the vote was split (share below 0.75, or a tie).
   */
  samples?: { n: number; pass: number; fail: number; agreement: number; uncertain: boolean };
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

/** Where a tool call's answer came from (seed 001's source badges; `odyssey` = simulated). */
export type ToolSource = 'odyssey' | 'injected' | 'passthrough' | 'error' | 'transport_error';

/**
 * Tool-call source badges (seed 001). The stored source `odyssey` is a call the simulator
 * answered from the seeded world: it reads as "simulated".
 */
export const SOURCE_BADGES: Record<ToolSource, string> = {
  odyssey: 'simulated',
  injected: 'injected',
  passthrough: 'passthrough',
  error: 'error',
  transport_error: 'transport error',
};

/** A source's badge; a source this version does not know shows as it was stored. */
export const sourceBadge = (s: string) =>
  Object.hasOwn(SOURCE_BADGES, s) ? SOURCE_BADGES[s as ToolSource] : s;

/**
 * The world-state ledger (seed 004; seed 001's ledger viewer). Entities are keyed by type,
 * then id; the id field is kept among the fields.
 */
export interface LedgerState {
  entities: Record<string, Record<string, Record<string, unknown>>>;
  /** State-change flags that are set, in the order they were set. */
  flags: string[];
  /** Removed entities as they were when removed, by type then id. */
  tombstones: Record<string, Record<string, Record<string, unknown>>>;
}

/** One ledger operation: the authoritative per-step delta (the Changes view). */
export type LedgerOp =
  | { op: 'add'; entity_type: string; entity_id: string; fields: Record<string, unknown> }
  | { op: 'update'; entity_type: string; entity_id: string; fields: Record<string, unknown> }
  | { op: 'remove'; entity_type: string; entity_id: string }
  /** value false clears the flag; absent means true. */
  | { op: 'set_flag'; flag: string; value?: boolean };

/**
 * A multi-agent system's declared shape: its nodes (actor ids, as in actor_id paths), the
 * tools each owns, and who may delegate to whom.
 */
export interface Topology {
  agents: { id: string; description?: string; tools?: string[]; delegates_to?: string[] }[];
  /** Peer transfers the design allows (handoff trace events), as [from, to]. */
  handoffs?: [string, string][];
}

/** A suite's gates: any failing one fails the suite run. */
export interface Gates {
  min_pass_rate?: number;
  max_cost_usd?: number;
  max_p95_latency_ms?: number;
  max_failed_runs?: number;
}

/** A declared ledger schema (seed 004), as validated by world/ledger-schema.ts. */
export interface LedgerSchema {
  entities: {
    type: string;
    id_field: string;
    description?: string;
    fields?: {
      name: string;
      type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
      enum?: (string | number | boolean)[];
      description?: string;
    }[];
  }[];
  flags?: { policy?: 'open' | 'closed'; values?: string[] };
}

/** A tool call the gateway served or refused: one ledger row. */
export interface ToolCallRecord {
  id: string;
  name: string;
  source: ToolSource;
  args: unknown;
  response?: unknown;
  error?: string;
  /** The HTTP status the caller got. */
  status?: number;
  /**
   * Whose fault a failed call is: the agent's (bad arguments, an undeclared tool), the
   * simulator's (no valid reply after one retry; counted apart from the agent's mistakes), or
   * the platform's (lock contention, a tool that cannot execute here, a refused body).
   */
  fault?: 'agent' | 'simulator' | 'platform';
  latency_ms: number;
  /** The simulator model's share of latency_ms (simulated calls). */
  model_ms?: number;
  started_at: string;
  actor_id?: string;
  /** Sessions: the turn the call was made in. */
  turn?: number;
  /** The task's failure rule that fired (its index in failure_rules), for injected rows. */
  rule?: number;
  /**
   * The ledger after the call and the operations applied by it. `state` is null when the run's
   * byte budget for ledger snapshots is spent (the Changes still rebuild it from the initial).
   */
  ledger?: { state: LedgerState | null; changes: LedgerOp[] };
}

/**
 * A task's failure rule: when it matches a call, the agent gets the configured error instead of
 * the tool's answer (source `injected`). Every given condition must hold.
 */
export interface FailureRule {
  tool: string;
  /** Each key must deep-equal the call's argument of that name. */
  args?: Record<string, unknown>;
  /** Only the nth call of the tool in the run (1-based). */
  nth?: number;
  /** Fires with this probability (0..1), drawn from the run's seeded generator. */
  probability?: number;
  /** What the agent gets: an HTTP status (default 500) and the error's type and message. */
  error: { status?: number; type?: string; message: string };
}

/** An operation the simulator or a passthrough write proposed that the ledger refused. */
export interface LedgerViolation {
  call_id: string;
  tool: string;
  /** Which attempt: the simulator's first reply, its retry, or a passthrough adapter write. */
  attempt: 'first' | 'retry' | 'adapter';
  errors: string[];
}

/**
 * The multi-agent structure card (seed 001), reconstructed from actor_id paths on tool calls
 * and trace events, unioned with ordered handoff events, grounded against a declared topology.
 */
export interface StructureCard {
  summary: {
    sub_agents: number;
    delegation_depth: number;
    handoffs: number;
    /** A topology was declared on the agent. */
    declared: boolean;
  };
  attribution: {
    /** Calls whose actor_id names their caller. */
    derived: number;
    /** Calls without an actor_id whose tool exactly one declared node owns. */
    credited_via_owner: number;
    /** Calls nobody can be credited with honestly: never guessed. */
    unattributed: number;
  };
  divergence: {
    declared_only_nodes: string[];
    undeclared_nodes: string[];
    declared_only_edges: { from: string; to: string }[];
    undeclared_edges: { from: string; to: string }[];
  };
  roster: {
    actor: string;
    tools: string[];
    calls: number;
    provenance: 'observed' | 'declared' | 'observed+declared';
  }[];
  relationships: {
    from: string;
    to: string;
    kind: 'delegation' | 'handoff';
    count: number;
    /** False for a declared edge the run never used. */
    exercised: boolean;
  }[];
  handoff_timeline: { at: string; from: string; to: string }[];
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
  /** The `expect:` check kind (contains, tool_called, ...); absent for a scenario's scorers. */
  check?: string;
}

export interface RunRecord {
  schema_version: typeof RECORD_SCHEMA_VERSION;
  id: string;
  suite_run_id: string;
  suite: string;
  task_id: string;
  trial: number;
  /**
   * A confirmation re-run: an extra trial of a task that flipped against the base, run after the
   * suite to confirm or refute the flip (its trial number continues after the original ones).
   * Comparisons keep it out of the first test and judge the flip with it alone.
   */
  confirmation?: boolean;
  agent: { name: string; version: string; kind: 'python' | 'http' | 'command' };
  status: RunStatus;
  error: RunError | null;
  verdict: RowVerdict;
  final_response: string | null;
  judge: JudgeCard | null;
  tool_calls: {
    total: number;
    by_source: Record<ToolSource, number>;
    /** Calls that failed through the simulator's fault, not the agent's. */
    simulator_faults: number;
  };
  latency_ms: number;
  phases: Record<string, number>;
  cost: { agent_usd: number; judge_usd: number; simulator_usd: number; total_usd: number };
  behavior_config: string | null;
  ledger_violations: LedgerViolation[];
  /** Runs with tools: the declared schema, and the ledger as seeded and as left. */
  ledger: { schema: LedgerSchema | null; initial: LedgerState; final: LedgerState } | null;
  /** Multi-agent runs only (seed 001); single-agent runs have none. */
  multi_agent: StructureCard | null;
  seed: {
    user_instruction: string;
    behavior_instructions: string | null;
    expected_outcome: 'completion' | 'refusal';
    initial_state: Record<string, unknown> | null;
    failure_rules: FailureRule[] | null;
    origin: { file: string; line: number; row?: number };
    scenario?: unknown;
    /** The task's `expect:` checks as written, the suite's first. */
    expect?: Record<string, unknown>[];
    /** A runbook run's mission: its file (or inline name) and text, cut past 64K chars. */
    runbook?: { name: string; text: string; truncated_chars?: number };
    /** A runbook run's uploads, as put in /app/uploads/<name>. */
    files?: { name: string; path: string; size: number }[];
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
  /** What the agent left under /app/results (sandboxed runs); stored beside the record. */
  artifacts: ArtifactEntry[];
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

/**
 * One file the agent left under /app/results. Stored ones are at
 * runs/<suite_run_id>/artifacts/<run id>/<path> in the results directory and on the branch.
 */
export interface ArtifactEntry {
  /** Relative to /app/results, '/'-separated, never '..' or absolute. */
  path: string;
  /** Bytes as found in the sandbox. */
  size: number;
  /** Of the bytes as found (before redaction); empty when they were not read. */
  sha256: string;
  /** By extension, then sniffed from the first bytes. */
  content_type: string;
  /** False when refused: over a cap, a link or not a regular file, a secret in a binary. */
  stored: boolean;
  /** Why it was not stored; or 'redacted' when a text file had secret values replaced. */
  note?: string;
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
    /** Runs whose sampled judge split (verdict UNCERTAIN); absent in manifests before sampling. */
    uncertain?: number;
    cancelled?: number;
    not_run?: number;
  };
  pass_rate: number;
  /**
   * pass^k and pass@k at k = the fewest trials a task has (every trial passed / any did, when
   * all tasks ran `trials` times): the last point of `pass_k_curve`.
   */
  pass_hat_k: number;
  pass_at_k: number;
  /** The unbiased pass^k and pass@k for k = 1 .. the fewest trials (results/pass-k.ts). */
  pass_k_curve?: { k: number; pass_hat_k: number; pass_at_k: number }[];
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
    /** The explorer's columns (absent in manifests written before the viewer). */
    agent_version?: string;
    started_at?: string;
    failure_mode?: string | null;
    tool_calls?: { total: number; by_source: Record<ToolSource, number> };
    /** Cut to LISTED_BEHAVIOR_CHARS; the record has the whole text. */
    behavior_config?: string | null;
    ledger_violations?: number;
    /** A confirmation re-run: listed, not counted in the rates. */
    confirmation?: true;
  }[];
  provenance: Provenance;
  /** On the merged view of a sharded suite run: what it was merged from. */
  merged_from?: { suite_run_ids: string[]; shards: string[]; missing_shards: string[] };
  /** Set when flipped tasks were re-run to confirm them (the Action's `confirm`). */
  confirmation?: ConfirmationRun;
  /**
   * Where the results branch's viewer is published (the Action's `pages-url`, an https URL),
   * so the App links check runs and the comment into it with no setting of its own. Read as
   * untrusted: links are made only from a plain https URL (report/viewer-links.ts).
   */
  viewer_url?: string;
}

/**
 * What a confirmation did: which flipped tasks it re-run and which it left, and why. Whether
 * each was confirmed, refuted or undecided is computed from the records (`compareRuns`), never
 * stored twice.
 */
export interface ConfirmationRun {
  /** Extra trials per re-run task. */
  extra_trials: number;
  /** The base suite run(s) the flips were found against. */
  base_suite_runs: string[];
  /** Re-run tasks, most suspicious first. */
  tasks: { task_id: string; agent: string; change: 'regressed' | 'improved' }[];
  /** Flips not re-run: past the cost cap, or past the depth where a re-run could confirm. */
  not_rerun: { task_id: string; agent: string; reason: 'cost_cap' | 'not_confirmable' }[];
  /** What the re-runs cost; the cap they were held to (null: none). */
  cost_usd: number;
  max_cost_usd: number | null;
}
