import { useMemo, useState } from 'preact/hooks';
import type { TaskComparison } from '../../../../core/src/index.js';
import type { SuiteAtCommit, TaskRuns } from '../../data/suite.js';
import { href } from '../../route.js';
import { clip } from '../../ui/format.js';
import { NoiseBadge } from './summary.js';
import { kindOf, type Kind } from './order.js';
import { sortTasks, type TaskSort } from './sort.js';
import { confirmationCell, p3, tally } from './wording.js';

/** Rows drawn at first; the rest on request, so a suite of thousands of tasks opens at once. */
const FIRST_ROWS = 300;

const HEADERS: { key: string; label: string; sort?: TaskSort['key']; title?: string }[] = [
  { key: 'task', label: 'Task', sort: 'task' },
  { key: 'agent', label: 'Agent', sort: 'agent' },
  { key: 'base', label: 'Base pass', title: 'passes / trials on base' },
  {
    key: 'head',
    label: 'Head pass',
    title: 'passes / trials on head (confirmation re-runs apart)',
  },
  { key: 'change', label: 'Change', sort: 'kind' },
  { key: 'p', label: 'p', sort: 'p', title: "Fisher's exact test over the trials" },
  {
    key: 'p_adjusted',
    label: 'p (Holm)',
    sort: 'p_adjusted',
    title: 'after Holm over every task tested and the pass rate',
  },
  { key: 'noise', label: 'Noise' },
  {
    key: 'rerun',
    label: 'Re-runs',
    title: 'confirmation re-runs: extra passes, outcome, adjusted p',
  },
  { key: 'trace', label: 'Trace' },
];

const CHANGE_LABEL: Record<Kind, (t: TaskComparison) => string> = {
  regression: () => 'regressed',
  improvement: () => 'improved',
  noisy: (t) => String(t.change),
  new: () => 'new',
  removed: () => 'removed',
  unchanged: () => 'unchanged',
};

/** Task by task: each row's change, its evidence, its re-runs, and the newest trace each side. */
export function TaskTable(props: {
  rows: TaskComparison[];
  base: SuiteAtCommit;
  head: SuiteAtCommit;
}) {
  const [sort, setSort] = useState<TaskSort>({ key: 'kind', dir: 'asc' });
  const [all, setAll] = useState(false);
  const byKey = (s: SuiteAtCommit) => new Map(s.tasks.map((t) => [t.key, t]));
  const baseRuns = useMemo(() => byKey(props.base), [props.base]);
  const headRuns = useMemo(() => byKey(props.head), [props.head]);
  const rows = useMemo(() => sortTasks(props.rows, sort), [props.rows, sort]);
  const shown = all ? rows : rows.slice(0, FIRST_ROWS);
  const rerun = props.rows.some((t) => t.confirmation);
  const headers = HEADERS.filter((h) => h.key !== 'rerun' || rerun);
  const click = (k?: TaskSort['key']) =>
    k && setSort({ key: k, dir: sort.key === k && sort.dir === 'asc' ? 'desc' : 'asc' });
  return (
    <div class="compare-table-wrap">
      <table class="plain compare-table" data-testid="compare-table">
        <thead>
          <tr>
            {headers.map((h) => (
              <th
                key={h.key}
                title={h.title}
                class={h.sort ? 'sortable' : ''}
                data-column={h.key}
                aria-sort={
                  h.sort && sort.key === h.sort
                    ? sort.dir === 'asc'
                      ? 'ascending'
                      : 'descending'
                    : undefined
                }
                onClick={() => click(h.sort)}
              >
                {/* A button inside, so the keyboard reaches the sort; its click bubbles here. */}
                {h.sort ? (
                  <button type="button" class="sort-button">
                    {h.label}
                    {sort.key === h.sort ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                ) : (
                  h.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => {
            const key = `${t.task_id}\0${t.agent}`;
            const kind = kindOf(t);
            return (
              <tr key={key} data-task={t.task_id} data-kind={kind} class={`kind-${kind}`}>
                <td class="task" title={t.task_id}>
                  {clip(String(t.task_id), 80)}
                </td>
                <td class="muted" title={t.agent}>
                  {clip(String(t.agent), 40)}
                </td>
                <td class="num">{tally(t.base)}</td>
                <td class="num">{tally(t.head)}</td>
                <td>
                  <span class={`badge change-${kind}`}>{CHANGE_LABEL[kind](t)}</span>
                </td>
                <td class="num">{t.p_value === null ? '—' : p3(t.p_value)}</td>
                <td class="num">{t.p_adjusted === null ? '—' : p3(t.p_adjusted)}</td>
                <td>
                  {t.change === 'regressed' || t.change === 'improved' ? (
                    <NoiseBadge beyond={t.beyond_noise} />
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                {rerun ? (
                  <td class={`rerun outcome-${t.confirmation?.outcome ?? 'none'}`}>
                    {confirmationCell(t) || <span class="muted">—</span>}
                  </td>
                ) : null}
                <td class="traces">
                  <TraceLink side="base" runs={baseRuns.get(key)} />
                  <TraceLink side="head" runs={headRuns.get(key)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? <p class="empty">No task to show.</p> : null}
      {!all && rows.length > FIRST_ROWS ? (
        <button class="show-all" onClick={() => setAll(true)} data-testid="compare-show-all">
          Show all {rows.length} tasks ({rows.length - FIRST_ROWS} more)
        </button>
      ) : null}
    </div>
  );
}

function TraceLink({ side, runs }: { side: 'base' | 'head'; runs: TaskRuns | undefined }) {
  if (!runs) return <span class="muted trace-link">{side}: —</span>;
  const r = runs.latest;
  return (
    <a
      class="trace-link"
      href={href.trace(r.suiteRun, String(r.run.id))}
      data-trace={side}
      title={`newest ${side} run: ${r.run.id} (trial ${r.run.trial})`}
    >
      {side}
    </a>
  );
}
