import { ERROR_CLASSES, type RunRecord } from '../results/record.js';
import { clipHead, mdText, plainLine } from '../util/untrusted-text.js';

export const usd = (n: number) =>
  n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(3)}`;
export const ms = (n: number) => (n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`);
export const pct = (n: number) => `${(n * 100).toFixed(0)}%`;

export function chip(r: RunRecord): string {
  if (!r.error) return r.judge?.failure_mode ?? '';
  return `${ERROR_CLASSES[r.error.class]?.chip ?? r.error.class}${r.error.code && r.error.code !== r.error.class ? ` (${r.error.code})` : ''}`;
}

export function toolCalls(r: RunRecord): string {
  const parts = Object.entries(r.tool_calls.by_source)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return parts.length ? `${r.tool_calls.total} (${parts.join(', ')})` : String(r.tool_calls.total);
}

/** The seeds' Data Explorer columns, one row per run. */
export function explorerRows(records: RunRecord[]): string[][] {
  return records.map((r) => [
    r.task_id + (records.some((o) => o.trial > 1) ? ` #${r.trial}` : ''),
    `${r.agent.name}@${r.agent.version}`,
    r.status,
    r.verdict,
    chip(r),
    toolCalls(r),
    ms(r.latency_ms),
    usd(r.cost.total_usd),
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

/** A GitHub table; every cell is inert text (no pipes, HTML, links or mentions get through). */
export function markdownTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => mdText(clipHead(s ?? '', 300));
  const row = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
}
