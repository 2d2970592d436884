import type { RunRecord, SuiteManifest } from '../results/record.js';
import {
  clipHead,
  clipTail,
  mdCode,
  mdCodeBlock,
  mdProse,
  mdText,
  plainLine,
} from '../util/untrusted-text.js';
import {
  chip,
  completionWarning,
  EXPLORER_HEADER,
  explorerRows,
  judgeVerdict,
  markdownTable,
  ms,
  pct,
  usd,
  ZERO_PROXY_CALLS,
  ZERO_PROXY_CALLS_CAUSES,
} from './format.js';
import { ledgerMarkdown, violationsMarkdown } from './ledger.js';
import { structureMarkdown } from './structure-card.js';
import { sessionMarkdown } from './transcript.js';

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
  const gate = m.gates.length
    ? m.gates_passed
      ? '✅ gates passed'
      : '❌ gates failed'
    : 'no gates';
  const c = m.counts;
  const head = [
    `## gauntlet · ${mdText(clipHead(m.suite, 200))} · ${pct(m.pass_rate)} pass` +
      ` (${c.pass}/${c.runs}) · ${gate}`,
    '',
    // FAIL is the verdict; errored runs (status failed) did not finish and have none.
    `**Runs** ${c.runs} · **completed** ${c.completed} · **PASS** ${c.pass} · **FAIL** ${c.fail}` +
      ` · **errored** ${c.failed} · **pending** ${c.pending}` +
      // A split sampled judge: neither PASS nor FAIL, and not a pass.
      (c.uncertain ? ` · **uncertain** ${c.uncertain}` : '') +
      (m.trials > 1
        ? ` · **pass^${m.trials}** ${pct(m.pass_hat_k)} · **pass@${m.trials}** ${pct(m.pass_at_k)}`
        : ''),
    ...passKLine(m),
    `**Cost** ${usd(m.cost.total_usd)} (agent ${usd(m.cost.agent_usd)}` +
      `, judge ${usd(m.cost.judge_usd)}` +
      // Sessions with a persona simulator have a third cost; suites without one show two.
      (m.cost.simulator_usd ? `, simulator ${usd(m.cost.simulator_usd)}` : '') +
      `) · **latency** p50 ${ms(m.latency.p50_ms)}, p95 ${ms(m.latency.p95_ms)}` +
      ` · **duration** ${ms(m.duration_ms)}`,
    '',
  ];
  if (m.gates.length)
    head.push(
      markdownTable(
        ['Gate', 'Threshold', 'Actual', ''],
        m.gates.map((g) => [
          g.name,
          String(g.threshold),
          g.name.includes('rate') ? pct(g.actual) : String(Number(g.actual.toFixed(4))),
          g.passed ? '✅' : '❌',
        ]),
      ),
      '',
    );
  if (m.merged_from?.missing_shards.length)
    head.push(
      `> [!WARNING]\n> Shards ${m.merged_from.missing_shards.join(', ')} reported no results; this view covers ${m.merged_from.shards.join(', ')} only.`,
      '',
    );
  return head.join('\n');
}

/**
 * The first steps of a run, one line each: enough to see what the agent did. A session's steps
 * carry their turn (`t2`).
 */
export function trajectorySummary(r: RunRecord, max = 8): string[] {
  const steps = r.trajectory.steps.filter((s) => s.type !== 'final_response');
  const turns = steps.some((s) => s.turn !== undefined);
  const lines = steps.slice(0, max).map((s) => {
    const times = s.count && s.count > 1 ? ` (x${s.count})` : '';
    const summary = clipHead(plainLine(s.summary).replace(/\s+/g, ' '), 140);
    const turn = turns ? `t${s.turn ?? '-'}`.padEnd(4) : '';
    return `${turn}${s.type.padEnd(12)} ${summary}${times}`;
  });
  if (steps.length > max) lines.push(`… ${steps.length - max} more step(s)`);
  return lines;
}

/** Caps on one run's untrusted fields, so one huge run cannot push the others out of a report. */
const CAP = {
  name: 200,
  code: 200,
  message: 2000,
  reasoning: 4000,
  tail: 3000,
  banner: 1000,
  behavior: 200,
};

/** Runs a callout names before it counts the rest. */
const CALLOUT_RUNS = 10;

/**
 * The completion warning over a suite (seed 001's yellow banner): runs that completed with tools
 * declared but made no proxy call, passing ones included, since their tools were likely never
 * reached. '' when there are none.
 */
/**
 * The pass^k curve as one line (unbiased estimators, k = 1 .. trials): how fast reliability
 * falls as a user retries, next to pass@k. Nothing for one trial.
 */
function passKLine(m: SuiteManifest): string[] {
  const c = m.pass_k_curve ?? [];
  if (c.length < 2) return [];
  const pts = c.map((p) => `${p.k}: ${pct(p.pass_hat_k)}`).join(' · ');
  const at = c.map((p) => pct(p.pass_at_k)).join(' · ');
  return [`**pass^k** ${pts} (pass@k ${at})`];
}

export function completionCallout(records: RunRecord[]): string {
  const runs = records.filter((r) => completionWarning(r));
  if (!runs.length) return '';
  const named = runs
    .slice(0, CALLOUT_RUNS)
    .map((r) => `${mdCode(clipHead(r.task_id, CAP.name))}${r.trial > 1 ? ` #${r.trial}` : ''}`);
  const rest = runs.length > CALLOUT_RUNS ? `, +${runs.length - CALLOUT_RUNS} more` : '';
  return (
    `> [!WARNING]\n> **${runs.length} run(s) ${mdText(ZERO_PROXY_CALLS)}**: ${named.join(', ')}` +
    `${rest}. ${mdText(ZERO_PROXY_CALLS_CAUSES)}\n`
  );
}

/**
 * A collapsed section for one non-passing run: chip, error, judge card, a session's transcript
 * (bounded: MARKDOWN_SESSION_BOUNDS), scorer badges, trajectory. Every field from the record
 * is made inert, and each <details> it opens it closes.
 * `traceHint` is Markdown with `{id}`, which becomes the run id as inert text.
 */
export function failureSection(r: RunRecord, traceHint: string): string {
  const c = chip(r);
  const task = mdText(clipHead(r.task_id, CAP.name));
  const who = mdText(`${clipHead(r.agent.name, CAP.name)} #${r.trial}`);
  const why = c ? ` · ${mdCode(clipHead(c, CAP.code))}` : '';
  const lines = [`<details><summary><b>${task}</b> · ${who} · ${r.verdict}${why}</summary>`, ''];
  // The completion warning comes first, as the banner it is on the trace tab.
  const warning = completionWarning(r);
  if (warning)
    lines.push(
      `> [!WARNING]\n> ${mdProse(clipHead(warning, CAP.banner))}\n> ${mdText(ZERO_PROXY_CALLS_CAUSES)}`,
      '',
    );
  if (r.error) {
    const code = mdCode(clipHead(r.error.code ?? r.error.class, CAP.code));
    lines.push(`**Error** ${code}: ${mdProse(clipHead(r.error.message, CAP.message))}`, '');
  }
  const j = r.judge;
  if (j && j.verdict !== 'NOT APPLICABLE') {
    const { task_completion: done, instruction_adherence: adherence, efficiency } = j.scores;
    const mode = j.failure_mode ? ` · ${mdText(clipHead(j.failure_mode, CAP.code))}` : '';
    lines.push(
      `**Judge** ${judgeVerdict(j)} · completion ${done}/5 · adherence ${adherence ?? 'n/a'}` +
        ` · efficiency ${efficiency}/5${mode}`,
      '',
      `> ${mdProse(clipHead(j.reasoning, CAP.reasoning))}`,
      '',
    );
  }
  // The judge's verdict on a session is about this conversation: it comes right after.
  if (r.multi_turn) lines.push(sessionMarkdown(r.multi_turn), '');
  if (r.behavior_config)
    lines.push(`**Behavior config** ${mdText(clipHead(r.behavior_config, CAP.behavior))}`, '');
  const violations = violationsMarkdown(r);
  if (violations) lines.push(violations, '');
  // Multi-agent runs only: the structure card (MARKDOWN_CARD_BOUNDS), then the tool calls as
  // ledger rows (MARKDOWN_LEDGER_BOUNDS), collapsed.
  if (r.multi_agent) lines.push(structureMarkdown(r.multi_agent), '');
  const ledger = ledgerMarkdown(r);
  if (ledger) lines.push(ledger, '');
  if (r.scorers.length) {
    // A check's score is its pass (1) or fail (0): the badge's colour already says it.
    const badge = (s: RunRecord['scorers'][number]) => {
      const score = s.score !== undefined && !s.check ? ` ${mdText(String(s.score))}` : '';
      return `${s.passed ? '🟢' : '🔴'} ${mdCode(clipHead(s.name, CAP.name))}${score}`;
    };
    const overall = r.overall
      ? `**OVERALL ${r.overall === 'PASS' ? '🟢' : '🔴'} ${r.overall}** · `
      : '';
    lines.push(overall + r.scorers.map(badge).join(' · '), '');
    for (const s of r.scorers.filter((x) => !x.passed && x.tail)) {
      const name = mdText(clipHead(s.name, CAP.name));
      const tail = mdCodeBlock(clipTail(s.tail!, CAP.tail));
      lines.push(`<details><summary>${name}: failing tail</summary>`, '', tail, '</details>', '');
    }
  }
  for (const b of r.banners) lines.push(`> [!WARNING]\n> ${mdProse(clipHead(b, CAP.banner))}`, '');
  const traj = trajectorySummary(r);
  if (traj.length) lines.push(mdCodeBlock(traj.join('\n')), '');
  lines.push(traceHint.replace('{id}', mdText(clipHead(r.id, CAP.name))), '</details>', '');
  return lines.join('\n');
}

/** Appends sections while they fit the byte budget; then says how many were left out and where they are. */
export function fitSections(
  body: string,
  sections: string[],
  limit: number,
  where: string,
  what = 'non-passing run(s)',
): string {
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

/**
 * What closes the blocks a cut left open: a fence still open at the end, then every <details>
 * opened outside a fence and not closed.
 */
export function closeOpenBlocks(md: string): string {
  let fence = '';
  let details = 0;
  for (const line of md.split('\n')) {
    if (fence) {
      const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line)?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length) fence = '';
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) fence = open[1];
    else {
      const opened = line.match(/<details>/g)?.length ?? 0;
      details = Math.max(0, details + opened - (line.match(/<\/details>/g)?.length ?? 0));
    }
  }
  return (fence ? `\n${fence}` : '') + '\n</details>'.repeat(details);
}

/**
 * Last resort when even the fixed part is too big: cut at a line, by bytes, close what the cut
 * left open, and say so.
 */
export function cutBytes(text: string, limit: number, where: string): string {
  if (bytes(text) <= limit) return text;
  const tail = `\n\n_…truncated; the full records are in ${where}._\n`;
  let room = limit - bytes(tail) - 4;
  for (;;) {
    const cut = Buffer.from(text)
      .subarray(0, Math.max(0, room))
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    const kept = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
    const close = closeOpenBlocks(kept);
    if (bytes(kept) + bytes(close) + bytes(tail) <= limit || room <= 0) return kept + close + tail;
    room -= bytes(close);
  }
}

export function renderMarkdownReport(
  m: SuiteManifest,
  records: RunRecord[],
  opts: ReportOptions = {},
): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const where = opts.fullRecordsAt ?? 'the results directory';
  // The blank line ends the table before the first <details>.
  const table = markdownTable(EXPLORER_HEADER, explorerRows(records));
  // The completion warning is a banner: above the table, as on the trace tab.
  const callout = completionCallout(records);
  const body = [reportHead(m), ...(callout ? [callout] : []), table, '', ''].join('\n');
  const hint = 'Trace: <code>gauntlet show {id}</code>';
  const failures = records.filter((r) => r.verdict !== 'PASS').map((r) => failureSection(r, hint));
  return fitSections(body, failures, limit, where);
}
