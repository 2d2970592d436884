import {
  ERROR_CLASSES,
  SOURCE_BADGES,
  sourceBadge,
  type JudgeCard,
  type RunRecord,
} from '../results/record.js';
import { clipHead, mdText, plainLine } from '../util/untrusted-text.js';

export const usd = (n: number) =>
  n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(3)}`;
export const ms = (n: number) => (n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`);
export const pct = (n: number) => `${(n * 100).toFixed(0)}%`;

export function chip(r: RunRecord): string {
  if (!r.error) return r.judge?.failure_mode ?? '';
  return `${ERROR_CLASSES[r.error.class]?.chip ?? r.error.class}${r.error.code && r.error.code !== r.error.class ? ` (${r.error.code})` : ''}`;
}

export { SOURCE_BADGES, sourceBadge };

/** A count from a stored record (hostile): a small whole number, else '?'. */
const count = (x: unknown) =>
  Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 99 ? String(x) : '?';

/**
 * How a sampled judge voted for its card's verdict: `2 of 3 samples agree`; '' when the judge
 * was asked once (no `samples`).
 */
export function judgeAgreement(j: JudgeCard | null): string {
  const s = j?.samples;
  if (!s || typeof s !== 'object') return '';
  return `${count(j.verdict === 'PASS' ? s.pass : s.fail)} of ${count(s.n)} samples agree`;
}

/** The judge card's verdict with its agreement: `PASS, 2 of 3 samples agree — uncertain`. */
export function judgeVerdict(j: JudgeCard): string {
  const agree = judgeAgreement(j);
  if (!agree) return j.verdict;
  return `${j.verdict}, ${agree}${j.samples?.uncertain === true ? ' — uncertain' : ''}`;
}

/** A row's verdict for tables: an UNCERTAIN row says how its judge split, `UNCERTAIN (PASS 2 of 3)`. */
export function rowVerdictText(r: RunRecord): string {
  const agree = r.verdict === 'UNCERTAIN' ? judgeAgreement(r.judge) : '';
  return agree
    ? `UNCERTAIN (${r.judge!.verdict} ${agree.replace(/ samples agree$/, '')})`
    : r.verdict;
}

/**
 * The Tool calls column: the total, the per-source breakdown, and the simulator's faults counted
 * apart (they are the simulator's failures, not the agent's): `5 (simulated 3, injected 2;
 * simulator faults 1)`.
 */
export function toolCalls(r: RunRecord): string {
  const parts = Object.entries(r.tool_calls.by_source ?? {})
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${sourceBadge(s)} ${n}`);
  const faults = r.tool_calls.simulator_faults ?? 0;
  const detail = [parts.join(', '), faults ? `simulator faults ${faults}` : ''].filter(Boolean);
  return detail.length
    ? `${r.tool_calls.total} (${detail.join('; ')})`
    : String(r.tool_calls.total);
}

/** Characters of the behavior config the Data Explorer column shows. */
export const BEHAVIOR_COLUMN_CHARS = 60;

/** The Behavior config column: the task's behavior_instructions, on one line, truncated. */
export function behaviorConfig(r: RunRecord, max = BEHAVIOR_COLUMN_CHARS): string {
  const text = r.behavior_config ?? r.seed?.behavior_instructions ?? '';
  return clipHead(plainLine(text).replace(/\s+/g, ' ').trim(), max);
}

/**
 * The seeds' Data Explorer columns, one row per run. Ledger violations, hidden by default there,
 * are in the run's sections (the trace, the failure sections) rather than a column.
 */
export function explorerRows(records: RunRecord[]): string[][] {
  return records.map((r) => [
    r.task_id + (records.some((o) => o.trial > 1) ? ` #${r.trial}` : ''),
    `${r.agent.name}@${r.agent.version}`,
    r.status,
    rowVerdictText(r),
    chip(r),
    toolCalls(r),
    ms(r.latency_ms),
    usd(r.cost.total_usd),
    behaviorConfig(r),
    r.id,
  ]);
}
export const EXPLORER_HEADER = [
  'Task',
  'Agent',
  'Run status',
  'Judge verdict',
  'Failure mode',
  'Tool calls',
  'Latency',
  'Cost',
  'Behavior config',
  'Trace',
];

/** A text table for a terminal; cells hold record text: each is made inert, one line, clipped. */
export function textTable(header: string[], body: string[][]): string {
  const rows = body.map((r) => r.map((c) => clipHead(plainLine(c ?? ''), 120)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * A GitHub table; every cell is inert text (no pipes, HTML, links or mentions get through),
 * except in the columns the caller names as its own Markdown.
 */
export function markdownTable(
  header: string[],
  rows: string[][],
  /** Columns whose cells are our own Markdown (a link to a checked URL), kept as written. */
  markdownColumns: number[] = [],
): string {
  const esc = (s: string) => mdText(clipHead(s ?? '', 300));
  const row = (cells: string[], head = false) =>
    `| ${cells.map((c, i) => (!head && markdownColumns.includes(i) ? c : esc(c))).join(' | ')} |`;
  return [
    row(header, true),
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => row(r)),
  ].join('\n');
}

/**
 * The soft warning the record carries when a run completed with tools declared but made no proxy
 * call (pipeline/record.ts writes it). The surfaces show it as a banner: the run is not failed,
 * but its tools were likely unreachable.
 */
export const ZERO_PROXY_CALLS = 'completed with tools declared but zero proxy calls';

/** Seed 001's common causes of the completion warning, in our words. */
export const ZERO_PROXY_CALLS_CAUSES =
  'The run is not failed. Likely causes: the agent caught a transport error and folded it into' +
  ' its final response; its framework swallowed an exception in a tool body; the proxy URL is' +
  " unreachable from the agent's runtime.";

/** The run's completion warning, if it has one. */
export function completionWarning(r: RunRecord): string | undefined {
  const warnings = Array.isArray(r.soft_warnings) ? r.soft_warnings : [];
  return warnings.find((w) => typeof w === 'string' && w.startsWith(ZERO_PROXY_CALLS));
}
