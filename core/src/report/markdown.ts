import type { RunRecord, SuiteManifest } from '../results/record.js';
import { chip, EXPLORER_HEADER, explorerRows, markdownTable, ms, pct, usd } from './format.js';

/** GitHub's smallest body limit (check-run summary and text); the report stays under it. */
export const MARKDOWN_LIMIT = 65_535;

export const bytes = (s: string) => Buffer.byteLength(s);

export interface ReportOptions {
  /** Bytes; GitHub counts some limits in characters, and a byte budget is never over those. */
  limit?: number;
  /** Where the full records are, for truncation notes (a results-branch URL, a directory). */
  fullRecordsAt?: string;
}

/** Totals, pass^k, cost and latency, gates, and a warning for missing shards. */
export function reportHead(m: SuiteManifest): string {
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
  if (m.merged_from?.missing_shards.length) head.push(`> [!WARNING]\n> Shards ${m.merged_from.missing_shards.join(', ')} reported no results; this view covers ${m.merged_from.shards.join(', ')} only.`, '');
  return head.join('\n');
}

/** The first steps of a run, one line each: enough to see what the agent did. */
export function trajectorySummary(r: RunRecord, max = 8): string[] {
  const steps = r.trajectory.steps.filter((s) => s.type !== 'final_response');
  const lines = steps.slice(0, max).map((s) => `${s.type.padEnd(12)} ${s.summary.replace(/\s+/g, ' ').slice(0, 140)}${s.count && s.count > 1 ? ` (x${s.count})` : ''}`);
  if (steps.length > max) lines.push(`… ${steps.length - max} more step(s)`);
  return lines;
}

/** A collapsed section for one non-passing run: chip, error, judge card, scorer badges, trajectory. */
export function failureSection(r: RunRecord, traceHint: string): string {
  const lines = [`<details><summary><b>${r.task_id}</b> · ${r.agent.name} #${r.trial} · ${r.verdict}${chip(r) ? ` · <code>${chip(r)}</code>` : ''}</summary>`, ''];
  if (r.error) lines.push(`**Error** \`${r.error.code ?? r.error.class}\`: ${r.error.message}`, '');
  if (r.judge && r.judge.verdict !== 'NOT APPLICABLE') lines.push(`**Judge** ${r.judge.verdict} · completion ${r.judge.scores.task_completion}/5 · adherence ${r.judge.scores.instruction_adherence ?? 'n/a'} · efficiency ${r.judge.scores.efficiency}/5${r.judge.failure_mode ? ` · ${r.judge.failure_mode}` : ''}`, '', `> ${r.judge.reasoning.replace(/\n/g, '\n> ')}`, '');
  if (r.scorers.length) {
    lines.push(r.scorers.map((s) => `${s.passed ? '🟢' : '🔴'} \`${s.name}\`${s.score !== undefined ? ` ${s.score}` : ''}`).join(' · '), '');
    for (const s of r.scorers.filter((x) => !x.passed && x.tail)) lines.push(`<details><summary>${s.name}: failing tail</summary>\n\n\`\`\`\n${s.tail!.slice(-3000)}\n\`\`\`\n</details>`, '');
  }
  for (const b of r.banners) lines.push(`> [!WARNING]\n> ${b}`, '');
  const traj = trajectorySummary(r);
  if (traj.length) lines.push('```', ...traj, '```', '');
  lines.push(traceHint.replace('{id}', r.id), '</details>', '');
  return lines.join('\n');
}

/** Appends sections while they fit the byte budget; then says how many were left out and where they are. */
export function fitSections(body: string, sections: string[], limit: number, where: string, what = 'non-passing run(s)'): string {
  let out = body;
  for (let i = 0; i < sections.length; i++) {
    if (bytes(out) + bytes(sections[i]) + 400 > limit) {
      out += `\n_${sections.length - i} more ${what} not shown; the full records are in ${where}._\n`;
      break;
    }
    out += sections[i];
  }
  return cutBytes(out, limit, where);
}

/** Last resort when even the fixed part is too big: cut at a line, by bytes, and say so. */
export function cutBytes(text: string, limit: number, where: string): string {
  if (bytes(text) <= limit) return text;
  const tail = `\n\n_…truncated; the full records are in ${where}._\n`;
  const cut = Buffer.from(text).subarray(0, limit - bytes(tail) - 4).toString('utf8').replace(/\uFFFD$/, '');
  return cut.slice(0, cut.lastIndexOf('\n')) + tail;
}

export function renderMarkdownReport(m: SuiteManifest, records: RunRecord[], opts: ReportOptions = {}): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const where = opts.fullRecordsAt ?? 'the results directory';
  const body = [reportHead(m), markdownTable(EXPLORER_HEADER, explorerRows(records)), ''].join('\n');
  const failures = records.filter((r) => r.verdict !== 'PASS').map((r) => failureSection(r, 'Trace: `gauntlet show {id}`'));
  return fitSections(body, failures, limit, where);
}
