import type { LedgerOp, LedgerState, ToolCallRecord } from '../../../../core/src/index.js';
import { useMemo, useState } from 'preact/hooks';
import { cls } from '../../ui/chips.js';
import { byId, entityTable, touched } from './ledger.js';
import { text } from '../../data/safe.js';

/** A field's value in a cell: strings bare, the rest as one line of JSON, cut long. */
const cell = (v: unknown) => {
  const s = typeof v === 'string' ? v : text(v).replace(/\s*\n\s*/g, ' ');
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
};

/** Types and ids drawn per table; a huge world is counted, not drawn. */
const ROWS = 200;

function Tables(props: { table: LedgerState['entities']; mark?: Set<string>; gone?: boolean }) {
  const types = Object.keys(props.table).sort(byId);
  return (
    <>
      {types.map((type) => {
        const ids = props.table[type];
        const t = entityTable(ids);
        return (
          <div key={type} class="ledger-type">
            <div class="ledger-type-name">
              <code>{type}</code> <span class="muted small">{t.rows.length}</span>
            </div>
            <table class={`plain ledger-table ${props.gone ? 'gone' : ''}`}>
              <thead>
                <tr>
                  <th>id</th>
                  {t.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                  {t.hiddenColumns > 0 ? <th>+{t.hiddenColumns}</th> : null}
                </tr>
              </thead>
              <tbody>
                {t.rows.slice(0, ROWS).map((id) => (
                  <tr key={id} class={props.mark?.has(`${type}\0${id}`) ? 'touched' : ''}>
                    <td>
                      <code>{id}</code>
                    </td>
                    {t.columns.map((c) => (
                      <td key={c}>{Object.hasOwn(ids[id], c) ? cell(ids[id][c]) : ''}</td>
                    ))}
                    {t.hiddenColumns > 0 ? <td /> : null}
                  </tr>
                ))}
              </tbody>
            </table>
            {t.rows.length > ROWS ? <p class="muted small">… {t.rows.length - ROWS} more</p> : null}
          </div>
        );
      })}
    </>
  );
}

/** The State view: live entities by type then id, the flags set, the tombstones. */
export function StateView({ state, ops }: { state: LedgerState; ops?: LedgerOp[] }) {
  const mark = useMemo(() => touched(ops ?? []), [ops]);
  const empty = !Object.keys(state.entities).length;
  return (
    <div class="ledger-state">
      {empty ? <p class="muted small">No live entities.</p> : null}
      <Tables table={state.entities} mark={mark} />
      <div class="ledger-flags">
        <span class="muted small">Flags</span>{' '}
        {state.flags.length ? (
          state.flags.map((f) => (
            <span key={f} class="badge flag">
              {f}
            </span>
          ))
        ) : (
          <span class="muted small">none set</span>
        )}
      </div>
      {Object.keys(state.tombstones).length ? (
        <div class="ledger-tombstones">
          <div class="muted small">Removed (tombstones)</div>
          <Tables table={state.tombstones} gone />
        </div>
      ) : null}
    </div>
  );
}

/** One op as a line: `update order/4522 {status: "cancelled"}`. */
export function OpLine({ op, call }: { op: LedgerOp; call?: ToolCallRecord }) {
  const kind = text(op.op);
  return (
    <li class="op">
      <span class={`badge op-${cls(kind)}`}>{kind}</span>{' '}
      {op.op === 'set_flag' ? (
        <>
          <code>{text(op.flag)}</code>
          {op.value === false ? <span class="muted"> cleared</span> : null}
        </>
      ) : (
        <>
          <code>
            {text(op.entity_type)}/{text(op.entity_id)}
          </code>
          {'fields' in op && op.fields !== undefined ? (
            <code class="op-fields"> {cell(op.fields)}</code>
          ) : null}
        </>
      )}
      {call ? <span class="muted small"> · {text(call.name)}</span> : null}
    </li>
  );
}

export function ChangesView(props: { ops: { op: LedgerOp; call?: ToolCallRecord }[] }) {
  if (!props.ops.length) return <p class="muted small">No ledger changes.</p>;
  return (
    <ul class="ops">
      {props.ops.slice(0, 500).map((o, i) => (
        <OpLine key={i} op={o.op} call={o.call} />
      ))}
      {props.ops.length > 500 ? <li class="muted small">… {props.ops.length - 500} more</li> : null}
    </ul>
  );
}

/**
 * The ledger viewer (seed 001) with its State / Changes toggle: the literal ledger after a step,
 * or the operations the step applied (authoritative, not a diff of snapshots).
 */
export function LedgerView(props: {
  state: () => LedgerState;
  ops: { op: LedgerOp; call?: ToolCallRecord }[];
  note?: string;
  initial?: 'state' | 'changes';
}) {
  const [view, setView] = useState<'state' | 'changes'>(props.initial ?? 'state');
  const state = useMemo(() => (view === 'state' ? props.state() : null), [view]);
  return (
    <div class="ledger-view" data-testid="ledger-view">
      <div class="ledger-head">
        <div class="modes" role="tablist" data-testid="ledger-toggle">
          {(['state', 'changes'] as const).map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              class={view === v ? 'active' : ''}
              onClick={() => setView(v)}
            >
              {v === 'state' ? 'State' : `Changes (${props.ops.length})`}
            </button>
          ))}
        </div>
        {props.note ? <span class="muted small">{props.note}</span> : null}
      </div>
      {state ? (
        <StateView state={state} ops={props.ops.map((o) => o.op)} />
      ) : (
        <ChangesView ops={props.ops} />
      )}
    </div>
  );
}
