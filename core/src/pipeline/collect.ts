import type { MultiTurnRecord, TrajectoryStep } from '../results/record.js';
import { emptyOutcome, type AgentOutcome } from '../session/outcome.js';
import type { Session } from '../session/session.js';
import type { Conversation } from './conversation.js';

export interface Collected {
  outcome: AgentOutcome;
  /** Filled for sessions of a multi_turn suite; null for one-shot runs. */
  multi: MultiTurnRecord | null;
}

/**
 * The collect phase: the session's turns folded into one outcome (the last turn's response,
 * every turn's steps, calls and warnings, the first failure), the cumulative diff against the
 * baseline, and the session's own section of the record.
 */
export async function collect(
  session: Session,
  c: Conversation,
  multi: { simulator_mode: 'persona' | 'scripted'; max_turns: number } | null,
  memory: 'replay' | 'stateful',
): Promise<Collected> {
  const out = emptyOutcome();
  for (const t of c.turns) {
    const o = t.outcome;
    if (multi)
      for (const x of [...t.model_calls, ...t.tool_calls]) (out.turn_of ??= {})[x.id] = t.index;
    out.steps.push(...o.steps.map((s): TrajectoryStep => (multi ? { ...s, turn: t.index } : s)));
    out.dropped_steps += o.dropped_steps;
    out.model_calls.push(...t.model_calls);
    out.tool_calls.push(...t.tool_calls);
    out.trace_events.push(...t.trace_events);
    out.soft_warnings.push(...o.soft_warnings.map((w) => (multi ? `turn ${t.index}: ${w}` : w)));
    out.phases.agent_ms = (out.phases.agent_ms ?? 0) + o.agent_ms;
    out.debug = { ...out.debug, ...o.debug };
    if (o.status !== 'completed' && out.status === 'completed') {
      out.status = o.status;
      out.error = o.error;
    }
    if (o.final_response !== null) out.final_response = o.final_response;
  }
  // Soft warnings of the gateway (what its budgets cut) belong to the whole session.
  out.soft_warnings.push(...session.gateway.budget.notes());
  if (session.hasWorkspace) {
    const eval_error = c.turns.find((t) => t.eval_error)?.eval_error;
    const cum = await session.cumulativeDiff();
    out.coding = {
      diff: cum?.diff ?? null,
      changed_paths: cum?.paths ?? [],
      scorers: [],
      ...(eval_error ? { eval_error } : {}),
    };
    const usage = c.turns.map((t) => t.outcome.cli_usage).filter((u) => !!u);
    if (usage.length)
      out.coding.cli_usage = {
        input_tokens: usage.reduce((n, u) => n + u.input_tokens, 0),
        output_tokens: usage.reduce((n, u) => n + u.output_tokens, 0),
        cost_usd: usage.every((u) => u.cost_usd !== null)
          ? usage.reduce((n, u) => n + (u.cost_usd ?? 0), 0)
          : null,
        ...(usage.some((u) => u.turns !== undefined)
          ? { turns: usage.reduce((n, u) => n + (u.turns ?? 0), 0) }
          : {}),
      };
  }
  if (c.simulator_error && out.status === 'completed') {
    out.status = 'failed';
    out.error = {
      class: 'internal_error',
      code: 'simulator_error',
      message: `the user simulator failed, so the conversation could not go on: ${c.simulator_error.slice(0, 500)}`,
    };
  }
  return {
    outcome: out,
    multi: multi
      ? {
          simulator_mode: multi.simulator_mode,
          memory_mode: memory,
          max_turns: multi.max_turns,
          turns_used: c.turns.length,
          termination_reason: c.termination,
          transcript: c.transcript,
          turns: c.turns.map((t) => ({
            turn: t.index,
            agent: t.agent,
            status: t.outcome.status,
            latency_ms: t.latency_ms,
            agent_ms: t.outcome.agent_ms,
            cost_usd: t.model_calls.reduce((n, m) => n + m.cost_usd, 0),
            model_calls: t.model_calls.length,
            tool_calls: t.tool_calls.length,
            diff: t.diff?.diff ?? null,
            changed_paths: t.diff?.paths ?? [],
            error: t.outcome.error,
          })),
          cumulative_diff: out.coding?.diff ?? null,
          simulator_usd: c.simulator_cost_usd,
        }
      : null,
  };
}
