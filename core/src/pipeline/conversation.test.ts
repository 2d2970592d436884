import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from '../models/prices.js';
import { ModelRelay } from '../models/relay.js';
import type { AgentAdapter } from '../session/adapter.js';
import { Session } from '../session/session.js';
import { emptyTurnOutcome, type TurnInput, type TurnOutcome } from '../session/types.js';
import type { UserSimulator as UserSide } from '../users/types.js';
import { converse } from './conversation.js';

/** An in-process agent: what it answers each turn is the test's to say. */
function agent(answer: (i: TurnInput) => Partial<TurnOutcome>): AgentAdapter & {
  inputs: TurnInput[];
} {
  const inputs: TurnInput[] = [];
  return {
    kind: 'fake',
    name: 'fake',
    sandboxed: false,
    mounts: [],
    inputs,
    async runTurn(_s, input) {
      inputs.push(input);
      return { ...emptyTurnOutcome(), ...answer(input) };
    },
  };
}

function scripted(lines: string[]): UserSide {
  let i = 0;
  return {
    source: 'scripted',
    async next() {
      return i < lines.length
        ? { message: lines[i++], done: false, reason: null, cost_usd: 0, model_calls: [] }
        : { message: null, done: true, reason: 'scripted_exhausted', cost_usd: 0, model_calls: [] };
    },
  };
}

const sessions: Session[] = [];
async function session() {
  const s = await Session.open({
    runId: `conv-${process.pid}-${sessions.length}`,
    token: 'gt_conv_token',
    relay: new ModelRelay({}, new PriceTable()),
  });
  sessions.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

const task = { id: 't', user: 'hello', behavior_instructions: null, initial_state: null };
const multi = (
  user: UserSide,
  extra: Partial<{ max_turns: number; termination_keyword: string }> = {},
) => ({
  max_turns: 10,
  memory_mode: 'replay' as const,
  user,
  ...extra,
});

describe('a conversation ends for the first reason, and only that one', () => {
  it('scripted_exhausted: every scripted line is said, then the session ends', async () => {
    const a = agent((i) => ({ final_response: `re: ${i.message}` }));
    const c = await converse(await session(), a, {
      task,
      multi: multi(scripted(['two', 'three'])),
    });
    expect(c.termination).toBe('scripted_exhausted');
    expect(a.inputs.map((i) => i.message)).toEqual(['hello', 'two', 'three']);
    expect(c.transcript.map((e) => [e.turn, e.source, e.content])).toEqual([
      [1, 'task', 'hello'],
      [1, 'agent', 're: hello'],
      [2, 'scripted', 'two'],
      [2, 'agent', 're: two'],
      [3, 'scripted', 'three'],
      [3, 'agent', 're: three'],
    ]);
    // Replay memory: each turn carries the conversation so far.
    expect(a.inputs[2].messages).toHaveLength(5);
  });

  it('user_done: the closing message is recorded and never reaches the agent', async () => {
    const a = agent(() => ({ final_response: 'refund issued' }));
    const user: UserSide = {
      source: 'persona',
      next: async () => ({
        message: 'thanks, bye',
        done: true,
        reason: 'user_done',
        cost_usd: 0.01,
        model_calls: [],
      }),
    };
    const c = await converse(await session(), a, { task, multi: multi(user) });
    expect(c.termination).toBe('user_done');
    expect(a.inputs).toHaveLength(1);
    expect(c.transcript.at(-1)).toMatchObject({ content: 'thanks, bye', closing: true });
    expect(c.simulator_cost_usd).toBeCloseTo(0.01);
  });

  it('max_turns: the cap counts agent turns', async () => {
    const a = agent(() => ({ final_response: 'ok' }));
    const c = await converse(await session(), a, {
      task,
      multi: multi(scripted(Array(20).fill('more')), { max_turns: 3 }),
    });
    expect([c.termination, a.inputs.length]).toEqual(['max_turns', 3]);
  });

  it('termination_keyword: in an agent reply, it ends the session before the user speaks', async () => {
    const a = agent((i) => ({ final_response: i.turn === 2 ? 'ticket CLOSED' : 'working' }));
    const c = await converse(await session(), a, {
      task,
      multi: multi(scripted(['a', 'b', 'c']), { termination_keyword: 'CLOSED' }),
    });
    expect([c.termination, a.inputs.length]).toEqual(['termination_keyword', 2]);
  });

  it('agent_error and timeout: a failed turn ends the session, named for how it failed', async () => {
    const err = { class: 'contract_error' as const, code: 'x', message: 'boom' };
    const broken = agent((i) => (i.turn === 2 ? { status: 'failed', error: err } : {}));
    const c1 = await converse(await session(), broken, {
      task,
      multi: multi(scripted(['a', 'b'])),
    });
    expect(c1.termination).toBe('agent_error');
    const slow = agent(() => ({ status: 'failed', timedOut: true, error: err }));
    const c2 = await converse(await session(), slow, { task, multi: multi(scripted(['a'])) });
    expect(c2.termination).toBe('timeout');
  });

  it('simulator_error: a failing user side ends the session and says why', async () => {
    const a = agent(() => ({ final_response: 'ok' }));
    const user: UserSide = {
      source: 'persona',
      next: async () => ({
        message: null,
        done: true,
        reason: 'simulator_error',
        cost_usd: 0,
        model_calls: [],
        error: 'unparseable reply',
      }),
    };
    const c = await converse(await session(), a, { task, multi: multi(user) });
    expect([c.termination, c.simulator_error]).toEqual(['simulator_error', 'unparseable reply']);
  });

  it('stateful memory: only the new message, and the session id the agent last reported', async () => {
    const a = agent((i) => ({ final_response: 'ok', agent_session_id: `cli-${i.turn}` }));
    await converse(await session(), a, {
      task,
      multi: { ...multi(scripted(['two', 'three'])), memory_mode: 'stateful' },
    });
    expect(a.inputs.map((i) => [i.memory, i.resumeSessionId])).toEqual([
      ['stateful', null],
      ['stateful', 'cli-1'],
      ['stateful', 'cli-2'],
    ]);
  });

  it('a one-shot run is one turn and no termination reason', async () => {
    const a = agent(() => ({ final_response: 'ok' }));
    const c = await converse(await session(), a, { task });
    expect([c.turns.length, c.termination]).toEqual([1, null]);
  });
});
