import type { ModelCall } from '../models/wire.js';
import type { TerminationReason, TranscriptEntry } from '../results/record.js';
import type { UserSimulator } from '../users/types.js';
import type { AgentAdapter } from '../session/adapter.js';
import type { Session } from '../session/session.js';
import type { ChatMessage, MemoryMode, Turn, TurnInput } from '../session/types.js';

export type { TerminationReason, TranscriptEntry };

export interface ConversationPlan {
  task: {
    id: string;
    user: string;
    behavior_instructions: string | null;
    initial_state: Record<string, unknown> | null;
  };
  /** Absent for a one-shot run: one turn, no simulator. */
  multi?: {
    max_turns: number;
    memory_mode: MemoryMode;
    termination_keyword?: string | null;
    user: UserSimulator;
  };
}

export interface Conversation {
  turns: Turn[];
  transcript: TranscriptEntry[];
  termination: TerminationReason | null;
  /** Set when the simulator failed: why. */
  simulator_error?: string;
  simulator_cost_usd: number;
  simulator_calls: ModelCall[];
}

/**
 * The turns phase: the agent answers, then the user side decides the next message or the end.
 * A one-shot run is this loop taken once. Stateful memory hands the agent only the new message
 * and lets a CLI resume the session id its last turn reported; replay hands it all.
 */
export async function converse(
  session: Session,
  agent: AgentAdapter,
  plan: ConversationPlan,
  signal?: AbortSignal,
): Promise<Conversation> {
  const mt = plan.multi;
  const memory: MemoryMode = mt?.memory_mode ?? 'replay';
  const c: Conversation = {
    turns: [],
    transcript: [],
    termination: null,
    simulator_cost_usd: 0,
    simulator_calls: [],
  };
  const end = (r: TerminationReason) => void (c.termination ??= r);
  const say = (turn: number, e: Omit<TranscriptEntry, 'turn' | 'at'>) =>
    c.transcript.push({ turn, ...e, at: new Date().toISOString() });
  const messages: ChatMessage[] = [{ role: 'user', content: plan.task.user }];
  say(1, { role: 'user', source: 'task', content: plan.task.user });
  let resumeId: string | null = null;
  for (let n = 1; !signal?.aborted; n++) {
    const input: TurnInput = {
      turn: n,
      message: messages[messages.length - 1].content,
      messages: [...messages],
      memory,
      resumeSessionId: memory === 'stateful' ? resumeId : null,
      task: {
        id: plan.task.id,
        behavior_instructions: plan.task.behavior_instructions,
        initial_state: plan.task.initial_state,
      },
    };
    const turn = await session.turn(agent, input, signal);
    c.turns.push(turn);
    resumeId = turn.outcome.agent_session_id ?? resumeId;
    if (turn.outcome.status === 'cancelled' || signal?.aborted) break;
    if (turn.outcome.status === 'failed') {
      if (mt) end(turn.outcome.timedOut ? 'timeout' : 'agent_error');
      break;
    }
    const reply = turn.outcome.final_response ?? '';
    messages.push({ role: 'assistant', content: reply });
    say(n, { role: 'assistant', source: 'agent', content: reply });
    if (!mt) break;
    if (mt.termination_keyword && reply.includes(mt.termination_keyword)) {
      end('termination_keyword');
      break;
    }
    if (n >= mt.max_turns) {
      end('max_turns');
      break;
    }
    const next = await mt.user.next(
      { task: plan.task.user, transcript: [...messages], turn: n + 1 },
      signal,
    );
    c.simulator_cost_usd += next.cost_usd;
    c.simulator_calls.push(...(next.model_calls ?? []));
    if (next.reason === 'simulator_error' || next.error) {
      c.simulator_error = next.error ?? 'the simulator failed';
      end('simulator_error');
      break;
    }
    if (next.done) {
      if (next.message)
        say(n + 1, { role: 'user', source: mt.user.source, content: next.message, closing: true });
      end(next.reason === 'scripted_exhausted' ? 'scripted_exhausted' : 'user_done');
      break;
    }
    const text = next.message ?? '';
    messages.push({ role: 'user', content: text });
    say(n + 1, { role: 'user', source: mt.user.source, content: text });
  }
  return c;
}
