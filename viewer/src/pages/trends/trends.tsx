import { useMemo } from 'preact/hooks';
import type { IndexEntry } from '../../../../core/src/index.js';
import { navigate } from '../../app-nav.js';
import { readIndex, type DataSource } from '../../data/source.js';
import { listedSuiteRuns } from '../../data/listed.js';
import { useAsync } from '../../data/use-async.js';
import { href } from '../../route.js';
import { Failure, Loading } from '../../ui/status.js';
import { suitesOf } from './points.js';
import { SuiteTrend } from './suite-trend.js';
import './trends.css';

/**
 * Trends: pass rate, pass^k, cost and p95 latency of each suite over its commits, from
 * index.json alone (one file, however long the history). #/trends shows every suite, the most
 * recently run first; #/trends/<suite> one.
 */
export function Trends(props: {
  source: DataSource;
  suite: string | null;
  params: URLSearchParams;
}) {
  const data = useAsync(() => readIndex(props.source), []);
  if (data.state === 'loading') return <Loading what="the index" />;
  if (data.state === 'error') return <Failure error={data.error} />;
  return <TrendsView entries={listedSuiteRuns(data.value)} suite={props.suite} />;
}

/** Suites drawn on #/trends (four charts each); the rest are a link away. */
const MAX_BLOCKS = 8;

function TrendsView({ entries, suite }: { entries: IndexEntry[]; suite: string | null }) {
  const suites = useMemo(() => suitesOf(entries), [entries]);
  const named = suite ? suites.filter((s) => s === suite) : suites;
  const shown = named.slice(0, MAX_BLOCKS);
  const rest = named.slice(MAX_BLOCKS);
  return (
    <section data-page="trends" class="page trends">
      <header class="trends-head">
        <h1>Trends</h1>
        {suites.length > 1 || suite ? (
          <label class="suite-picker">
            Suite{' '}
            <select
              value={suite ?? ''}
              data-testid="trends-suite-picker"
              onChange={(e) =>
                navigate(href.trends((e.target as HTMLSelectElement).value || undefined))
              }
            >
              <option value="">all suites ({suites.length})</option>
              {suites.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span class="muted">
          One point per commit: its shards and re-runs together. Hover a point for its commit; click
          to open it.
        </span>
      </header>
      {!entries.length ? <p class="empty">index.json lists no suite runs yet.</p> : null}
      {suite && !shown.length ? (
        <div class="banner banner-warning" role="alert" data-testid="trends-unknown-suite">
          No suite <code>{suite}</code> in index.json. <a href={href.trends()}>All suites</a>
        </div>
      ) : null}
      {shown.map((s) => (
        <SuiteTrend key={s} suite={s} entries={entries} linked={!suite} />
      ))}
      {rest.length ? (
        <p class="more-suites" data-testid="trends-more-suites">
          {rest.length} more suite(s), less recently run:{' '}
          {rest.map((s, i) => (
            <>
              {i ? ', ' : ''}
              <a href={href.trends(s)}>{s}</a>
            </>
          ))}
        </p>
      ) : null}
    </section>
  );
}
