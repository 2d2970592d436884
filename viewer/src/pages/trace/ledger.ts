import type {
  LedgerOp,
  LedgerState,
  RunRecord,
  ToolCallRecord,
} from '../../../../core/src/index.js';
import { arr, isObj, obj, text } from '../../data/safe.js';

/**
 * The ledger viewer's data (seed 001): the State after a tool call (entities by type then id,
 * flags, tombstones) and the Changes it applied. A call's `ledger.state` is null once the run's
 * snapshot budget was spent; its State is then rebuilt by replaying the Changes from the last
 * State kept (the initial one at worst). The replay is lenient: a stored op it cannot apply is
 * skipped, the record's own snapshots stay authoritative.
 */

type Table = Record<string, Record<string, Record<string, unknown>>>;

export const EMPTY_STATE: LedgerState = { entities: {}, flags: [], tombstones: {} };

/** A stored state made safe to read: every section present and of its type. */
export function safeState(v: unknown): LedgerState {
  const s = obj(v);
  const table = (t: unknown): Table => {
    const out: Table = {};
    for (const [type, ids] of Object.entries(obj(t))) {
      if (!isObj(ids)) continue;
      const row: Record<string, Record<string, unknown>> = {};
      for (const [id, e] of Object.entries(ids)) if (isObj(e)) put(row, id, e);
      put(out, type, row);
    }
    return out;
  };
  return {
    entities: table(s.entities),
    flags: arr(s.flags).filter((f): f is string => typeof f === 'string'),
    tombstones: table(s.tombstones),
  };
}

/** Sets an own property: a key from the record may be `__proto__`, which `=` would not store. */
function put<T>(o: Record<string, T>, key: string, value: T) {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const copy = (s: LedgerState): LedgerState => ({
  entities: Object.fromEntries(Object.entries(s.entities).map(([t, ids]) => [t, { ...ids }])),
  flags: [...s.flags],
  tombstones: Object.fromEntries(Object.entries(s.tombstones).map(([t, ids]) => [t, { ...ids }])),
});

const own = <T>(o: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(o, key) ? o[key] : undefined;

const isOp = (v: unknown): v is LedgerOp => isObj(v) && typeof v.op === 'string';

/** The ops of a call's ledger entry that have an op name (the rest are not shown). */
export const opsOf = (c: ToolCallRecord | undefined): LedgerOp[] =>
  arr(obj(obj(c).ledger).changes).filter(isOp);

/** Applies ops to a copy of the state, as the ledger did (add, update, remove, set_flag). */
export function applyOps(state: LedgerState, ops: readonly unknown[]): LedgerState {
  const s = copy(state);
  for (const op of ops) {
    if (!isOp(op)) continue;
    if (op.op === 'set_flag') {
      if (typeof op.flag !== 'string') continue;
      const on = op.value !== false;
      const has = s.flags.includes(op.flag);
      if (on && !has) s.flags.push(op.flag);
      if (!on && has) s.flags = s.flags.filter((f) => f !== op.flag);
      continue;
    }
    const { entity_type: type, entity_id: id } = op;
    if (typeof type !== 'string' || typeof id !== 'string') continue;
    const live = own(s.entities, type);
    if (op.op === 'add') {
      put(s.entities, type, { ...live, [id]: { ...obj(op.fields) } });
      if (Object.hasOwn(s.tombstones, type)) {
        const { [id]: _, ...rest } = s.tombstones[type];
        if (Object.keys(rest).length) put(s.tombstones, type, rest);
        else delete s.tombstones[type];
      }
    } else if (op.op === 'update') {
      if (!live || !Object.hasOwn(live, id)) continue;
      put(live, id, { ...live[id], ...obj(op.fields) });
    } else if (op.op === 'remove') {
      if (!live || !Object.hasOwn(live, id)) continue;
      const gone = live[id];
      delete live[id];
      if (!Object.keys(live).length) delete s.entities[type];
      put(s.tombstones, type, { ...own(s.tombstones, type), [id]: gone });
    }
  }
  return s;
}

/**
 * The State after the tool call at `index` (trajectory.tool_calls order): its own snapshot when
 * kept, else the nearest kept snapshot before it (or the initial state) with the Changes since.
 */
export function stateAfter(record: Partial<RunRecord>, index: number): LedgerState {
  const calls = arr<ToolCallRecord>(obj(record.trajectory).tool_calls);
  let start = index;
  while (start >= 0 && !isObj(obj(obj(calls[start]).ledger).state)) start--;
  let state =
    start >= 0
      ? safeState(obj(obj(calls[start]).ledger).state)
      : safeState(obj(record.ledger).initial);
  for (let i = start + 1; i <= index && i < calls.length; i++)
    state = applyOps(state, opsOf(calls[i]));
  return state;
}

/** Whether the call's State is its own snapshot or was rebuilt from the Changes. */
export const snapshotKept = (c: ToolCallRecord | undefined) => isObj(obj(obj(c).ledger).state);

/** Every op the run applied, with the call that applied it (the final state's Changes). */
export function allChanges(record: Partial<RunRecord>): { call: ToolCallRecord; op: LedgerOp }[] {
  const calls = arr<ToolCallRecord>(obj(record.trajectory).tool_calls).filter(isObj);
  return calls.flatMap((call) => opsOf(call).map((op) => ({ call, op })));
}

/** A table of one entity type: the ids in order, and the field names every entity uses. */
export function entityTable(ids: Record<string, Record<string, unknown>>, maxColumns = 12) {
  const rows = Object.keys(ids).sort(byId);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const id of rows)
    for (const k of Object.keys(ids[id]))
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
  return {
    rows,
    columns: columns.slice(0, maxColumns),
    hiddenColumns: columns.length - maxColumns,
  };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Ids in natural order: `order-9` before `order-10` (one collator: compare is hot). */
export const byId = (a: string, b: string) =>
  collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** The entities an op list touched, as `type\0id`, to mark them in the State view. */
export function touched(ops: readonly LedgerOp[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops)
    if (op.op !== 'set_flag') out.add(`${text(op.entity_type)}\0${text(op.entity_id)}`);
  return out;
}
