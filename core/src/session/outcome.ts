import type { ToolCallRecord, TraceEvent } from '../gateway/types.js';
import type { ModelCall } from '../models/wire.js';
import type { WorldOutcome } from '../tools/tool-desk.js';
import type { RunError, ScorerResult, TrajectoryStep } from '../results/record.js';
import type { CliUsage } from '../trajectory/steps.js';
import type { CollectedArtifacts } from '../results/artifact-files.js';

/** What a run's session produced, collected over its turns, before grading. */
export interface AgentOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  final_response: string | null;
  error: RunError | null;
  steps: TrajectoryStep[];
  dropped_steps: number;
  model_calls: ModelCall[];
  tool_calls: ToolCallRecord[];
  trace_events: TraceEvent[];
  soft_warnings: string[];
  phases: Record<string, number>;
  debug: {
    stdout_tail?: string;
    stderr_tail?: string;
    raw_response?: string;
    exception?: { type: string; message: string; traceback: string };
  };
  /** Coding runs only: what the agent changed and how the scorers judged it. */
  coding?: CodingOutcome;
  /** Sessions: the turn each model and tool call (by id) was made in. */
  turn_of?: Record<string, number>;
  /** Runs with tools: the ledger as seeded and as left, and what the simulator did. */
  world?: WorldOutcome;
  /** The `expect:` checks' results, when the task has checks and the run completed. */
  checks?: ScorerResult[];
  /** What the llm_judge criteria (scorers and checks) cost, paid to the judge model. */
  criteria_cost_usd?: number;
  /** Sandboxed runs: what the agent left under /app/results, read before teardown. */
  artifacts?: CollectedArtifacts;
}

export interface CodingOutcome {
  diff: string | null;
  changed_paths: string[];
  scorers: ScorerResult[];
  /** Set when diff or scorer capture failed: the run stands, with a banner. */
  eval_error?: string;
  /** What the CLI itself reported (Claude Code's result line, say). */
  cli_usage?: CliUsage;
}

export function emptyOutcome(): AgentOutcome {
  return {
    status: 'completed',
    final_response: null,
    error: null,
    steps: [],
    dropped_steps: 0,
    model_calls: [],
    tool_calls: [],
    trace_events: [],
    soft_warnings: [],
    phases: {},
    debug: {},
  };
}
