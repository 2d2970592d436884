import type { ComponentChildren } from 'preact';
import { sourceBadge } from '../../../../core/src/index.js';
import { href } from '../../route.js';
import { StatusChip, Verdict } from '../../ui/chips.js';
import { clip, ms, usd } from '../../ui/format.js';
import type { TaskRuns } from '../../data/suite.js';

/**
 * The Data Explorer's columns (seed 001), as a registry: each says how it reads a row, sorts
 * and draws. Failure mode, behaviour config and ledger violations start hidden, as the seed has.
 */
export interface Column {
  key: string;
  label: string;
  hidden?: boolean;
  width: string;
  sort?: (t: TaskRuns) => string | number;
  cell: (t: TaskRuns) => ComponentChildren;
}

const VERDICT_ORDER: Record<string, number> = {
  FAIL: 0,
  UNCERTAIN: 1,
  PENDING: 2,
  'NOT APPLICABLE': 3,
  PASS: 4,
};

function toolTip(t: TaskRuns) {
  const by = t.latest.run.tool_calls?.by_source ?? {};
  const parts = Object.entries(by)
    .filter(([, n]) => Number(n) > 0)
    .map(([s, n]) => `${sourceBadge(s)}: ${n}`);
  return parts.length ? parts.join('\n') : 'no tool calls';
}

export const COLUMNS: Column[] = [
  {
    key: 'task',
    label: 'Task',
    width: 'minmax(12rem, 2fr)',
    sort: (t) => t.task_id,
    cell: (t) => <span title={t.task_id}>{t.task_id}</span>,
  },
  {
    key: 'agent',
    label: 'Agent',
    width: 'minmax(9rem, 1.2fr)',
    sort: (t) => t.agent,
    cell: (t) => (
      <span title={`${t.agent} ${t.latest.run.agent_version ?? ''}`}>
        {t.agent} <span class="muted">{t.latest.run.agent_version ?? ''}</span>
      </span>
    ),
  },
  {
    key: 'status',
    label: 'Run status',
    width: 'minmax(9rem, 1.2fr)',
    sort: (t) => `${t.latest.run.status} ${t.latest.run.error_class ?? ''}`,
    cell: (t) => <StatusChip status={t.latest.run.status} errorClass={t.latest.run.error_class} />,
  },
  {
    key: 'verdict',
    label: 'Judge verdict',
    width: 'minmax(9rem, 1.4fr)',
    sort: (t) => VERDICT_ORDER[t.latest.run.verdict] ?? 9,
    cell: (t) => (
      <span class="verdict-cell">
        <Verdict verdict={t.latest.run.verdict} />
        {t.latest.run.verdict === 'FAIL' && t.latest.run.failure_mode ? (
          <span class="muted" title={t.latest.run.failure_mode}>
            {' '}
            {clip(t.latest.run.failure_mode, 40)}
          </span>
        ) : null}
      </span>
    ),
  },
  {
    key: 'failure_mode',
    label: 'Failure mode',
    hidden: true,
    width: 'minmax(8rem, 1fr)',
    sort: (t) => t.latest.run.failure_mode ?? '',
    cell: (t) => (
      <span title={t.latest.run.failure_mode ?? ''}>{t.latest.run.failure_mode ?? ''}</span>
    ),
  },
  {
    key: 'tool_calls',
    label: 'Tool calls',
    width: '6rem',
    sort: (t) => t.latest.run.tool_calls?.total ?? -1,
    cell: (t) => (
      <span class="num" title={toolTip(t)}>
        {t.latest.run.tool_calls?.total ?? '—'}
      </span>
    ),
  },
  {
    key: 'latency',
    label: 'Latency',
    width: '6.5rem',
    sort: (t) => t.latest.run.latency_ms,
    cell: (t) => <span class="num">{ms(t.latest.run.latency_ms)}</span>,
  },
  {
    key: 'cost',
    label: 'Cost',
    width: '6rem',
    sort: (t) => t.latest.run.cost_usd,
    cell: (t) => <span class="num">{usd(t.latest.run.cost_usd)}</span>,
  },
  {
    key: 'behavior',
    label: 'Behavior config',
    hidden: true,
    width: 'minmax(10rem, 1.5fr)',
    sort: (t) => t.latest.run.behavior_config ?? '',
    cell: (t) => (
      <span title={t.latest.run.behavior_config ?? ''}>
        {clip(t.latest.run.behavior_config ?? '', 60)}
      </span>
    ),
  },
  {
    key: 'violations',
    label: 'Ledger violations',
    hidden: true,
    width: '7rem',
    sort: (t) => t.latest.run.ledger_violations ?? 0,
    cell: (t) => <span class="num">{t.latest.run.ledger_violations ?? '—'}</span>,
  },
  {
    key: 'runs',
    label: 'Runs',
    width: '4rem',
    sort: (t) => t.runs.length,
    cell: (t) => (
      <span class="num" title="trials and re-runs of this task">
        {t.runs.length}
      </span>
    ),
  },
  {
    key: 'trace',
    label: 'Trace',
    width: '5rem',
    cell: (t) => (
      <a href={href.trace(t.latest.suiteRun, t.latest.run.id)} onClick={(e) => e.stopPropagation()}>
        View trace
      </a>
    ),
  },
];
