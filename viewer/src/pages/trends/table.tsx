import { useState } from 'preact/hooks';
import { href } from '../../route.js';
import { ms, pct, shortSha, usd, when } from '../../ui/format.js';
import type { TrendPoint } from './points.js';

/** Rows drawn at first, newest first; the rest on request. */
const FIRST_ROWS = 30;

/** The points as figures, newest first, each with its explorer and a comparison with the one before. */
export function TrendTable({ points, suite }: { points: TrendPoint[]; suite: string }) {
  const [all, setAll] = useState(false);
  const rows = points.map((p, i) => ({ p, prev: i > 0 ? points[i - 1] : null })).reverse();
  const shown = all ? rows : rows.slice(0, FIRST_ROWS);
  return (
    <div class="trend-table-wrap">
      <table class="plain trend-table" data-testid="trends-table" data-suite={suite}>
        <thead>
          <tr>
            <th>Commit</th>
            <th>Time</th>
            <th>Ref</th>
            <th class="num">Pass rate</th>
            <th class="num">pass^k</th>
            <th class="num">Cost</th>
            <th class="num">p95</th>
            <th class="num" title="suite runs at the commit (shards, re-runs)">
              Suite runs
            </th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shown.map(({ p, prev }) => (
            <tr key={p.key} data-point={p.key}>
              <td>
                {p.commit ? (
                  <code title={p.commit}>{shortSha(p.commit)}</code>
                ) : (
                  <span class="muted">local</span>
                )}
              </td>
              <td class="muted">{when(p.time)}</td>
              <td>
                {p.ref ? (
                  <span class="muted" title={p.ref}>
                    {p.ref.replace(/^refs\/heads\//, '')}
                  </span>
                ) : null}
                {p.pr ? <span class="badge">PR #{p.pr}</span> : null}
              </td>
              <td class="num">{pct(p.pass_rate)}</td>
              <td class="num">{pct(p.pass_hat_k)}</td>
              <td class="num">{usd(p.cost_usd)}</td>
              <td class="num">{ms(p.p95_ms)}</td>
              <td class="num">{p.entries.length}</td>
              <td class="links">
                <a href={href.explorer(p.suiteRun)}>explorer</a>
                {prev ? (
                  <a
                    href={href.compare(prev.suiteRun, p.suiteRun)}
                    title="compare with the point before"
                  >
                    vs previous
                  </a>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!all && rows.length > FIRST_ROWS ? (
        <button class="show-all" onClick={() => setAll(true)}>
          Show all {rows.length} commits
        </button>
      ) : null}
    </div>
  );
}
