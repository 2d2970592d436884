import type { SimulatorInput, SimulatorReply, UserSimulator } from './types.js';

/**
 * Replays a fixed list of user messages in order: message `turn` of the session is
 * turns[turn - 2] (message 1 is the task's text). Past the end it is done with reason
 * `scripted_exhausted`, and no closing message. It reads only `turn`, so a resumed session gets
 * the same message for the same turn.
 */
export class ScriptedUser implements UserSimulator {
  readonly source = 'scripted' as const;
  private readonly turns: readonly string[];

  constructor(turns: readonly string[]) {
    this.turns = Object.freeze([...turns]);
  }

  async next(input: SimulatorInput): Promise<SimulatorReply> {
    const base = { cost_usd: 0, model_calls: [] };
    if (!Number.isInteger(input.turn) || input.turn < 2)
      return {
        ...base,
        message: null,
        done: true,
        reason: 'simulator_error',
        error:
          `asked for user message ${input.turn}; the simulator writes messages 2 and on ` +
          "(message 1 is the task's user text)",
      };
    const message = this.turns[input.turn - 2];
    if (message === undefined)
      return { ...base, message: null, done: true, reason: 'scripted_exhausted' };
    return { ...base, message, done: false, reason: null };
  }
}
