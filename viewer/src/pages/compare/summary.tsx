import type { Comparison, TaskComparison } from '../../../../core/src/index.js';
import type { SuiteAtCommit } from '../../data/suite.js';
import { clip, ms, pct, usd } from '../../ui/format.js';
import type { ConfirmationSummary } from './confirmation-record.js';
import { countKinds } from './order.js';
import {
  beyondNoiseNote,
  confirmationIntro,
  msDelta,
  noiseWord,
  notRerunReason,
  OUTCOME_SECTIONS,
  outcomeSection,
  p3,
  pairedSentence,
  pointsDelta,
  trialsOf,
  usdDelta,
  verdictSentence,
} from './wording.js';

/** The comparison at a glance: the headline, the suite's figures, the counts, the re-runs. */
export function Summary(props: {
  comparison: Comparison;
  base: SuiteAtCommit;
  confirmation: ConfirmationSummary | null;
}) {
  const c = props.comparison;
  const counts = countKinds(c.tasks);
  const tone = c.regressions ? 'bad' : c.improvements ? 'ok' : 'neutral';
  return (
    <section class="card compare-summary" data-testid="compare-summary">
      <p class={`headline tone-${tone}`} data-testid="compare-verdict">
        {verdictSentence(c)}
      </p>
      <div class="kpis">
        <Kpi label="Pass rate" base={pct(c.pass_rate.base)} head={pct(c.pass_rate.head)}>
          <span class="delta">{pointsDelta(c.pass_rate.base, c.pass_rate.head)}</span>
          <NoiseBadge beyond={c.pass_rate.beyond_noise} />
          <span class="muted small">
            p {p3(c.pass_rate.p_value)} · Holm {p3(c.pass_rate.p_adjusted)}
          </span>
        </Kpi>
        <Kpi label="Cost" base={usd(c.cost_usd.base)} head={usd(c.cost_usd.head)}>
          <span class="delta">{usdDelta(c.cost_usd.base, c.cost_usd.head)}</span>
        </Kpi>
        <Kpi label="p95 latency" base={ms(c.p95_ms.base)} head={ms(c.p95_ms.head)}>
          <span class="delta">{msDelta(c.p95_ms.base, c.p95_ms.head)}</span>
        </Kpi>
        <div class="kpi counts" data-testid="compare-counts">
          <div class="kpi-label">Tasks</div>
          <div class="count-chips">
            <Count n={c.regressions} label="regressions" cls="bad" kind="regression" />
            <Count n={c.improvements} label="improvements" cls="ok" kind="improvement" />
            <Count n={c.noisy} label="noisy" cls="warn" kind="noisy" />
            <Count n={counts.unchanged} label="unchanged" cls="plain" kind="unchanged" />
            {counts.new ? <Count n={counts.new} label="new" cls="plain" kind="new" /> : null}
            {counts.removed ? (
              <Count n={counts.removed} label="removed" cls="plain" kind="removed" />
            ) : null}
          </div>
        </div>
      </div>
      <p class="sentence">{pairedSentence(c)}</p>
      <p class="muted small">
        {beyondNoiseNote(c)} Alpha {c.alpha}; {c.tasks_tested} task(s) tested of {c.tasks.length};
        at least {trialsOf(c)} trial(s) a side.
      </p>
      <Confirmations {...props} />
    </section>
  );
}

function Kpi(props: {
  label: string;
  base: string;
  head: string;
  children: preact.ComponentChildren;
}) {
  return (
    <div class="kpi">
      <div class="kpi-label">{props.label}</div>
      <div class="kpi-values num">
        <span class="muted">{props.base}</span> <span class="arrow">→</span>{' '}
        <strong>{props.head}</strong>
      </div>
      <div class="kpi-change">{props.children}</div>
    </div>
  );
}

export function NoiseBadge({ beyond }: { beyond: boolean }) {
  return (
    <span class={`badge ${beyond ? 'noise-beyond' : 'noise-within'}`}>{noiseWord(beyond)}</span>
  );
}

function Count(props: { n: number; label: string; cls: string; kind: string }) {
  return (
    <span class={`count-chip count-${props.cls}${props.n ? '' : ' zero'}`} data-count={props.kind}>
      <strong class="num">{props.n}</strong> {props.label}
    </span>
  );
}

const named = (t: { task_id: string; agent: string }) =>
  `${clip(t.task_id, 100)} (${clip(t.agent, 60)})`;

/** The confirmation re-runs: outcomes from the records, what was left out from the manifest. */
function Confirmations(props: {
  comparison: Comparison;
  base: SuiteAtCommit;
  confirmation: ConfirmationSummary | null;
}) {
  const rerun = props.comparison.tasks.filter((t) => t.confirmation);
  const m = props.confirmation;
  if (!rerun.length && !m) return null;
  const c = props.comparison;
  const bySection = (key: string) => rerun.filter((t) => outcomeSection(t) === key);
  const baseIds = new Set(props.base.entries.map((e) => e.id));
  const otherBase =
    m && m.base_suite_runs.length && !m.base_suite_runs.some((id) => baseIds.has(id));
  return (
    <div class="confirmations" data-testid="compare-confirmation">
      <h3>Confirmation re-runs</h3>
      {rerun.length ? <p>{confirmationIntro(rerun.length)}</p> : null}
      <div class="count-chips">
        <span class="count-chip count-bad" data-count="confirmed-regressions">
          <strong class="num">{c.confirmed_regressions}</strong> confirmed regressions
        </span>
        <span class="count-chip count-ok" data-count="confirmed-improvements">
          <strong class="num">{c.confirmed_improvements}</strong> confirmed improvements
        </span>
        <span class="count-chip count-plain" data-count="refuted">
          <strong class="num">{c.refuted}</strong> refuted
        </span>
        <span class="count-chip count-warn" data-count="undecided">
          <strong class="num">{c.undecided}</strong> undecided
        </span>
      </div>
      <ul class="outcomes">
        {OUTCOME_SECTIONS.map(({ key, label }) => {
          const ts = bySection(key);
          return ts.length ? <OutcomeLine key={key} label={label} tasks={ts} /> : null;
        })}
      </ul>
      {m ? (
        <p class="muted small">
          {m.extra_trials !== null ? `${m.extra_trials} extra trial(s) per re-run task` : ''}
          {m.cost_usd !== null ? ` · re-runs cost ${usd(m.cost_usd)}` : ''}
          {m.max_cost_usd !== null ? ` of a ${usd(m.max_cost_usd)} cap` : ''}
        </p>
      ) : null}
      {otherBase ? (
        <p class="banner banner-warning small" data-testid="confirmation-other-base">
          These re-runs were chosen against another base ({m!.base_suite_runs.join(', ')}); the
          outcomes above test them against the base shown here.
        </p>
      ) : null}
      {m?.not_rerun.length ? (
        <details class="not-rerun" data-testid="compare-not-rerun" open={m.not_rerun.length <= 10}>
          <summary>Not re-run: {m.not_rerun.length} flipped task(s)</summary>
          <ul>
            {m.not_rerun.map((t, i) => (
              <li key={i}>
                <code>{clip(t.task_id, 100)}</code> <span class="muted">({clip(t.agent, 60)})</span>
                : {notRerunReason(t.reason)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function OutcomeLine({ label, tasks }: { label: string; tasks: TaskComparison[] }) {
  const shown = tasks.slice(0, 30).map(named).join(', ');
  const more = tasks.length > 30 ? `, and ${tasks.length - 30} more` : '';
  return (
    <li>
      <strong>
        {label} ({tasks.length})
      </strong>
      : {shown}
      {more}
    </li>
  );
}
