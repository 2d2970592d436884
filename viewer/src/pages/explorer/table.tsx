import { navigate } from '../../app-nav.js';
import { href } from '../../route.js';
import { useVirtualRows } from '../../ui/virtual.js';
import type { TaskRuns } from '../../data/suite.js';
import type { Column } from './columns.js';

const ROW_HEIGHT = 36;

export interface Sort {
  key: string;
  dir: 'asc' | 'desc';
}

/** The explorer's grid: a sticky header that sorts, and only the rows in view rendered. */
export function RunTable(props: {
  rows: TaskRuns[];
  columns: Column[];
  sort: Sort | null;
  onSort: (s: Sort) => void;
}) {
  const { rows, columns, sort } = props;
  const { scrollRef, items, total } = useVirtualRows(rows.length, ROW_HEIGHT);
  const template = columns.map((c) => c.width).join(' ');
  const clickHeader = (c: Column) => {
    if (!c.sort) return;
    const dir = sort?.key === c.key && sort.dir === 'asc' ? 'desc' : 'asc';
    props.onSort({ key: c.key, dir });
  };
  return (
    <div class="grid" role="table" aria-rowcount={rows.length}>
      <div class="grid-head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div
            key={c.key}
            role="columnheader"
            class={c.sort ? 'sortable' : ''}
            data-column={c.key}
            aria-sort={
              sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined
            }
            onClick={() => clickHeader(c)}
          >
            {/* A button inside, so the keyboard reaches the sort; its click bubbles here. */}
            {c.sort ? (
              <button type="button" class="sort-button">
                {c.label}
                {sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            ) : (
              c.label
            )}
          </div>
        ))}
      </div>
      <div class="grid-body" ref={scrollRef}>
        <div style={{ height: `${total}px`, position: 'relative' }}>
          {items.map((item) => {
            const t = rows[item.index];
            return (
              <div
                key={t.key}
                role="row"
                class="grid-row"
                data-row={t.latest.run.id}
                style={{
                  gridTemplateColumns: template,
                  transform: `translateY(${item.start}px)`,
                  height: `${ROW_HEIGHT}px`,
                }}
                onClick={() => navigate(href.trace(t.latest.suiteRun, t.latest.run.id))}
              >
                {columns.map((c) => (
                  <div role="cell" key={c.key} data-cell={c.key}>
                    {c.cell(t)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {rows.length === 0 ? <p class="empty">No runs match.</p> : null}
      </div>
    </div>
  );
}
