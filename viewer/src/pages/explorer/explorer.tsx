import { useMemo, useState } from 'preact/hooks';
import type { IndexEntry } from '../../../../core/src/index.js';
import { replaceRoute } from '../../app-nav.js';
import { listedSuiteRuns } from '../../data/listed.js';
import { baseOf, compareSuites, loadSuite, type SuiteAtCommit } from '../../data/suite.js';
import { readIndex, type DataSource } from '../../data/source.js';
import { useAsync } from '../../data/use-async.js';
import { href } from '../../route.js';
import { Failure, Loading } from '../../ui/status.js';
import { SuiteHeader } from '../../ui/suite-header.js';
import { SuitePicker } from '../../ui/suite-picker.js';
import { COLUMNS } from './columns.js';
import { isMode, modeFilter, MODES, textFilter, type Mode } from './filters.js';
import { RunTable, type Sort } from './table.js';

/** The Data Explorer: one row per task and agent of a suite at a commit, its newest run shown. */
export function Explorer(props: {
  source: DataSource;
  suiteRun: string | null;
  params: URLSearchParams;
}) {
  const data = useAsync(() => loadExplorer(props.source, props.suiteRun), [props.suiteRun]);
  if (data.state === 'loading') return <Loading what="runs" />;
  if (data.state === 'error') return <Failure error={data.error} />;
  return <ExplorerView {...data.value} params={props.params} />;
}

async function loadExplorer(source: DataSource, suiteRun: string | null) {
  const suite = await loadSuite(source, suiteRun);
  const index = await readIndex(source);
  const all = listedSuiteRuns(index);
  const base = baseOf({ ...index, suite_runs: all }, suite.entry);
  // The base only feeds the "changed" mode: a missing base file leaves the rest usable.
  const baseSuite = base ? await loadSuite(source, base.id).catch(() => null) : null;
  return { suite, baseSuite, all };
}

/** An unreadable figure (NaN) sorts below every number, so the order stays a total order. */
const orderable = (v: string | number) => (Number.isNaN(v) ? -Infinity : v);

function parseSort(s: string | null): Sort | null {
  const [key, dir] = (s ?? '').split(':');
  return COLUMNS.some((c) => c.key === key && c.sort)
    ? { key, dir: dir === 'desc' ? 'desc' : 'asc' }
    : null;
}

function ExplorerView(props: {
  all: IndexEntry[];
  suite: SuiteAtCommit;
  baseSuite: SuiteAtCommit | null;
  params: URLSearchParams;
}) {
  const { suite, baseSuite } = props;
  const [mode, setMode] = useState<Mode>(() => {
    const m = props.params.get('mode');
    return isMode(m) ? m : 'all';
  });
  const [q, setQ] = useState(props.params.get('q') ?? '');
  const [sort, setSort] = useState<Sort | null>(() => parseSort(props.params.get('sort')));
  const [shown, setShown] = useState(
    () => new Set(COLUMNS.filter((c) => !c.hidden).map((c) => c.key)),
  );
  const comparison = useMemo(
    () => (baseSuite ? compareSuites(baseSuite.tasks, suite.tasks) : null),
    [suite, baseSuite],
  );
  const counts = useMemo(
    () =>
      Object.fromEntries(
        MODES.map((m) => [m, suite.tasks.filter(modeFilter(m, comparison)).length]),
      ),
    [suite, comparison],
  );
  const rows = useMemo(() => {
    const byMode = modeFilter(mode, comparison);
    const byText = textFilter(q);
    const list = suite.tasks.filter((t) => byMode(t) && byText(t));
    const col = sort && COLUMNS.find((c) => c.key === sort.key);
    if (col?.sort) {
      const key = col.sort;
      const sign = sort!.dir === 'asc' ? 1 : -1;
      list.sort((a, b) => {
        const x = orderable(key(a));
        const y = orderable(key(b));
        return (x < y ? -1 : x > y ? 1 : 0) * sign;
      });
    }
    return list;
  }, [suite, comparison, mode, q, sort]);

  const sync = (next: { mode?: Mode; q?: string; sort?: Sort | null }) => {
    const m = next.mode ?? mode;
    const s = next.sort === undefined ? sort : next.sort;
    replaceRoute(
      href.explorer(suite.entry.id, {
        mode: m === 'all' ? undefined : m,
        q: (next.q ?? q) || undefined,
        sort: s ? `${s.key}:${s.dir}` : undefined,
      }),
    );
  };
  const columns = COLUMNS.filter((c) => shown.has(c.key));
  const head = suite.manifests[suite.manifests.length - 1];

  return (
    <section data-page="explorer" class="page explorer">
      <SuiteHeader entry={suite.entry} manifest={head} entries={suite.entries}>
        {baseSuite ? (
          <a href={href.compare(baseSuite.entry.id, suite.entry.id)}>Compare with base</a>
        ) : null}
        <a href={href.trends(suite.entry.suite)}>Trends</a>
        <SuitePicker
          entries={props.all}
          current={suite.entry.id}
          link={(id) => href.explorer(id)}
        />
      </SuiteHeader>
      <div class="toolbar">
        <div class="modes" role="tablist">
          {MODES.map((m) => (
            <button
              key={m}
              role="tab"
              aria-selected={m === mode}
              class={m === mode ? 'active' : ''}
              data-mode={m}
              disabled={m === 'changed' && !comparison}
              title={
                m === 'changed' && !comparison ? 'no earlier run of this suite to compare' : ''
              }
              onClick={() => {
                setMode(m);
                sync({ mode: m });
              }}
            >
              {m} <span class="count">{counts[m]}</span>
            </button>
          ))}
        </div>
        <input
          type="search"
          placeholder="Filter: task, agent, chip, verdict…"
          value={q}
          data-testid="filter"
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            setQ(v);
            sync({ q: v });
          }}
        />
        <details class="columns-menu">
          <summary>Columns</summary>
          {COLUMNS.map((c) => (
            <label key={c.key}>
              <input
                type="checkbox"
                checked={shown.has(c.key)}
                data-column-toggle={c.key}
                onChange={() => {
                  const next = new Set(shown);
                  if (next.has(c.key)) next.delete(c.key);
                  else next.add(c.key);
                  setShown(next);
                }}
              />{' '}
              {c.label}
            </label>
          ))}
        </details>
        <span class="muted" data-testid="row-count">
          {rows.length} of {suite.tasks.length} tasks
        </span>
      </div>
      <RunTable
        rows={rows}
        columns={columns}
        sort={sort}
        onSort={(s) => {
          setSort(s);
          sync({ sort: s });
        }}
      />
    </section>
  );
}
