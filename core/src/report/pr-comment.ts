import type { Comparison, TaskComparison } from '../results/compare.js';
import type { SuiteManifest } from '../results/record.js';
import { clipHead, mdCode, mdText } from '../util/untrusted-text.js';
import { markdownTable, ms, pct, usd } from './format.js';
import { bytes, cutBytes } from './markdown.js';

/** GitHub's limit on an issue comment body. */
export const COMMENT_LIMIT = 65_536;
/** Finds the sticky comment, together with the App's own login (a pasted marker is not enough). */
export const COMMENT_MARKER = '<!-- gauntlet:pr-comment -->';

export interface SuiteComparison {
  suite: string;
  head: SuiteManifest;
  /** The base branch's latest run of the suite; null when there is none yet. */
  base: SuiteManifest | null;
  comparison: Comparison | null;
  checkRunUrl?: string;
  /**
   * Links into the published viewer (report/viewer-links.ts): the comparison of base and head,
   * and per `task_id\0agent` the trace of head's newest run of that task.
   */
  viewer?: { compare?: string; traces?: Map<string, string> };
}

/** The key of SuiteComparison.viewer.traces. */
export const traceKey = (taskId: string, agent: string) => `${taskId}\0${agent}`;

const signed = (n: number, f: (x: number) => string) => `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`;

const p3 = (p: number | null) => (p === null ? '' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** The paired pass-rate test in plain words. */
function pairedLine(c: Comparison): string {
  const r = c.pass_rate;
  if (!r.tasks_informative)
    return `Pass rate, task by task: none of the ${r.tasks_paired} task(s) run on both sides passed some trials and failed others, so the trials show no change.`;
  const k = Math.abs(r.excess_passes);
  const dir = r.excess_passes < 0 ? 'fewer' : 'more';
  const shift = `head passed ${k.toFixed(1)} trial(s) ${dir} than base's results predict`;
  return `Pass rate, task by task: over the ${r.tasks_paired} task(s) run on both sides, ${r.excess_passes === 0 ? 'head passed as many trials as expected' : shift} (exact paired test, p ${p3(r.p_value)}, Holm-adjusted ${p3(r.p_adjusted)}): ${r.beyond_noise ? '**beyond noise**' : 'within noise'}.`;
}

/** What "beyond noise" means, for this comparison. */
function beyondNoise(c: Comparison): string {
  const a = `${Math.round(c.alpha * 100)}%`;
  return `_Beyond noise: after correcting for the ${c.tasks_tested} task(s) whose trials could show a change and the pass rate (Holm), the chance of seeing a change this large with no real change is under ${a}._`;
}

const rerunList = (ts: TaskComparison[]) =>
  ts.map((t) => `${mdText(clipHead(t.task_id, 100))} (${mdText(clipHead(t.agent, 60))})`);

/** Confirmation re-runs, by outcome. */
function confirmationLines(c: Comparison): string[] {
  const rerun = c.tasks.filter((t) => t.confirmation);
  if (!rerun.length) return [];
  const of = (o: string, ch?: string) =>
    rerun.filter((t) => t.confirmation!.outcome === o && (!ch || t.change === ch));
  const out = [
    `**Confirmation re-runs** of ${rerun.length} flipped task(s): their extra trials alone, tested against base in the flip's direction (Holm over the tasks re-run).`,
    '',
  ];
  const section = (label: string, ts: TaskComparison[]) => {
    if (!ts.length) return;
    const shown = rerunList(ts.slice(0, 30));
    const more = ts.length > 30 ? `, and ${ts.length - 30} more` : '';
    out.push(`- ${label} (${ts.length}): ${shown.join(', ')}${more}`);
  };
  section('Confirmed regressions', of('confirmed', 'regressed'));
  section('Confirmed improvements', of('confirmed', 'improved'));
  section('Refuted: the extra trials look like base', of('refuted'));
  section('Undecided: too few extra trials to tell', of('undecided'));
  return out;
}

const confirmCell = (t: TaskComparison) =>
  t.confirmation
    ? `${t.confirmation.extra.pass}/${t.confirmation.extra.n} ${t.confirmation.outcome} (p ${p3(t.confirmation.p_adjusted)})`
    : '';

function suiteSection(s: SuiteComparison): string {
  const h = s.head;
  const gates = h.gates.length ? (h.gates_passed ? ' · ✅ gates' : ' · ❌ gates') : '';
  const details =
    (s.checkRunUrl ? ` · [details](${s.checkRunUrl})` : '') +
    (s.viewer?.compare && s.base ? ` · [compare in the viewer](${s.viewer.compare})` : '');
  const pass = `${pct(h.pass_rate)} pass (${h.counts.pass}/${h.counts.runs})`;
  const lines = [`### ${mdText(clipHead(s.suite, 200))} · ${pass}${gates}${details}`, ''];
  const c = s.comparison;
  if (!s.base || !c) {
    lines.push('_No results of this suite on the base branch yet; nothing to compare with._', '');
    return lines.join('\n');
  }
  lines.push(
    markdownTable(
      ['', 'base', 'head', 'change'],
      [
        [
          'pass rate',
          pct(c.pass_rate.base),
          pct(c.pass_rate.head),
          `${signed((c.pass_rate.head - c.pass_rate.base) * 100, (x) => `${x.toFixed(0)} pts`)}${c.pass_rate.beyond_noise ? ' (beyond noise)' : ' (within noise)'}`,
        ],
        [
          'cost',
          usd(c.cost_usd.base),
          usd(c.cost_usd.head),
          signed(c.cost_usd.head - c.cost_usd.base, usd),
        ],
        [
          'p95 latency',
          ms(c.p95_ms.base),
          ms(c.p95_ms.head),
          signed(c.p95_ms.head - c.p95_ms.base, ms),
        ],
      ],
    ),
    '',
  );
  lines.push(pairedLine(c), '');
  const changed = c.tasks.filter((t) => t.change !== 'unchanged');
  const flipped = changed.filter((t) => t.change === 'regressed' || t.change === 'improved');
  const trials = Number.isFinite(c.min_trials) ? c.min_trials : 1;
  const verdict =
    c.regressions || c.improvements
      ? `**${c.regressions} regression(s) and ${c.improvements} improvement(s) beyond noise**.`
      : flipped.length
        ? `No change is beyond noise: ${c.noisy} task(s) flipped, but with ${trials} trial(s) a side that is indistinguishable from chance${c.min_trials < 5 ? '; run more trials (trials: 5) to tell, or confirm the flips with re-runs' : ''}.`
        : 'No task changed its verdict.';
  lines.push(verdict, '', beyondNoise(c), '');
  const confirm = confirmationLines(c);
  if (confirm.length) lines.push(...confirm, '');
  if (changed.length) {
    const rerun = changed.some((t) => t.confirmation);
    const traces = s.viewer?.traces;
    const trace = (t: TaskComparison) => {
      const url = traces?.get(traceKey(t.task_id, t.agent));
      return url ? `[trace](${url})` : '';
    };
    const rows = changed.map((t) => [
      t.task_id,
      t.agent,
      t.base ? `${t.base.pass}/${t.base.n}` : '—',
      t.head ? `${t.head.pass}/${t.head.n}` : '—',
      t.change + (t.beyond_noise ? ' ‼' : ''),
      p3(t.p_value),
      p3(t.p_adjusted),
      ...(rerun ? [confirmCell(t)] : []),
      ...(traces ? [trace(t)] : []),
    ]);
    const header = ['task', 'agent', 'base pass', 'head pass', 'change', 'p', 'p (Holm)'];
    if (rerun) header.push('re-runs');
    if (traces) header.push('trace');
    lines.push(markdownTable(header, rows, traces ? [header.length - 1] : []), '');
  }
  return lines.join('\n');
}

/** The one PR comment gauntlet keeps up to date: head against the base branch's latest results. */
export function renderPrComment(
  suites: SuiteComparison[],
  o: { headSha: string; baseLabel: string; fullRecordsAt: string },
): string {
  const sha = o.headSha.slice(0, 7);
  const intro = `Head \`${sha}\` against the latest results on ${mdCode(o.baseLabel)}.`;
  const head = `${COMMENT_MARKER}\n## gauntlet\n\n${intro}\n\n`;
  let body = head;
  const sections = suites.map(suiteSection);
  for (let i = 0; i < sections.length; i++) {
    if (bytes(body) + bytes(sections[i]) + 300 > COMMENT_LIMIT) {
      body += `\n_${sections.length - i} more suite(s) not shown; see the check runs and ${o.fullRecordsAt}._\n`;
      break;
    }
    body += sections[i] + '\n';
  }
  return cutBytes(body, COMMENT_LIMIT, o.fullRecordsAt);
}
