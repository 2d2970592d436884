import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { navigate } from '../../app-nav.js';
import { href } from '../../route.js';
import { shortSha, when } from '../../ui/format.js';
import { METRIC_VIEW } from './metrics.js';
import type { Metric, TrendPoint } from './points.js';

const HEIGHT = 190;
/** Above a point closer than this to the top, the tip goes below it (it stays on the chart). */
const TIP_ROOM = 90;

/** A point's name on the axis: its commit, or the day it ran for a local run (it has none). */
export function pointLabel(p: TrendPoint): string {
  if (p.commit) return shortSha(p.commit);
  const d = new Date(p.time);
  if (Number.isNaN(d.getTime())) return 'local';
  // As short as a sha, so labels do not collide; the tip has the time.
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/**
 * One metric over a suite's commits (uPlot: a canvas chart of 50 KB that draws thousands of
 * points at once). Points sit at equal steps, one per commit: commits, not hours, are what
 * moved the figures. Hovering shows the commit; clicking opens it in the explorer.
 */
export function TrendChart({ points, metric }: { points: TrendPoint[]; metric: Metric }) {
  const wrap = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ idx: number; left: number; top: number } | null>(null);
  const view = METRIC_VIEW[metric];
  const values = points.map((p) => p[metric]);
  const drawn = values.some((v) => v !== null);

  useEffect(() => {
    const el = box.current;
    if (!el || !drawn) return;
    const xs = points.map((_, i) => i);
    let idx: number | null = null;
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 9 } },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: view.unit
          ? { range: [0, 1] }
          : { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
      },
      axes: [
        {
          stroke: '#59636e',
          grid: { show: false },
          space: 60,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          values: (_u, splits) =>
            splits.map((i) => (Number.isInteger(i) && points[i] ? pointLabel(points[i]) : '')),
        },
        {
          stroke: '#59636e',
          grid: { stroke: '#eef1f4' },
          size: 64,
          values: (_u, splits) => splits.map((v) => view.tick(v)),
        },
      ],
      series: [
        {},
        {
          label: view.title,
          stroke: view.color,
          fill: `${view.color}14`,
          width: 2,
          spanGaps: true,
          // Dots while they have room (uPlot's default rule); a dense history is a line.
          points: { size: 6, fill: view.color },
        },
      ],
      hooks: {
        setCursor: [
          (u) => {
            idx = u.cursor.idx ?? null;
            if (idx === null || values[idx] === null || !wrap.current) return setHover(null);
            // The tip sits in the wrapper; uPlot's positions are within its plotting area.
            const over = u.over.getBoundingClientRect();
            const outer = wrap.current.getBoundingClientRect();
            setHover({
              idx,
              left: over.left - outer.left + u.valToPos(idx, 'x'),
              top: over.top - outer.top + u.valToPos(values[idx] as number, 'y'),
            });
          },
        ],
      },
    };
    const u = new uPlot(opts, [xs, values.map((v) => v ?? null)] as uPlot.AlignedData, el);
    const open = () => {
      if (idx !== null && points[idx]) navigate(href.explorer(points[idx].suiteRun));
    };
    u.over.addEventListener('click', open);
    u.over.style.cursor = 'pointer';
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [points, metric]);

  const last = [...values].reverse().find((v) => v !== null) ?? null;
  return (
    <figure class="trend-chart" data-testid={view.testid} data-points={points.length}>
      <figcaption>
        <span>{view.title}</span>
        <span class="latest" title="the newest point">
          {view.format(last)}
        </span>
      </figcaption>
      <div class="plot" ref={wrap} onMouseLeave={() => setHover(null)}>
        {/* uPlot owns this element's children; preact never renders into it. */}
        <div ref={box} />
        {drawn ? null : <p class="empty">Not in this index (written before it was listed).</p>}
        {hover && points[hover.idx] ? (
          <Tip point={points[hover.idx]} value={view.format(values[hover.idx])} {...hover} />
        ) : null}
      </div>
    </figure>
  );
}

function Tip(props: { point: TrendPoint; value: string; left: number; top: number }) {
  const p = props.point;
  const runs = p.entries.length;
  return (
    <div
      class={`trend-tip${props.top < TIP_ROOM ? ' below' : ''}`}
      role="tooltip"
      data-testid="trends-tip"
      style={{ left: `${props.left}px`, top: `${props.top}px` }}
    >
      <strong>{props.value}</strong>
      <div>
        {p.commit ? <code>{shortSha(p.commit)}</code> : <span>local run (no commit)</span>}
        {p.pr ? <span> · PR #{p.pr}</span> : null}
      </div>
      {p.ref ? <div class="muted">{p.ref.replace(/^refs\/heads\//, '')}</div> : null}
      <div class="muted">{when(p.time)}</div>
      {runs > 1 ? (
        <div class="muted">
          {runs} suite runs ({p.counted.length} counted)
        </div>
      ) : null}
      <div class="muted">click to open in the explorer</div>
    </div>
  );
}
