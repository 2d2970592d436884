import type { RunRecord } from '../../../../core/src/index.js';
import { Fragment } from 'preact';
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { RowBadges, RowDetail } from './rows.js';
import { Guarded } from './section.js';
import { num, obj, str, text } from '../../data/safe.js';
import {
  buildTimeline,
  countKinds,
  HIDDEN_BY_DEFAULT,
  type RowKind,
  type TimelineRow,
} from './timeline.js';

/** Rows drawn at first, and added each time the end of the list scrolls near. */
export const FIRST_ROWS = 200;
const MORE_ROWS = 500;
/** Characters of a summary on a collapsed row. */
const SUMMARY_CHARS = 240;

const KIND_LABEL: Record<RowKind, string> = {
  turn: 'agent',
  reasoning: 'thinking',
  final: 'final',
  tool: 'tool',
  model: 'model',
  event: 'event',
  shell: 'shell',
  edit: 'edit',
  error: 'error',
  network: 'network',
  system: 'system',
};

const ORDER: RowKind[] = [
  'turn',
  'reasoning',
  'tool',
  'shell',
  'edit',
  'event',
  'model',
  'error',
  'final',
  'system',
  'network',
];

/** Seconds since the run started: `+1.24s`. */
const offset = (t: number, t0: number) =>
  Number.isFinite(t) && Number.isFinite(t0) ? `+${(Math.max(0, t - t0) / 1000).toFixed(2)}s` : '';

/** A tool call's collapsed line after its name: the error, else the arguments in one line. */
function toolLine(t: NonNullable<TimelineRow['tool']>): string {
  if (typeof t.error === 'string') return t.error;
  const args = text(t.args).replace(/\s*\n\s*/g, ' ');
  return args.length > SUMMARY_CHARS ? args.slice(0, SUMMARY_CHARS) : args;
}

/** One timeline row: a cheap line until opened; its detail is drawn only when open. */
const Row = memo(function Row(props: {
  row: TimelineRow;
  t0: number;
  record: RunRecord;
  actors: boolean;
}) {
  const [open, setOpen] = useState(false);
  const { row } = props;
  const s = row.tool ? toolLine(row.tool) : row.summary;
  return (
    <div class={`tl-row kind-${row.kind}${open ? ' open' : ''}`} data-step={row.id}>
      <button type="button" class="tl-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="tl-time">{offset(row.time, props.t0)}</span>
        <span class={`tl-kind k-${row.kind}`}>{KIND_LABEL[row.kind]}</span>
        {row.turn !== undefined ? <span class="tl-turn">t{row.turn}</span> : null}
        <span class="tl-summary">
          {row.tool ? <strong>{text(row.tool.name)} </strong> : null}
          {s.length > SUMMARY_CHARS ? `${s.slice(0, SUMMARY_CHARS)}…` : s}
        </span>
        <span class="tl-badges">
          <RowBadges row={row} actor={props.actors} />
        </span>
      </button>
      {open ? (
        <div class="tl-detail">
          <Guarded name="This step">
            <RowDetail row={row} record={props.record} />
          </Guarded>
          {row.step?.observed_by ? (
            <p class="muted small observed">
              {row.step.observed_by === 'host'
                ? 'Observed by gauntlet'
                : "Reported by the agent's own process"}{' '}
              · {row.at}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
});

/**
 * The trajectory timeline (seed 001). A trace of thousands of steps opens fast: rows are one
 * line until opened, and only the first FIRST_ROWS are drawn until the reader scrolls near the
 * end (an IntersectionObserver on a sentinel adds more).
 */
export function Timeline({ record }: { record: RunRecord }) {
  const rows = useMemo(() => buildTimeline(record), [record]);
  const counts = useMemo(() => countKinds(rows), [rows]);
  const [hidden, setHidden] = useState<Set<RowKind>>(() => new Set(HIDDEN_BY_DEFAULT));
  const [limit, setLimit] = useState(FIRST_ROWS);
  const visible = useMemo(() => rows.filter((r) => !hidden.has(r.kind)), [rows, hidden]);
  const sentinel = useRef<HTMLDivElement>(null);
  const t0 = useMemo(() => {
    const start = Date.parse(str(record.started_at) ?? '');
    return Number.isFinite(start)
      ? start
      : (rows.find((r) => Number.isFinite(r.time))?.time ?? NaN);
  }, [record, rows]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el || limit >= visible.length) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setLimit((n) => n + MORE_ROWS);
      },
      { rootMargin: '1200px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [limit, visible.length]);

  const toggle = (k: RowKind) => {
    const next = new Set(hidden);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setHidden(next);
  };
  // Actor badges only where there are several actors to tell apart.
  const actors = record.multi_agent != null;
  const dropped = num(obj(record.trajectory).dropped_steps);
  return (
    <section class="card timeline" data-testid="timeline">
      <h2>
        Trajectory <span class="muted small">{rows.length} rows</span>
      </h2>
      <div class="tl-filters" data-testid="timeline-filters">
        {ORDER.filter((k) => counts.has(k)).map((k) => (
          <label key={k} class="tl-filter">
            <input type="checkbox" checked={!hidden.has(k)} onChange={() => toggle(k)} />
            {KIND_LABEL[k]} <span class="muted">{counts.get(k)}</span>
          </label>
        ))}
      </div>
      {!rows.length ? (
        <p class="muted">
          No steps recorded. A coding agent's trajectory is rebuilt after the run from its CLI
          transcript or the capture; it can be empty when neither saw activity.
        </p>
      ) : null}
      <div class="tl-rows">
        {visible.slice(0, limit).map((row, i, shown) =>
          // Sessions: a divider where a new turn starts.
          row.turn !== undefined && i > 0 && shown[i - 1].turn !== row.turn ? (
            <Fragment key={row.id}>
              <div class="tl-turn-divider">Turn {row.turn}</div>
              <Row row={row} t0={t0} record={record} actors={actors} />
            </Fragment>
          ) : (
            <Row key={row.id} row={row} t0={t0} record={record} actors={actors} />
          ),
        )}
      </div>
      {limit < visible.length ? (
        <div ref={sentinel} class="tl-more">
          <button type="button" class="link-button" onClick={() => setLimit(limit + MORE_ROWS)}>
            Showing {limit} of {visible.length} rows: show more
          </button>
        </div>
      ) : null}
      {dropped ? <p class="muted small">… {dropped} more steps were not kept.</p> : null}
    </section>
  );
}
