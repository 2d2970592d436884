import type { TurnInput } from '../session/types.js';
import type { TaskInput } from './types.js';

/**
 * The task as an agent receives it each turn (seed runbook 1's task_input): the turn's user
 * message as `user_instruction`; `messages` is the whole conversation in replay mode and only
 * the new message in stateful mode, where the agent keeps its own memory by `session_id`.
 */
export function taskInputFor(input: TurnInput, sessionId: string): TaskInput {
  return {
    user_instruction: input.message,
    behavior_instructions: input.task.behavior_instructions,
    initial_state: input.task.initial_state,
    task_id: input.task.id,
    session_id: sessionId,
    turn: input.turn,
    memory_mode: input.memory,
    messages:
      input.memory === 'stateful' ? [{ role: 'user', content: input.message }] : input.messages,
  };
}
