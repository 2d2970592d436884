import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../../core/src/index.js';
import { allChanges, applyOps, entityTable, safeState, stateAfter, touched } from './ledger.js';

const initial = {
  entities: { order: { '1': { order_id: '1', status: 'paid' } } },
  flags: [],
  tombstones: {},
};

describe('applyOps', () => {
  it('adds, updates, removes to tombstones, sets and clears flags', () => {
    const s = applyOps(initial, [
      { op: 'add', entity_type: 'order', entity_id: '2', fields: { order_id: '2' } },
      { op: 'update', entity_type: 'order', entity_id: '1', fields: { status: 'cancelled' } },
      { op: 'remove', entity_type: 'order', entity_id: '2' },
      { op: 'set_flag', flag: 'a' },
      { op: 'set_flag', flag: 'b' },
      { op: 'set_flag', flag: 'a', value: false },
    ]);
    expect(s.entities.order).toEqual({ '1': { order_id: '1', status: 'cancelled' } });
    expect(s.tombstones.order).toEqual({ '2': { order_id: '2' } });
    expect(s.flags).toEqual(['b']);
    // The state it started from is untouched.
    expect(initial.entities.order['1'].status).toBe('paid');
  });

  it('re-adding a removed entity clears its tombstone', () => {
    const s = applyOps(initial, [
      { op: 'remove', entity_type: 'order', entity_id: '1' },
      { op: 'add', entity_type: 'order', entity_id: '1', fields: { status: 'new' } },
    ]);
    expect(s.entities.order['1']).toEqual({ status: 'new' });
    expect(s.tombstones).toEqual({});
  });

  it('skips ops it cannot apply and keeps hostile keys as data', () => {
    const s = applyOps(initial, [
      null,
      { op: 'update', entity_type: 'order', entity_id: 'missing', fields: { x: 1 } },
      { op: 'nonsense' },
      { op: 'add', entity_type: '__proto__', entity_id: '__proto__', fields: { polluted: true } },
    ]);
    expect(Object.keys(s.entities).sort()).toEqual(['__proto__', 'order']);
    expect(Object.hasOwn(s.entities.__proto__ as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('stateAfter', () => {
  const call = (id: string, state: unknown, changes: unknown[]) => ({
    id,
    name: 't',
    ledger: { state, changes },
  });
  const rec = (calls: unknown[]) =>
    ({ ledger: { initial }, trajectory: { tool_calls: calls } }) as unknown as RunRecord;
  const add = (id: string) => ({
    op: 'add',
    entity_type: 'order',
    entity_id: id,
    fields: { order_id: id },
  });

  it("uses a call's own snapshot when it was kept", () => {
    const snap = { entities: { x: { a: { v: 1 } } }, flags: ['f'], tombstones: {} };
    expect(stateAfter(rec([call('c1', snap, [])]), 0)).toEqual(snap);
  });

  it('rebuilds a dropped snapshot from the last kept one and the Changes since', () => {
    const kept = applyOps(initial, [add('2')]);
    const r = rec([
      call('c1', kept, [add('2')]),
      call('c2', null, [add('3')]),
      call('c3', null, [add('4')]),
    ]);
    expect(Object.keys(stateAfter(r, 2).entities.order).sort()).toEqual(['1', '2', '3', '4']);
    expect(Object.keys(stateAfter(r, 1).entities.order).sort()).toEqual(['1', '2', '3']);
  });

  it('starts from the initial state when no snapshot was kept', () => {
    const r = rec([call('c1', null, [add('9')])]);
    expect(Object.keys(stateAfter(r, 0).entities.order).sort()).toEqual(['1', '9']);
  });

  it('lists every op of the run with its call', () => {
    const r = rec([
      call('c1', null, [add('2')]),
      call('c2', null, [{ op: 'set_flag', flag: 'x' }, 7]),
    ]);
    expect(allChanges(r).map((c) => [c.call.id, c.op.op])).toEqual([
      ['c1', 'add'],
      ['c2', 'set_flag'],
    ]);
  });
});

describe('safeState and entityTable', () => {
  it('reads any value as a state with its three sections', () => {
    expect(safeState(null)).toEqual({ entities: {}, flags: [], tombstones: {} });
    expect(safeState({ entities: { t: 5, u: { a: 1, b: { x: 1 } } }, flags: ['a', 3] })).toEqual({
      entities: { u: { b: { x: 1 } } },
      flags: ['a'],
      tombstones: {},
    });
  });

  it('orders ids naturally and gathers the columns', () => {
    const t = entityTable({ 'o-10': { a: 1 }, 'o-9': { b: 2 }, 'o-1': { a: 3, c: 1 } });
    expect(t.rows).toEqual(['o-1', 'o-9', 'o-10']);
    expect(t.columns).toEqual(['a', 'c', 'b']);
  });

  it('marks the entities an op list touched', () => {
    const m = touched([
      { op: 'update', entity_type: 'order', entity_id: '1', fields: {} },
      { op: 'set_flag', flag: 'x' },
    ]);
    expect([...m]).toEqual(['order\u00001']);
    const hostile = JSON.parse(
      '{"op": "remove", "entity_type": {"toString": 1}, "entity_id": "1"}',
    );
    expect(() => touched([hostile])).not.toThrow();
  });
});
