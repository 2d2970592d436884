import { useMemo, useState } from 'preact/hooks';
import type { DataSource } from '../../data/source.js';
import { useAsync } from '../../data/use-async.js';
import { href } from '../../route.js';
import { Failure, Loading } from '../../ui/status.js';
import { readConfirmation } from './confirmation-record.js';
import { loadCompare, type CompareData } from './load.js';
import { isChanged, MANY_TASKS, visibleTasks } from './order.js';
import { Sides } from './sides.js';
import { Summary } from './summary.js';
import { TaskTable } from './task-table.js';
import './compare.css';

/** Compare: a base suite run against a head suite run, task by task, as the PR comment judges. */
export function Compare(props: {
  source: DataSource;
  base: string;
  head: string;
  params: URLSearchParams;
}) {
  const data = useAsync(
    () => loadCompare(props.source, props.base, props.head),
    [props.base, props.head],
  );
  if (data.state === 'loading') return <Loading what="the comparison" />;
  if (data.state === 'error') return <Failure error={data.error} />;
  return <CompareView {...data.value} />;
}

function CompareView({ base, head, comparison, choices }: CompareData) {
  const tasks = comparison.tasks;
  const changed = useMemo(() => tasks.filter(isChanged).length, [tasks]);
  const [changedOnly, setChangedOnly] = useState(tasks.length > MANY_TASKS);
  const rows = useMemo(() => visibleTasks(tasks, changedOnly), [tasks, changedOnly]);
  const confirmation = useMemo(() => readConfirmation(head.manifests), [head]);
  const suite = head.entry.suite;
  return (
    <section data-page="compare" class="page compare">
      <header class="compare-header">
        <h1>
          Compare <span class="suite-name">{suite}</span>
        </h1>
        <a href={href.trends(suite)}>Trends of {suite}</a>
      </header>
      {base.entry.suite !== head.entry.suite ? (
        <div class="banner banner-warning" role="alert" data-testid="compare-suite-mismatch">
          Base is a run of suite <code>{base.entry.suite}</code>, head of{' '}
          <code>{head.entry.suite}</code>: tasks are matched by id and agent only.
        </div>
      ) : null}
      {base.entry.id === head.entry.id ? (
        <div class="banner banner-warning" role="alert">
          Base and head are the same suite run: choose another base.
        </div>
      ) : null}
      <Sides base={base} head={head} choices={choices} />
      <Summary comparison={comparison} base={base} confirmation={confirmation} />
      <div class="toolbar">
        <h2 class="table-title">Task by task</h2>
        <label class="toggle">
          <input
            type="checkbox"
            checked={changedOnly}
            data-testid="compare-changed-only"
            onChange={(e) => setChangedOnly((e.target as HTMLInputElement).checked)}
          />{' '}
          Changed only
        </label>
        <span class="muted" data-testid="compare-row-count">
          {rows.length} of {tasks.length} tasks shown · {changed} changed
        </span>
      </div>
      <TaskTable rows={rows} base={base} head={head} />
    </section>
  );
}
