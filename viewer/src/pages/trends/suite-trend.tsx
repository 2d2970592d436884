import { useMemo, useState } from 'preact/hooks';
import type { IndexEntry } from '../../../../core/src/index.js';
import { href } from '../../route.js';
import { TrendChart } from './chart.js';
import { METRICS, refsOf, trendPoints } from './points.js';
import { TrendTable } from './table.js';

/** One suite's trends: a chart per metric over its commits, and the figures under them. */
export function SuiteTrend(props: { suite: string; entries: IndexEntry[]; linked: boolean }) {
  const all = useMemo(() => trendPoints(props.entries, props.suite), [props.entries, props.suite]);
  const refs = useMemo(() => refsOf(all), [all]);
  const [ref, setRef] = useState('');
  const points = useMemo(() => (ref ? all.filter((p) => p.ref === ref) : all), [all, ref]);
  const runs = points.reduce((n, p) => n + p.entries.length, 0);
  return (
    <section class="suite-trend card" data-suite={props.suite} data-testid="trends-suite">
      <header class="suite-trend-head">
        <h2>{props.linked ? <a href={href.trends(props.suite)}>{props.suite}</a> : props.suite}</h2>
        <span class="muted">
          {points.length} commit point{points.length === 1 ? '' : 's'} · {runs} suite run
          {runs === 1 ? '' : 's'}
        </span>
        {refs.length > 1 ? (
          <label class="ref-filter">
            Ref{' '}
            <select
              value={ref}
              data-testid="trends-ref"
              onChange={(e) => setRef((e.target as HTMLSelectElement).value)}
            >
              <option value="">all refs</option>
              {refs.map((r) => (
                <option key={r} value={r}>
                  {r.replace(/^refs\/heads\//, '')}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </header>
      {points.length ? (
        <div class="trend-grid">
          {METRICS.map((m) => (
            <TrendChart key={m} points={points} metric={m} />
          ))}
        </div>
      ) : (
        <p class="empty">No suite run on this ref.</p>
      )}
      <TrendTable points={points} suite={props.suite} />
    </section>
  );
}
