import type { RunRecord, TrajectoryStep } from '../results/record.js';

/**
 * Any run's trajectory as ATIF (Harbor's Agent Trajectory Interchange Format, v1.4): the task as
 * the user step, then agent steps — text, reasoning, and each action as a tool call with its
 * observation — and the run's token and cost totals.
 */

export const ATIF_VERSION = 'ATIF-v1.4';

interface AtifStep {
  step_id: number;
  timestamp?: string;
  source: 'system' | 'user' | 'agent';
  message: string;
  reasoning_content?: string;
  tool_calls?: {
    tool_call_id: string;
    function_name: string;
    arguments: Record<string, unknown>;
  }[];
  observation?: { results: { source_call_id: string; content: string }[] };
  extra?: Record<string, unknown>;
}

const ACTIONS = new Set([
  'shell',
  'edit',
  'read',
  'search',
  'tool_call',
  'process',
  'file_read',
  'file_write',
  'file_op',
  'http',
  'http_request',
  'network',
]);

function action(s: TrajectoryStep, id: string): Pick<AtifStep, 'tool_calls' | 'observation'> {
  const d = (s.detail ?? {}) as Record<string, unknown>;
  const args: Record<string, unknown> =
    s.type === 'shell'
      ? { command: d.command }
      : s.type === 'edit'
        ? { path: d.path, diff: d.diff }
        : d.input && typeof d.input === 'object'
          ? (d.input as Record<string, unknown>)
          : { summary: s.summary };
  const output =
    s.type === 'shell'
      ? `${String(d.output ?? '')}${d.exit_code !== undefined && d.exit_code !== null ? `\n[exit ${d.exit_code}]` : ''}`
      : String(d.output ?? d.error ?? '');
  return {
    tool_calls: [{ tool_call_id: id, function_name: s.type, arguments: args }],
    ...(output ? { observation: { results: [{ source_call_id: id, content: output }] } } : {}),
  };
}

export function toAtif(r: RunRecord): Record<string, unknown> {
  const steps: AtifStep[] = [
    { step_id: 1, timestamp: r.started_at, source: 'user', message: r.seed.user_instruction },
  ];
  let n = 0;
  for (const s of r.trajectory.steps) {
    const base = { step_id: steps.length + 1, timestamp: s.at, source: 'agent' as const };
    if (s.type === 'assistant' || s.type === 'final_response')
      steps.push({
        ...base,
        message: String((s.detail as { text?: string } | undefined)?.text ?? s.summary),
      });
    else if (s.type === 'thinking')
      steps.push({
        ...base,
        message: '',
        reasoning_content: String((s.detail as { text?: string } | undefined)?.text ?? s.summary),
      });
    else if (ACTIONS.has(s.type))
      steps.push({ ...base, message: s.summary, ...action(s, `call_${++n}`) });
    else if (s.type === 'exception')
      steps.push({ ...base, message: s.summary, extra: { exception: true } });
    // model_call and trace_event steps are accounted in final_metrics and extra, not as turns.
  }
  const prompt =
    r.cli_usage?.input_tokens ?? r.trajectory.model_calls.reduce((a, c) => a + c.input_tokens, 0);
  const completion =
    r.cli_usage?.output_tokens ?? r.trajectory.model_calls.reduce((a, c) => a + c.output_tokens, 0);
  return {
    schema_version: ATIF_VERSION,
    session_id: r.id,
    agent: {
      name: r.agent.name,
      version: r.agent.version,
      ...(r.trajectory.model_calls[0] ? { model_name: r.trajectory.model_calls[0].model } : {}),
    },
    steps,
    final_metrics: {
      total_prompt_tokens: prompt,
      total_completion_tokens: completion,
      total_cost_usd: r.cost.agent_usd,
      total_steps: steps.length,
    },
    extra: {
      gauntlet: {
        suite: r.suite,
        task_id: r.task_id,
        trial: r.trial,
        verdict: r.verdict,
        overall: r.overall,
        scorers: r.scorers,
        diff: r.diff,
      },
    },
  };
}
