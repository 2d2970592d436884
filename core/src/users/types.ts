import type { ModelCall } from '../models/wire.js';

/** One message of a session's conversation, as the simulator sees it. */
export interface TranscriptMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * What the simulator is asked for. A session's first user message is the task's `user` text,
 * sent by the engine without asking the simulator; the simulator writes messages 2..n.
 */
export interface SimulatorInput {
  /** The task's `user` text: the user's goal, and message 1 of the session. */
  task: string;
  /** The conversation so far, oldest first, starting with the task's `user` text. */
  transcript: TranscriptMessage[];
  /** The number of the user message asked for: 2 on the first call (1 is the task's text). */
  turn: number;
}

/**
 * Why a simulator stopped, named as the session's termination reasons: `user_done` (the persona
 * says the goal is met or cannot be), `scripted_exhausted` (the script has no message left),
 * `simulator_error` (the model failed, or its reply could not be used).
 */
export type SimulatorStop = 'user_done' | 'scripted_exhausted' | 'simulator_error';

export interface SimulatorReply {
  /**
   * done=false: the next user message, to send to the agent (never blank).
   * done=true: the persona's closing words, or null. They belong in the transcript (source
   * persona) and must NOT be sent to the agent: the conversation is over.
   */
  message: string | null;
  done: boolean;
  /** Set exactly when done is true. */
  reason: SimulatorStop | null;
  /** What this call cost, retries included: the record's simulator cost. 0 when scripted. */
  cost_usd: number;
  /** The simulator's model calls (purpose `simulator`), one per attempt; [] when scripted. */
  model_calls: ModelCall[];
  /** With reason simulator_error: what went wrong, for the record. */
  error?: string;
}

/**
 * Plays the user of a multi-turn session. `next` never throws: a model failure, an unusable
 * reply or an abort is a reply with reason `simulator_error`, so one session's simulator cannot
 * take the suite down. An abort is reported as such; the engine, which aborted, names the
 * termination (its own reason, e.g. `timeout`, came first).
 */
export interface UserSimulator {
  /** The transcript's source for the messages it writes. */
  readonly source: 'persona' | 'scripted';
  next(input: SimulatorInput, signal?: AbortSignal): Promise<SimulatorReply>;
}
