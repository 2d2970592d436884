import type { RunRecord, SuiteManifest } from '../results/record.js';
import { chip, EXPLORER_HEADER, explorerRows, markdownTable, ms, pct, usd } from './format.js';

/** GitHub's smallest body limit (check-run summary); the report stays under it. */
export const MARKDOWN_LIMIT = 65_535;

export function renderMarkdownReport(m: SuiteManifest, records: RunRecord[], limit = MARKDOWN_LIMIT): string {
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
  let body = [...head, table, ''].join('\n');
  const note = (n: number) => `\n_${n} more failing run(s) not shown; the full records are in the results directory._\n`;
  for (let i = 0; i < failures.length; i++) {
    if (body.length + failures[i].length + 200 > limit) {
      body += note(failures.length - i);
      break;
    }
    body += failures[i];
  }
  return body.length > limit ? body.slice(0, limit - 120) + '\n\n_…truncated; the full records are in the results directory._\n' : body;
}
