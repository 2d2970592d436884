import type { RunRecord, SuiteManifest } from '../results/record.js';
import { chip, EXPLORER_HEADER, explorerRows, markdownTable, ms, pct, usd } from './format.js';

/** GitHub's smallest body limit (check-run summary); the report stays under it. */
export const MARKDOWN_LIMIT = 65_535;

const bytes = (s: string) => Buffer.byteLength(s);

export interface ReportOptions {
  /** Bytes; GitHub counts some limits in characters, and a byte budget is never over those. */
  limit?: number;
  /** Where the full records are, for truncation notes (a results-branch URL, a directory). */
  fullRecordsAt?: string;
}

export function renderMarkdownReport(m: SuiteManifest, records: RunRecord[], opts: ReportOptions = {}): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const where = opts.fullRecordsAt ?? 'the results directory';
  const gate = m.gates.length ? (m.gates_passed ? '✅ gates passed' : '❌ gates failed') : 'no gates';
  const head = [
    `## gauntlet · ${m.suite} · ${pct(m.pass_rate)} pass (${m.counts.pass}/${m.counts.runs}) · ${gate}`,
    '',
    `**Runs** ${m.counts.runs} · **completed** ${m.counts.completed} · **failed** ${m.counts.failed} · **PASS** ${m.counts.pass} · **FAIL** ${m.counts.fail} · **pending** ${m.counts.pending}` +
      (m.trials > 1 ? ` · **pass^${m.trials}** ${pct(m.pass_hat_k)} · **pass@${m.trials}** ${pct(m.pass_at_k)}` : ''),
    `**Cost** ${usd(m.cost.total_usd)} (agent ${usd(m.cost.agent_usd)}, judge ${usd(m.cost.judge_usd)}) · **latency** p50 ${ms(m.latency.p50_ms)}, p95 ${ms(m.latency.p95_ms)} · **duration** ${ms(m.duration_ms)}`,
    '',
  ];
  if (m.gates.length) head.push(markdownTable(['Gate', 'Threshold', 'Actual', ''], m.gates.map((g) => [g.name, String(g.threshold), g.name.includes('rate') ? pct(g.actual) : String(Number(g.actual.toFixed(4))), g.passed ? '✅' : '❌'])), '');
  const table = markdownTable(EXPLORER_HEADER, explorerRows(records));
  const failures = records.filter((r) => r.verdict !== 'PASS').map((r) => {
    const lines = [`<details><summary><b>${r.task_id}</b> · ${r.agent.name} · ${r.verdict}${chip(r) ? ` · <code>${chip(r)}</code>` : ''}</summary>`, ''];
    if (r.error) lines.push(`**Error** \`${r.error.code ?? r.error.class}\`: ${r.error.message}`, '');
    if (r.judge && r.judge.verdict !== 'NOT APPLICABLE') lines.push(`**Judge** ${r.judge.verdict} · completion ${r.judge.scores.task_completion}/5 · adherence ${r.judge.scores.instruction_adherence ?? 'n/a'} · efficiency ${r.judge.scores.efficiency}/5`, '', `> ${r.judge.reasoning.replace(/\n/g, '\n> ')}`, '');
    for (const b of r.banners) lines.push(`> [!WARNING]\n> ${b}`, '');
    lines.push(`Trace: \`gauntlet show ${r.id}\``, '</details>', '');
    return lines.join('\n');
  });
  if (m.merged_from?.missing_shards.length) head.push(`> [!WARNING]\n> Shards ${m.merged_from.missing_shards.join(', ')} reported no results; this view covers ${m.merged_from.shards.join(', ')} only.`, '');
  let body = [...head, table, ''].join('\n');
  const note = (n: number) => `\n_${n} more failing run(s) not shown; the full records are in ${where}._\n`;
  for (let i = 0; i < failures.length; i++) {
    if (bytes(body) + bytes(failures[i]) + 400 > limit) {
      body += note(failures.length - i);
      break;
    }
    body += failures[i];
  }
  if (bytes(body) <= limit) return body;
  // The table alone is too big: cut at a line, by bytes.
  const tail = `\n\n_…truncated; the full records are in ${where}._\n`;
  const cut = Buffer.from(body).subarray(0, limit - bytes(tail) - 4).toString('utf8').replace(/\uFFFD$/, '');
  return cut.slice(0, cut.lastIndexOf('\n')) + tail;
}
