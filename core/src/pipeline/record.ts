import { hostname } from 'node:os';
import type { AgentOutcome } from '../session/outcome.js';
import type { Mission } from '../config/runbook.js';
import type { Task } from '../config/tasks.js';
import type {
  JudgeCard,
  ModelCall,
  MultiTurnRecord,
  Provenance,
  RowVerdict,
  RunRecord,
  TrajectoryStep,
} from '../results/record.js';
import { sourceBadge } from '../results/record.js';
import { gauntletVersion } from '../util/paths.js';
import { structureCard } from '../world/structure.js';
import type { PreparedAgent } from './prepare.js';

export function provenance(configHash: string, extra: Partial<Provenance> = {}): Provenance {
  return {
    gauntlet_version: gauntletVersion(),
    config_hash: configHash,
    host: hostname(),
    ...extra,
  };
}

/** A model call the gateway relayed, as a trajectory step (the record's, and live progress). */
export function modelCallStep(c: ModelCall): TrajectoryStep {
  const tools = c.tool_uses?.length ? ` -> ${c.tool_uses.map((t) => t.name).join(', ')}` : '';
  return {
    at: c.started_at,
    type: 'model_call',
    summary: `${c.provider} ${c.model} ${c.status} (${c.input_tokens}+${c.output_tokens} tok, ${c.latency_ms} ms)${tools}`,
    ...(c.actor_id ? { actor_id: c.actor_id } : {}),
    detail: { id: c.id, preview: c.response_preview?.slice(0, 500) },
    observed_by: 'host',
  };
}

/** Model calls, tool calls and trace events interleaved with the captured steps, by time. */
function timeline(o: AgentOutcome): TrajectoryStep[] {
  // A step nobody marked is the agent's report: the host claims only what it observed.
  const steps: TrajectoryStep[] = o.steps.map((s) => ({
    ...s,
    observed_by: s.observed_by ?? 'agent',
  }));
  for (const c of o.model_calls)
    steps.push({ ...modelCallStep(c), ...(o.turn_of?.[c.id] ? { turn: o.turn_of[c.id] } : {}) });
  for (const t of o.tool_calls)
    steps.push({
      at: t.started_at,
      type: 'tool_call',
      summary: `${t.name} [${sourceBadge(t.source)}]${t.error ? ` ${t.error.slice(0, 120)}` : ''}`,
      ...(t.actor_id ? { actor_id: t.actor_id } : {}),
      detail: { id: t.id },
      observed_by: 'host',
      ...(o.turn_of?.[t.id] ? { turn: o.turn_of[t.id] } : {}),
    });
  for (const e of o.trace_events)
    steps.push({
      at: e.occurred_at,
      type: 'trace_event',
      summary: `${e.type}${typeof e.data.text === 'string' ? `: ${e.data.text.slice(0, 160)}` : ''}`,
      ...(e.actor_id ? { actor_id: e.actor_id } : {}),
      observed_by: 'agent',
    });
  // Stable sort keeps the final response last among equal timestamps.
  return steps
    .map((s, i) => [s, i] as const)
    .sort(([a, i], [b, j]) => a.at.localeCompare(b.at) || i - j)
    .map(([s]) => s);
}

/** A record carries its runbook's text up to this; the rest is counted, not kept. */
export const RUNBOOK_SEED_CHARS = 64 * 1024;

function runbookSeed(m: Mission): NonNullable<RunRecord['seed']['runbook']> {
  const cut = m.text.length > RUNBOOK_SEED_CHARS;
  return {
    name: m.name,
    text: cut ? m.text.slice(0, RUNBOOK_SEED_CHARS) : m.text,
    ...(cut ? { truncated_chars: m.text.length - RUNBOOK_SEED_CHARS } : {}),
  };
}

export function rowVerdict(status: RunRecord['status'], judge: JudgeCard | null): RowVerdict {
  if (!judge) return status === 'failed' ? 'PENDING' : 'NOT APPLICABLE';
  // Seed 001: when the judge cannot run, the card says NOT APPLICABLE and the row PENDING.
  if (judge.verdict === 'NOT APPLICABLE') return 'PENDING';
  // A split sampled judge is neither a clean PASS nor a clean FAIL.
  return judge.samples?.uncertain ? 'UNCERTAIN' : judge.verdict;
}

export function buildRecord(args: {
  id: string;
  suiteRunId: string;
  suite: string;
  task: Task;
  trial: number;
  agent: PreparedAgent;
  outcome: AgentOutcome;
  judge: JudgeCard | null;
  started: number;
  provenance: Provenance;
  multi?: MultiTurnRecord | null;
}): RunRecord {
  const { outcome: o, task, judge } = args;
  const agentCost = o.model_calls.reduce((n, c) => n + c.cost_usd, 0);
  const judgeCost = (judge?.cost_usd ?? 0) + (o.criteria_cost_usd ?? 0);
  // The user simulator's and the tool simulator's calls are both the simulator's share.
  const simulatorCost = (args.multi?.simulator_usd ?? 0) + (o.world?.simulator_usd ?? 0);
  const bySource = { odyssey: 0, injected: 0, passthrough: 0, error: 0, transport_error: 0 };
  for (const t of o.tool_calls) bySource[t.source]++;
  const banners: string[] = [];
  if (judge?.error)
    banners.push(
      `Eval phase failed: the judge could not grade this run (${judge.error.slice(0, 200)})`,
    );
  if (o.coding?.eval_error)
    banners.push(
      `Eval phase failed, diff/scorers may be missing: ${o.coding.eval_error.slice(0, 300)}`,
    );
  if (o.artifacts?.error)
    banners.push(
      `Artifacts could not all be collected from /app/results: ${o.artifacts.error.slice(0, 300)}`,
    );
  const warnings = [...o.soft_warnings];
  const unpriced = [...new Set(o.model_calls.filter((c) => c.price_unknown).map((c) => c.model))];
  if (unpriced.length)
    warnings.push(
      `cost unknown for ${unpriced.join(', ')}: not in the price table, counted as $0; add it under prices: in gauntlet.yaml`,
    );
  const scorers = [...(o.coding?.scorers ?? []), ...(o.checks ?? [])];
  // OVERALL: every scorer and check passed and the judge (when there is one) did not fail the
  // run; a split judge failed nothing cleanly, so the row says UNCERTAIN unless a check failed.
  // Runs with neither scorers nor checks have no OVERALL: the judge's verdict stands.
  const judgeFailed = judge?.verdict === 'FAIL' && !judge.samples?.uncertain;
  const overall =
    scorers.length && o.status === 'completed'
      ? scorers.every((x) => x.passed) && !judgeFailed
        ? 'PASS'
        : 'FAIL'
      : null;
  const judged = rowVerdict(o.status, judge);
  const verdict =
    overall === 'FAIL'
      ? 'FAIL'
      : overall === 'PASS' && judged === 'NOT APPLICABLE'
        ? 'PASS'
        : judged;
  if (o.status === 'completed' && args.agent.config.tools?.length && o.tool_calls.length === 0)
    warnings.push(
      'completed with tools declared but zero proxy calls: the gateway may be unreachable from the agent, or the agent swallowed a transport error',
    );
  const finished = Date.now();
  return {
    schema_version: 1,
    id: args.id,
    suite_run_id: args.suiteRunId,
    suite: args.suite,
    task_id: task.id,
    trial: args.trial,
    agent: { name: args.agent.config.name, version: args.agent.version, kind: args.agent.kind },
    status: o.status,
    error: o.error,
    verdict,
    final_response: o.final_response,
    judge,
    tool_calls: {
      total: o.tool_calls.length,
      by_source: bySource,
      simulator_faults: o.tool_calls.filter((t) => t.fault === 'simulator').length,
    },
    latency_ms: finished - args.started,
    phases: o.phases,
    cost: {
      agent_usd: agentCost,
      judge_usd: judgeCost,
      simulator_usd: simulatorCost,
      total_usd: agentCost + judgeCost + simulatorCost,
    },
    behavior_config: task.behavior_instructions ?? null,
    ledger_violations: o.world?.violations ?? [],
    ledger: o.world?.ledger ?? null,
    multi_agent: structureCard({
      toolCalls: o.tool_calls,
      traceEvents: o.trace_events,
      topology: args.agent.config.topology ?? null,
    }),
    seed: {
      user_instruction: task.user,
      behavior_instructions: task.behavior_instructions ?? null,
      expected_outcome: task.expected_outcome ?? 'completion',
      initial_state: task.initial_state ?? null,
      failure_rules: task.failure_rules ?? null,
      origin: task.origin,
      ...(task.expect?.length ? { expect: task.expect } : {}),
      ...(task.scenario ? { scenario: task.scenario.config } : {}),
      ...(task.mission ? { runbook: runbookSeed(task.mission) } : {}),
      ...(task.uploads?.length
        ? { files: task.uploads.map((u) => ({ name: u.name, path: u.path, size: u.size })) }
        : {}),
    },
    trajectory: {
      steps: timeline(o),
      model_calls: o.model_calls,
      tool_calls: o.turn_of
        ? o.tool_calls.map((c) => (o.turn_of![c.id] ? { ...c, turn: o.turn_of![c.id] } : c))
        : o.tool_calls,
      trace_events: o.trace_events,
      dropped_steps: o.dropped_steps,
    },
    diff: o.coding?.diff ?? null,
    scorers,
    overall,
    ...(o.coding?.cli_usage ? { cli_usage: o.coding.cli_usage } : {}),
    soft_warnings: warnings,
    banners,
    multi_turn: args.multi ?? null,
    artifacts: o.artifacts?.entries ?? [],
    debug: o.debug,
    provenance: args.provenance,
    started_at: new Date(args.started).toISOString(),
    finished_at: new Date(finished).toISOString(),
  };
}
