import type { Comparison } from '../results/compare.js';
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
}

const signed = (n: number, f: (x: number) => string) => `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`;

function suiteSection(s: SuiteComparison): string {
  const h = s.head;
  const gates = h.gates.length ? (h.gates_passed ? ' · ✅ gates' : ' · ❌ gates') : '';
  const details = s.checkRunUrl ? ` · [details](${s.checkRunUrl})` : '';
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
  const changed = c.tasks.filter((t) => t.change !== 'unchanged');
  const verdict =
    c.regressions || c.improvements
      ? `**${c.regressions} regression(s) and ${c.improvements} improvement(s) beyond noise** (Fisher's exact test over the trials, p < 0.05).`
      : changed.some((t) => t.change === 'regressed' || t.change === 'improved')
        ? `No change is beyond noise: ${c.noisy} task(s) flipped, but with ${Number.isFinite(c.min_trials) ? c.min_trials : 1} trial(s) a side that is indistinguishable from chance${c.min_trials < 4 ? '; run more trials (trials: 5) to tell' : ''}.`
        : 'No task changed its verdict.';
  lines.push(verdict, '');
  if (changed.length) {
    const rows = changed.map((t) => [
      t.task_id,
      t.agent,
      t.base ? `${t.base.pass}/${t.base.n}` : '—',
      t.head ? `${t.head.pass}/${t.head.n}` : '—',
      t.change + (t.beyond_noise ? ' ‼' : ''),
      t.p_value === null ? '' : t.p_value.toFixed(3),
    ]);
    lines.push(markdownTable(['task', 'agent', 'base pass', 'head pass', 'change', 'p'], rows), '');
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
