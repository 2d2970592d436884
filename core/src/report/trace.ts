import type { RunRecord } from '../results/record.js';
import { plainLine, plainText } from '../util/untrusted-text.js';
import {
  chip,
  completionWarning,
  judgeVerdict,
  ms,
  toolCalls,
  usd,
  ZERO_PROXY_CALLS_CAUSES,
} from './format.js';
import { failureRuleText, ledgerText, type StateChoice, violationsText } from './ledger.js';
import { structureText } from './structure-card.js';
import { sessionText } from './transcript.js';

export interface TraceOptions {
  /** Colour the diff and the completion warning with SGR sequences; only for a terminal. */
  color?: boolean;
  /** Which ledger State the tool calls show: after the last row (default), every row, one call. */
  ledgerState?: StateChoice;
}

/** Failure rules the seed panel lists; the rest are counted (`--json` has them all). */
const SEED_RULES = 50;

const SGR = {
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
};
const RESET = '\x1b[0m';
const TAIL_LINES = 20;

/** A diff line's colour: additions green, removals red, hunk heads cyan, file heads bold. */
function diffColour(line: string): string {
  if (/^(diff --git|index |\+\+\+ |--- )/.test(line)) return SGR.bold;
  if (line.startsWith('@@')) return SGR.cyan;
  if (line.startsWith('+')) return SGR.green;
  if (line.startsWith('-')) return SGR.red;
  return '';
}

/**
 * The agent CLI's own cost and gauntlet's price-table cost disagree when they differ by more
 * than a cent and by more than 5%: below either, the difference is rounding and price dates.
 */
export function cliCostDisagrees(r: RunRecord): boolean {
  const cli = r.cli_usage?.cost_usd;
  if (typeof cli !== 'number') return false;
  const gap = Math.abs(cli - r.cost.agent_usd);
  return gap > 0.01 && gap > 0.05 * Math.max(cli, r.cost.agent_usd);
}

/**
 * The Agent Trace view of seed 001, top to bottom, as text for a terminal. Everything from the
 * record is made inert (no terminal sequences or controls); colour is ours alone.
 */
export function renderTrace(r: RunRecord, o: TraceOptions = {}): string {
  const out: string[] = [];
  const line = (...texts: string[]) => out.push(...texts.map(plainText));
  const rule = (title: string) =>
    line('', `── ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}`);
  const status = `${r.status.toUpperCase()}${r.error ? ` [${chip(r)}]` : ''}`;
  line(
    `${r.agent.name}@${r.agent.version} · ${status} · verdict ${r.verdict}` +
      ` · ${usd(r.cost.total_usd)} · ${ms(r.latency_ms)}`,
  );
  line(
    `run ${r.id} · suite ${r.suite} · task ${r.task_id}${r.trial > 1 ? ` #${r.trial}` : ''}` +
      ` · ${r.started_at}`,
  );
  line(
    `cost: agent ${usd(r.cost.agent_usd)} · judge ${usd(r.cost.judge_usd)}` +
      ` · simulator ${usd(r.cost.simulator_usd)}`,
  );
  if (cliCostDisagrees(r)) {
    const cli = usd(r.cli_usage!.cost_usd!);
    line(
      `  note: the agent CLI reported ${cli} for itself (cli_usage.cost_usd);`,
      `  agent ${usd(r.cost.agent_usd)} is gauntlet's price table over the model calls the gateway`,
      '  recorded (cost.agent_usd), which totals and cost gates use.',
    );
  }
  for (const b of r.banners) line(`!! ${plainLine(b)}`);
  // The completion warning is a banner (seed 001's yellow one), with its likely causes.
  const warning = completionWarning(r);
  if (warning) {
    const text = [`!! WARNING: ${plainLine(warning)}`, `   ${ZERO_PROXY_CALLS_CAUSES}`];
    if (o.color) out.push(...text.map((t) => `${SGR.yellow}${plainText(t)}${RESET}`));
    else line(...text);
  }
  for (const w of r.soft_warnings) if (w !== warning) line(`(!) ${plainLine(w)}`);
  if (r.error) {
    rule('Error');
    line(`${r.error.class}${r.error.code ? ` / ${r.error.code}` : ''}: ${r.error.message}`);
    if (r.error.detail)
      line(
        r.error.detail
          .split('\n')
          .slice(-15)
          .map((l) => `  ${l}`)
          .join('\n'),
      );
  }
  rule('Judge verdict');
  if (!r.judge) line('no judge (judge: none)');
  else {
    const j = r.judge;
    const mode = j.failure_mode ? ` · failure mode: ${j.failure_mode}` : '';
    line(`${judgeVerdict(j)}${mode} · ${j.model ?? '-'} · ${usd(j.cost_usd)}`);
    if (j.verdict !== 'NOT APPLICABLE') {
      const s = j.scores;
      const adherence = s.instruction_adherence ?? 'null';
      line(
        `task completion ${s.task_completion}/5 · instruction adherence ${adherence}` +
          ` · efficiency ${s.efficiency}/5`,
      );
    }
    line(j.reasoning);
  }
  if (r.scorers.length || r.overall) {
    rule(`Scorers · OVERALL ${r.overall ?? '-'}`);
    for (const s of r.scorers) {
      line(`${s.passed ? '✓' : '✗'} ${s.name}${s.score !== undefined ? `  score ${s.score}` : ''}`);
      if (s.passed || !s.tail) continue;
      const tail = plainText(s.tail).replace(/\n$/, '').split('\n');
      if (tail.length > TAIL_LINES) {
        line(`    … last ${TAIL_LINES} of ${tail.length} lines (--json for all)`);
      }
      line(...tail.slice(-TAIL_LINES).map((l) => `    ${l}`));
    }
  }
  rule('Task seed');
  line(`user_instruction: ${r.seed.user_instruction}`);
  if (r.seed.behavior_instructions) line(`behavior_instructions: ${r.seed.behavior_instructions}`);
  line(`expected_outcome: ${r.seed.expected_outcome}`);
  if (r.seed.initial_state) line(`initial_state: ${JSON.stringify(r.seed.initial_state)}`);
  const rules = Array.isArray(r.seed.failure_rules) ? r.seed.failure_rules : [];
  if (rules.length) {
    line(`failure_rules (${rules.length}):`);
    line(...rules.slice(0, SEED_RULES).map((rule, i) => `  ${failureRuleText(rule, i)}`));
    if (rules.length > SEED_RULES) line(`  … ${rules.length - SEED_RULES} more rules`);
  }
  line(`from ${r.seed.origin.file}:${r.seed.origin.line}`);
  // Multi-agent runs only: the reconstructed sub-agent graph (bounded: TERMINAL_CARD_BOUNDS).
  if (r.multi_agent) {
    rule('Multi-agent structure');
    line(structureText(r.multi_agent));
  }
  // A session's conversation, bounded (TERMINAL_SESSION_BOUNDS); --json has all of it.
  if (r.multi_turn) {
    rule('Session');
    line(sessionText(r.multi_turn));
  }
  rule(`Trajectory (${r.trajectory.steps.length} steps; tool calls ${toolCalls(r)})`);
  const t0 = Date.parse(r.started_at);
  // A session's steps carry their turn, in a column of its own.
  const turns = r.trajectory.steps.some((s) => s.turn !== undefined);
  for (const s of r.trajectory.steps) {
    const dt = `+${(Math.max(0, Date.parse(s.at) - t0) / 1000).toFixed(2).padStart(6)}s`;
    const turn = turns ? `t${s.turn ?? '-'}`.padEnd(4) : '';
    const extra = `${s.count ? `  (x${s.count})` : ''}${s.actor_id ? `  [${s.actor_id}]` : ''}`;
    line(`${dt}  ${turn}${s.type.padEnd(14)} ${s.summary}${extra}`);
  }
  if (r.trajectory.dropped_steps) line(`… ${r.trajectory.dropped_steps} more steps were not kept`);
  if (!r.trajectory.steps.length) {
    line('(empty: capture keys off real file, process and network activity)');
  }
  // One ledger row per call with its Changes, and a State (TERMINAL_LEDGER_BOUNDS).
  const ledger = ledgerText(r, o.ledgerState ?? 'last');
  if (ledger) {
    rule('Tool calls (ledger)');
    line(ledger);
  }
  const violations = violationsText(r);
  if (violations) {
    rule(`Ledger violations (${r.ledger_violations.length})`);
    line(violations);
  }
  rule('Final response');
  line(r.final_response ?? '(none)');
  if (r.diff !== null && r.diff !== undefined) {
    const diff = plainText(r.diff).replace(/\n$/, '');
    rule(`Final diff (${(diff.match(/^diff --git /gm) ?? []).length} file(s))`);
    if (!diff) out.push('(no changes)');
    for (const l of diff ? diff.split('\n') : []) {
      const c = o.color ? diffColour(l) : '';
      out.push(c ? `${c}${l}${RESET}` : l);
    }
  }
  rule('Debug');
  const ex = r.debug.exception;
  if (ex) line(`exception ${ex.type}: ${ex.message}`, ex.traceback);
  if (r.debug.stdout_tail) line('stdout:', r.debug.stdout_tail);
  if (r.debug.stderr_tail) line('stderr:', r.debug.stderr_tail);
  if (r.debug.raw_response) line('raw response:', r.debug.raw_response);
  line(
    `phases: ${Object.entries(r.phases)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join(', ')}`,
  );
  return out.join('\n');
}
