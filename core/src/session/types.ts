import type { ToolCallRecord, TraceEvent } from '../gateway/types.js';
import type { ModelCall } from '../models/wire.js';
import type { RunError, TrajectoryStep } from '../results/record.js';
import type { CliUsage } from '../trajectory/steps.js';

export type MemoryMode = 'replay' | 'stateful';
export type ChatMessage = { role: 'user' | 'assistant'; content: string };

/** What one turn gives the agent. */
export interface TurnInput {
  /** 1-based, counted over the session (every agent's turns in one sandbox share the count). */
  turn: number;
  /** What the user says this turn: the task on turn 1, the simulator's message after. */
  message: string;
  /** The conversation so far with `message` last; replay mode hands all of it to the agent. */
  messages: ChatMessage[];
  memory: MemoryMode;
  /** The agent's own session to continue (a CLI's id from an earlier turn), when it has one. */
  resumeSessionId?: string | null;
  /** The task's fixed parts, as the agent contract names them. */
  task: {
    id: string;
    behavior_instructions: string | null;
    initial_state: Record<string, unknown> | null;
  };
}

/** What an adapter reports of one turn; the session adds what the host observed around it. */
export interface TurnOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  final_response: string | null;
  error: RunError | null;
  timedOut: boolean;
  steps: TrajectoryStep[];
  dropped_steps: number;
  soft_warnings: string[];
  debug: {
    stdout_tail?: string;
    stderr_tail?: string;
    raw_response?: string;
    exception?: { type: string; message: string; traceback: string };
  };
  agent_ms: number;
  /** The exit status of the agent's process when it ended this turn. */
  exitCode?: number;
  /** The agent's own session id (a CLI's, from its stream), for a later turn to resume. */
  agent_session_id?: string | null;
  /** What the CLI itself reported of its usage. */
  cli_usage?: CliUsage;
}

/** A diff read back from the sandbox: capped text, the paths it touches, its whole size. */
export interface WorkspaceDiff {
  diff: string | null;
  paths: string[];
  bytes: number;
}

/** One turn as the session saw it: the adapter's outcome and the gateway's records of it. */
export interface Turn {
  index: number;
  agent: string;
  input: TurnInput;
  outcome: TurnOutcome;
  model_calls: ModelCall[];
  tool_calls: ToolCallRecord[];
  trace_events: TraceEvent[];
  /** Coding sessions: this turn's change (against the previous turn). */
  diff: WorkspaceDiff | null;
  /** Set when the workspace snapshot after this turn failed. */
  eval_error?: string;
  started_at: string;
  latency_ms: number;
}

export function emptyTurnOutcome(): TurnOutcome {
  return {
    status: 'completed',
    final_response: null,
    error: null,
    timedOut: false,
    steps: [],
    dropped_steps: 0,
    soft_warnings: [],
    debug: {},
    agent_ms: 0,
  };
}
