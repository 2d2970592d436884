/** The task as an agent receives it (seed runbook 1: task_input["user_instruction"]). */
export interface TaskInput {
  user_instruction: string;
  behavior_instructions: string | null;
  initial_state: Record<string, unknown> | null;
  task_id: string;
  session_id: string;
  /** 1-based turn of the session; a one-shot run is turn 1 of 1. */
  turn: number;
  memory_mode: 'replay' | 'stateful';
  messages: { role: 'user' | 'assistant'; content: string }[];
}
