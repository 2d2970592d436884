import type { RunRecord } from '../results/record.js';
import { chip, ms, toolCalls, usd } from './format.js';

/** The Agent Trace view of seed 001, top to bottom, as text. */
export function renderTrace(r: RunRecord): string {
  const out: string[] = [];
  const rule = (title: string) => out.push('', `── ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}`);
  out.push(`${r.agent.name}@${r.agent.version} · ${r.status.toUpperCase()}${r.error ? ` [${chip(r)}]` : ''} · verdict ${r.verdict} · ${usd(r.cost.total_usd)} · ${ms(r.latency_ms)}`);
  out.push(`run ${r.id} · suite ${r.suite} · task ${r.task_id}${r.trial > 1 ? ` #${r.trial}` : ''} · ${r.started_at}`);
  for (const b of r.banners) out.push(`!! ${b}`);
  for (const w of r.soft_warnings) out.push(`(!) ${w}`);
  if (r.error) {
    rule('Error');
    out.push(`${r.error.class}${r.error.code ? ` / ${r.error.code}` : ''}: ${r.error.message}`);
    if (r.error.detail) out.push(r.error.detail.split('\n').slice(-15).map((l) => `  ${l}`).join('\n'));
  }
  rule('Judge verdict');
  if (!r.judge) out.push('no judge (judge: none)');
  else {
    const j = r.judge;
    out.push(`${j.verdict}${j.failure_mode ? ` · failure mode: ${j.failure_mode}` : ''} · ${j.model ?? '-'} · ${usd(j.cost_usd)}`);
    if (j.verdict !== 'NOT APPLICABLE') out.push(`task completion ${j.scores.task_completion}/5 · instruction adherence ${j.scores.instruction_adherence ?? 'null'} · efficiency ${j.scores.efficiency}/5`);
    out.push(j.reasoning);
  }
  rule('Task seed');
  out.push(`user_instruction: ${r.seed.user_instruction}`);
  if (r.seed.behavior_instructions) out.push(`behavior_instructions: ${r.seed.behavior_instructions}`);
  out.push(`expected_outcome: ${r.seed.expected_outcome}`);
  if (r.seed.initial_state) out.push(`initial_state: ${JSON.stringify(r.seed.initial_state)}`);
  out.push(`from ${r.seed.origin.file}:${r.seed.origin.line}`);
  rule(`Trajectory (${r.trajectory.steps.length} steps; tool calls ${toolCalls(r)})`);
  const t0 = Date.parse(r.started_at);
  for (const s of r.trajectory.steps) {
    const dt = Math.max(0, Date.parse(s.at) - t0);
    out.push(`+${(dt / 1000).toFixed(2).padStart(6)}s  ${s.type.padEnd(14)} ${s.summary}${s.count ? `  (x${s.count})` : ''}${s.actor_id ? `  [${s.actor_id}]` : ''}`);
  }
  if (r.trajectory.dropped_steps) out.push(`… ${r.trajectory.dropped_steps} more steps were not kept`);
  if (!r.trajectory.steps.length) out.push('(empty: capture keys off real file, process and network activity)');
  rule('Final response');
  out.push(r.final_response ?? '(none)');
  rule('Debug');
  if (r.debug.exception) out.push(`exception ${r.debug.exception.type}: ${r.debug.exception.message}`, r.debug.exception.traceback);
  if (r.debug.stdout_tail) out.push('stdout:', r.debug.stdout_tail);
  if (r.debug.stderr_tail) out.push('stderr:', r.debug.stderr_tail);
  if (r.debug.raw_response) out.push('raw response:', r.debug.raw_response);
  out.push(`phases: ${Object.entries(r.phases).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
  return out.join('\n');
}
