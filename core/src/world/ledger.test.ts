import { describe, expect, it } from 'vitest';
import type { LedgerOp, LedgerSchema, LedgerState } from '../results/record.js';
import { Ledger, valueProblem } from './ledger.js';
import { LEDGER_LIMITS, LedgerInputError } from './ledger-schema.js';

const SCHEMA: LedgerSchema = {
  entities: [
    {
      type: 'order',
      id_field: 'order_id',
      fields: [
        { name: 'status', type: 'string', enum: ['paid', 'shipped', 'cancelled'] },
        { name: 'total', type: 'number' },
        { name: 'qty', type: 'integer' },
        { name: 'gift', type: 'boolean' },
        { name: 'address', type: 'object' },
        { name: 'items', type: 'array' },
        { name: 'priority', type: 'integer', enum: [1, 2, 3] },
      ],
    },
    { type: 'customer', id_field: 'customer_id' },
  ],
  flags: { policy: 'closed', values: ['warehouse_outage', 'holiday'] },
};

const add = (id: string, fields: Record<string, unknown> = {}, type = 'order') => ({
  op: 'add' as const,
  entity_type: type,
  entity_id: id,
  fields,
});
const update = (id: string, fields: Record<string, unknown>, type = 'order') => ({
  op: 'update' as const,
  entity_type: type,
  entity_id: id,
  fields,
});
const remove = (id: string, type = 'order') => ({
  op: 'remove' as const,
  entity_type: type,
  entity_id: id,
});
const flag = (name: string, value?: boolean) =>
  value === undefined ? { op: 'set_flag', flag: name } : { op: 'set_flag', flag: name, value };

/** A ledger with orders 1 (paid) and 2 (shipped), and the flag holiday. */
function seeded(schema: LedgerSchema | null = SCHEMA): Ledger {
  const l = new Ledger(schema);
  const r = l.apply([
    add('1', { status: 'paid', total: 10 }),
    add('2', { status: 'shipped' }),
    flag('holiday'),
  ]);
  expect(r.ok).toBe(true);
  return l;
}

const problemsOf = (l: Ledger, ops: unknown) => {
  const r = l.apply(ops);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems;
};
const messagesOf = (l: Ledger, ops: unknown) => problemsOf(l, ops).map((p) => p.message);

describe('Ledger: the four ops', () => {
  it('add stores the fields with the id field set, and says so in the changes', () => {
    const l = new Ledger(SCHEMA);
    const r = l.apply([add('42', { status: 'paid', total: 9.5 })]);
    expect(r).toEqual({
      ok: true,
      changes: [
        {
          op: 'add',
          entity_type: 'order',
          entity_id: '42',
          fields: { order_id: '42', status: 'paid', total: 9.5 },
        },
      ],
    });
    expect(l.state()).toEqual({
      entities: { order: { '42': { order_id: '42', status: 'paid', total: 9.5 } } },
      flags: [],
      tombstones: {},
    });
  });

  it('add without fields is normalised to the id alone', () => {
    const l = new Ledger(SCHEMA);
    const r = l.apply([{ op: 'add', entity_type: 'customer', entity_id: 'c1' }]);
    expect(r.ok && r.changes).toEqual([
      { op: 'add', entity_type: 'customer', entity_id: 'c1', fields: { customer_id: 'c1' } },
    ]);
  });

  it('update merges shallowly: named fields replace, others stay, nested values go whole', () => {
    const l = new Ledger(SCHEMA);
    l.apply([add('1', { status: 'paid', address: { city: 'Oslo', zip: '0150' } })]);
    const r = l.apply([update('1', { status: 'shipped', address: { city: 'Bergen' }, note: 'x' })]);
    expect(r.ok).toBe(true);
    expect(l.state().entities.order['1']).toEqual({
      order_id: '1',
      status: 'shipped',
      address: { city: 'Bergen' },
      note: 'x',
    });
  });

  it('remove moves the entity, as it was, to the tombstones', () => {
    const l = seeded();
    const r = l.apply([remove('1')]);
    expect(r.ok && r.changes).toEqual([{ op: 'remove', entity_type: 'order', entity_id: '1' }]);
    const s = l.state();
    expect(Object.keys(s.entities.order)).toEqual(['2']);
    expect(s.tombstones).toEqual({ order: { '1': { order_id: '1', status: 'paid', total: 10 } } });
  });

  it('a type whose last entity is removed leaves no empty map in entities', () => {
    const l = new Ledger(SCHEMA);
    l.apply([add('c1', {}, 'customer'), remove('c1', 'customer')]);
    expect(l.state().entities).toEqual({});
    expect(Object.keys(l.state().tombstones)).toEqual(['customer']);
  });

  it('set_flag sets a flag once (value defaults to true) and false clears it', () => {
    const l = new Ledger(SCHEMA);
    const r = l.apply([flag('holiday'), flag('warehouse_outage', true), flag('holiday')]);
    expect(r.ok && r.changes).toEqual([
      { op: 'set_flag', flag: 'holiday', value: true },
      { op: 'set_flag', flag: 'warehouse_outage', value: true },
      { op: 'set_flag', flag: 'holiday', value: true },
    ]);
    expect(l.state().flags).toEqual(['holiday', 'warehouse_outage']);
    l.apply([flag('holiday', false), flag('holiday', false)]);
    expect(l.state().flags).toEqual(['warehouse_outage']);
  });

  it('an empty batch changes nothing', () => {
    const l = seeded();
    const before = l.state();
    expect(l.apply([])).toEqual({ ok: true, changes: [] });
    expect(l.state()).toEqual(before);
  });
});

describe('Ledger: all or nothing', () => {
  it('a batch whose third op is bad leaves the state identical', () => {
    const l = seeded();
    const before = JSON.stringify(l.state());
    const ops = [
      update('1', { status: 'shipped' }),
      add('3', { status: 'paid' }),
      update('2', { status: 'lost' }),
      flag('warehouse_outage'),
    ];
    const problems = problemsOf(l, ops);
    expect(problems).toEqual([
      {
        path: [2, 'fields', 'status'],
        message:
          'ops[2].fields.status is "lost"; order.status must be one of "paid", "shipped", ' +
          '"cancelled"',
      },
    ]);
    expect(JSON.stringify(l.state())).toBe(before);
    // The good ops alone go through, so the refusal was the third op's doing.
    expect(l.apply([ops[0], ops[1], ops[3]]).ok).toBe(true);
    expect(JSON.stringify(l.state())).not.toBe(before);
  });

  it('check reports what apply would, and changes nothing', () => {
    const l = seeded();
    const before = l.state();
    const ops = [update('1', { status: 'shipped' }), remove('9')];
    expect(l.check(ops)).toEqual(problemsOf(l, ops));
    expect(l.check([update('1', { status: 'shipped' })])).toEqual([]);
    expect(l.state()).toEqual(before);
  });

  it('judges each op against the ledger as the ops before it in the batch left it', () => {
    const l = seeded();
    expect(l.apply([add('3'), update('3', { status: 'paid' }), remove('3'), add('3')]).ok).toBe(
      true,
    );
    expect(messagesOf(l, [remove('1'), update('1', { status: 'paid' })])).toEqual([
      'ops[1] updates order "1", which was removed; add it again to recreate it',
    ]);
    expect(messagesOf(l, [add('4'), add('4')])).toEqual([
      'ops[1] adds order "4", which already exists; use update to change its fields',
    ]);
    expect(l.state().entities.order['4']).toBeUndefined();
  });

  it('an op refused for its fields still counts for the ids after it (no follow-on noise)', () => {
    const l = seeded();
    expect(problemsOf(l, [add('5', { total: 'ten' }), update('5', { total: 5 })])).toEqual([
      {
        path: [0, 'fields', 'total'],
        message: 'ops[0].fields.total is "ten"; order.total is declared as number',
      },
    ]);
  });

  it('the ledger owns its data: neither the ops nor state() nor changes alias it', () => {
    const l = new Ledger(SCHEMA);
    const ops = [add('1', { address: { city: 'Oslo' }, items: [{ sku: 'a' }] })];
    const r = l.apply(ops);
    (ops[0].fields.address as { city: string }).city = 'changed';
    (ops[0].fields.items as unknown[]).push('changed');
    if (r.ok) (r.changes[0] as { fields: Record<string, unknown> }).fields.address = 'changed';
    const s = l.state();
    (s.entities.order['1'].address as { city: string }).city = 'changed';
    s.flags.push('changed');
    expect(l.state()).toEqual({
      entities: {
        order: { '1': { order_id: '1', address: { city: 'Oslo' }, items: [{ sku: 'a' }] } },
      },
      flags: [],
      tombstones: {},
    });
  });

  it('replaying the changes from the initial state rebuilds the final state', () => {
    const initial: LedgerState = seeded().state();
    const l = new Ledger(SCHEMA, initial);
    const changes: LedgerOp[] = [];
    for (const batch of [
      [
        add('3', { status: 'paid' }),
        update('1', { status: 'cancelled' }),
        flag('warehouse_outage'),
      ],
      [remove('2'), flag('holiday', false), { op: 'add', entity_type: 'customer', entity_id: 'c' }],
      [add('2', { status: 'paid' })],
    ]) {
      const r = l.apply(batch);
      expect(r.ok).toBe(true);
      if (r.ok) changes.push(...r.changes);
    }
    const replay = new Ledger(SCHEMA, initial);
    expect(replay.apply(JSON.parse(JSON.stringify(changes))).ok).toBe(true);
    expect(replay.state()).toEqual(l.state());
  });
});

describe('Ledger: the schema', () => {
  it('closes entity types to the declared ones, with a hint', () => {
    const l = seeded();
    expect(problemsOf(l, [add('1', {}, 'orders')])).toEqual([
      {
        path: [0, 'entity_type'],
        message:
          'ops[0].entity_type "orders" is not declared in ledger_schema; did you mean "order"? ' +
          '(declared: order, customer)',
      },
    ]);
    expect(messagesOf(l, [remove('1', 'invoice')])[0]).toMatch(/"invoice" is not declared/);
  });

  it('leaves fields open: undeclared fields take any JSON value', () => {
    const l = seeded();
    const r = l.apply([update('1', { carrier: 'DHL', weights: [1, 2], meta: { a: null } })]);
    expect(r.ok).toBe(true);
  });

  it.each([
    ['total', '12.50', 'order.total is declared as number'],
    ['qty', 1.5, 'order.qty is declared as integer'],
    ['gift', 'yes', 'order.gift is declared as boolean'],
    ['address', ['Oslo'], 'order.address is declared as object'],
    ['items', { a: 1 }, 'order.items is declared as array'],
    ['priority', 4, 'order.priority must be one of 1, 2, 3'],
    [
      'status',
      'shiped',
      'order.status must be one of "paid", "shipped", "cancelled"; did you mean "shipped"?',
    ],
  ])('checks the declared field %s', (field, value, why) => {
    const l = seeded();
    const [m] = messagesOf(l, [update('1', { [field]: value })]);
    expect(m).toContain(why);
    expect(m.startsWith(`ops[0].fields.${field} is `)).toBe(true);
  });

  it('accepts the declared types, integers as numbers, and null for any declared field', () => {
    const l = seeded();
    const ops = [
      update('1', { total: 3, qty: 2, gift: false, address: {}, items: [], priority: 2 }),
      update('2', { status: null, total: null, priority: null }),
    ];
    expect(l.apply(ops).ok).toBe(true);
  });

  it('requires the id field, when given, to equal the entity id (ids never change)', () => {
    const l = seeded();
    expect(l.apply([add('7', { order_id: '7' }), update('7', { order_id: '7' })]).ok).toBe(true);
    expect(problemsOf(l, [update('1', { order_id: '99' })])).toEqual([
      {
        path: [0, 'fields', 'order_id'],
        message:
          'ops[0].fields.order_id is "99" but the order\'s id is "1"; the id field order_id ' +
          'must equal it (ids never change), or leave it out',
      },
    ]);
    expect(messagesOf(l, [add('8', { order_id: 8 })])[0]).toContain('is the number 8 but');
  });

  it('refuses update and remove of ids that were never added, with a hint', () => {
    const l = seeded();
    expect(messagesOf(l, [update('3', { status: 'paid' }), remove('x1')])).toEqual([
      'ops[0] updates order "3", which does not exist; add it first; did you mean "1"?',
      'ops[1] removes order "x1", which does not exist; add it first; did you mean "1"?',
    ]);
    expect(messagesOf(l, [remove('c', 'customer')])).toEqual([
      'ops[0] removes customer "c", which does not exist; add it first',
    ]);
  });

  it('refuses update and remove of removed ids; add recreates one and clears its tombstone', () => {
    const l = seeded();
    l.apply([remove('1')]);
    expect(messagesOf(l, [remove('1')])).toEqual([
      'ops[0] removes order "1", which was removed; add it again to recreate it',
    ]);
    const r = l.apply([add('1', { status: 'cancelled' })]);
    expect(r.ok).toBe(true);
    const s = l.state();
    expect(s.entities.order['1']).toEqual({ order_id: '1', status: 'cancelled' });
    expect(s.tombstones).toEqual({});
  });
});

describe('Ledger: flags policies', () => {
  it('a closed policy refuses flags outside its values, set or cleared, with a hint', () => {
    const l = seeded();
    expect(problemsOf(l, [flag('warehouse_outag')])).toEqual([
      {
        path: [0, 'flag'],
        message:
          'ops[0].flag "warehouse_outag" is not allowed: ledger_schema.flags is closed to ' +
          'warehouse_outage, holiday; did you mean "warehouse_outage"?',
      },
    ]);
    expect(messagesOf(l, [flag('strike', false)])[0]).toMatch(/"strike" is not allowed/);
  });

  it('a closed policy without values refuses every flag and says why', () => {
    const l = new Ledger({ entities: [], flags: { policy: 'closed' } });
    expect(messagesOf(l, [flag('anything')])).toEqual([
      'ops[0].flag "anything" is not allowed: ledger_schema.flags is closed and declares no ' +
        'values, so this world has no flags',
    ]);
  });

  it('an open policy (declared, defaulted, or the open ledger) takes any flag', () => {
    for (const schema of [
      { entities: [], flags: { policy: 'open' as const, values: ['a'] } },
      { entities: [] },
      null,
    ]) {
      const l = new Ledger(schema);
      expect(l.apply([flag('b'), flag('c', true)]).ok).toBe(true);
      expect(l.state().flags).toEqual(['b', 'c']);
    }
  });
});

describe('Ledger: the open ledger', () => {
  it('takes any entity type and any fields', () => {
    const l = new Ledger(null);
    const r = l.apply([
      add('1', { anything: [1, { a: 'b' }] }, 'spaceship'),
      add('x', {}, 'Crew Member'),
    ]);
    expect(r.ok).toBe(true);
    expect(Object.keys(l.state().entities)).toEqual(['spaceship', 'Crew Member']);
  });

  it("fixes a type's id field by its first entity: <type>_id when carried, else id", () => {
    const l = new Ledger(null);
    expect(
      l.apply([add('1', { order_id: '1', status: 'paid' }), add('2', { status: 'new' })]).ok,
    ).toBe(true);
    expect(
      l.apply([add('a', { name: 'Ada' }, 'user'), add('b', { user_id: 'b' }, 'user')]).ok,
    ).toBe(true);
    expect(l.state().entities).toEqual({
      order: {
        '1': { order_id: '1', status: 'paid' },
        '2': { order_id: '2', status: 'new' },
      },
      // For user the id field is id: user_id is an ordinary field there.
      user: { a: { id: 'a', name: 'Ada' }, b: { id: 'b', user_id: 'b' } },
    });
    expect(messagesOf(l, [update('1', { order_id: '2' })])[0]).toContain('the id field order_id');
    expect(messagesOf(l, [update('a', { id: 'z' }, 'user')])[0]).toContain('the id field id');
    expect(l.apply([update('a', { user_id: 'anything' }, 'user')]).ok).toBe(true);
  });

  it('a ledger built from a snapshot keeps the id fields it inferred', () => {
    const first = new Ledger(null);
    first.apply([
      add('1', { order_id: '1' }),
      add('a', {}, 'user'),
      add('b', { id: 'b' }, 'thing'),
    ]);
    first.apply([remove('1')]);
    const second = new Ledger(null, JSON.parse(JSON.stringify(first.state())));
    expect(second.apply([add('2'), add('c', {}, 'user')]).ok).toBe(true);
    expect(second.state().entities.order['2']).toEqual({ order_id: '2' });
    expect(second.state().entities.user.c).toEqual({ id: 'c' });
  });

  it.each(['flags', 'entities', 'tombstones', ''])('refuses the entity type %j', (type) => {
    expect(messagesOf(new Ledger(null), [add('1', {}, type)])[0]).toMatch(
      /^ops\[0\]\.entity_type is (reserved|empty)/,
    );
  });
});

describe('Ledger: hostile op shapes', () => {
  const l = seeded();

  it.each([{ ops: [] }, 'add', null, undefined, 42])('refuses %j as the batch', (ops) => {
    const problems = problemsOf(l, ops);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toEqual([]);
    expect(problems[0].message).toMatch(/^ops must be a list of ledger operations; got /);
  });

  it.each([null, 5, 'add', [add('9')]])('refuses %j as an op', (op) => {
    expect(problemsOf(l, [op])).toEqual([
      {
        path: [0],
        message: expect.stringMatching(/^ops\[0\] must be an object like \{"op": "add"/),
      },
    ]);
  });

  it('refuses a missing or unknown op kind, with a hint', () => {
    expect(messagesOf(l, [{ entity_type: 'order', entity_id: '1' }])).toEqual([
      'ops[0].op is required; use one of add, update, remove, set_flag',
    ]);
    expect(messagesOf(l, [{ op: 'delete', entity_type: 'order', entity_id: '1' }])).toEqual([
      'ops[0].op is "delete"; use one of add, update, remove, set_flag; did you mean "remove"?',
    ]);
    expect(messagesOf(l, [{ op: 'updat' }])[0]).toContain('did you mean "update"?');
    expect(messagesOf(l, [{ op: ['add'] }])[0]).toBe(
      'ops[0].op is a list; use one of add, update, remove, set_flag',
    );
  });

  it('refuses extra keys, naming what the op takes', () => {
    expect(problemsOf(l, [{ ...update('1', { status: 'paid' }), reason: 'because' }])).toEqual([
      {
        path: [0, 'reason'],
        message:
          'ops[0] has unknown key "reason"; an update op takes op, entity_type, entity_id, fields',
      },
    ]);
    expect(messagesOf(l, [{ ...remove('1'), fields: {} }])[0]).toBe(
      'ops[0] has unknown key "fields"; a remove op takes op, entity_type, entity_id',
    );
    expect(messagesOf(l, [{ op: 'add', type: 'order', entity_id: '1' }])).toEqual([
      'ops[0] has unknown key "type"; did you mean "entity_type"?; an add op takes op, ' +
        'entity_type, entity_id, fields',
      'ops[0].entity_type is required for add',
    ]);
  });

  it('refuses missing keys and keys of the wrong kind', () => {
    expect(messagesOf(l, [{ op: 'update', entity_type: 'order', entity_id: '1' }])).toEqual([
      'ops[0].fields is required for update',
    ]);
    expect(messagesOf(l, [{ op: 'set_flag' }])).toEqual(['ops[0].flag is required for set_flag']);
    expect(
      messagesOf(l, [
        { op: 'update', entity_type: 7, entity_id: 1, fields: ['status', 'paid'] },
        { op: 'add', entity_type: 'order', entity_id: '', fields: null },
        { op: 'set_flag', flag: '', value: 'yes' },
      ]),
    ).toEqual([
      'ops[0].entity_type must be a string; got the number 7',
      'ops[0].entity_id is the number 1; ids are strings: "1"',
      'ops[0].fields must be an object of field names to values; got a list',
      'ops[1].entity_id is empty; give the entity an id',
      'ops[1].fields must be an object of field names to values; got null',
      'ops[2].flag must be a non-empty string; got ""',
      'ops[2].value must be true or false; got "yes"',
    ]);
  });

  it('refuses values JSON cannot carry', () => {
    const m = messagesOf(l, [
      update('1', { a: NaN }),
      update('1', { a: Infinity }),
      update('1', { a: undefined }),
      update('1', { a: [1, () => 1] }),
      update('1', { a: { when: new Date(0) } }),
      update('1', { a: new Map() }),
      update('1', { a: 10n }),
      update('1', { a: Symbol('x') }),
    ]);
    expect(m).toEqual([
      'ops[0].fields.a is NaN, which JSON cannot carry',
      'ops[1].fields.a is Infinity, which JSON cannot carry',
      'ops[2].fields.a is undefined; use null for "no value"',
      'ops[3].fields.a[1] is a function, which JSON cannot carry',
      'ops[4].fields.a.when is a Date object, which JSON cannot carry',
      'ops[5].fields.a is a Map object, which JSON cannot carry',
      'ops[6].fields.a is a bigint, which JSON cannot carry',
      'ops[7].fields.a is a symbol, which JSON cannot carry',
    ]);
  });

  it(`takes values nested ${LEDGER_LIMITS.valueDepth} deep and refuses deeper ones`, () => {
    const nest = (n: number): unknown => (n === 0 ? 'leaf' : [nest(n - 1)]);
    expect(l.check([update('1', { deep: nest(LEDGER_LIMITS.valueDepth) })])).toEqual([]);
    const [p] = l.check([update('1', { deep: nest(LEDGER_LIMITS.valueDepth + 1) })]);
    expect(p.message).toMatch(/^ops\[0\]\.fields\.deep(\[0\]){32} nests deeper than 32 levels/);
  });

  it('refuses a value nested 100,000 deep, or a cycle, without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(messagesOf(l, [update('1', { deep })])[0]).toMatch(/nests deeper than 32 levels/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(messagesOf(l, [update('1', { cycle })])[0]).toMatch(/nests deeper than 32 levels/);
  });

  it(`refuses a batch of more than ${LEDGER_LIMITS.opsPerBatch} ops`, () => {
    const fresh = new Ledger(null);
    const ops = (n: number) => Array.from({ length: n }, (_, i) => add(String(i)));
    expect(fresh.check(ops(LEDGER_LIMITS.opsPerBatch))).toEqual([]);
    expect(messagesOf(fresh, ops(LEDGER_LIMITS.opsPerBatch + 1))).toEqual([
      'ops lists 1001 operations; at most 1000 are allowed in one batch',
    ]);
  });

  it('caps the problems it reports, saying how many were left out', () => {
    const problems = problemsOf(
      l,
      Array.from({ length: 200 }, () => null),
    );
    expect(problems).toHaveLength(LEDGER_LIMITS.problemsShown + 1);
    expect(problems.at(-1)).toEqual({ path: [], message: '… and 150 more problems' });
  });

  it('clips a huge string in a message', () => {
    const [m] = messagesOf(l, [update('1', { status: 'x'.repeat(100_000) })]);
    expect(m.length).toBeLessThan(300);
  });
});

describe('Ledger: prototype pollution', () => {
  it('refuses __proto__ as entity type, id, field name or nested key', () => {
    const l = new Ledger(null);
    const ops = JSON.parse(`[
      {"op": "add", "entity_type": "__proto__", "entity_id": "1", "fields": {}},
      {"op": "add", "entity_type": "order", "entity_id": "__proto__", "fields": {}},
      {"op": "add", "entity_type": "order", "entity_id": "1",
       "fields": {"__proto__": {"polluted": 1}}},
      {"op": "add", "entity_type": "order", "entity_id": "2",
       "fields": {"a": [{"__proto__": {"polluted": 1}}]}}
    ]`);
    expect(problemsOf(l, ops)).toEqual([
      {
        path: [0, 'entity_type'],
        message: 'ops[0].entity_type is "__proto__", which cannot name an entity type',
      },
      { path: [1, 'entity_id'], message: 'ops[1].entity_id is "__proto__", which cannot be an id' },
      {
        path: [2, 'fields', '__proto__'],
        message: 'ops[2].fields.__proto__ cannot be stored: rename the field',
      },
      {
        path: [3, 'fields', 'a', 0, '__proto__'],
        message:
          'ops[3].fields.a[0].__proto__ is a "__proto__" key, which cannot be stored; rename it',
      },
    ]);
    expect(l.state()).toEqual({ entities: {}, flags: [], tombstones: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores Object.prototype member names as ordinary types, ids and fields', () => {
    const l = new Ledger(null);
    const ops = [
      add('toString', { constructor: 'Williams', hasOwnProperty: 1 }, 'constructor'),
      add('valueOf', {}, 'constructor'),
    ];
    expect(l.apply(ops).ok).toBe(true);
    // Ids that are Object.prototype members are not live just because objects have them.
    expect(messagesOf(l, [update('hasOwnProperty', { a: 1 }, 'constructor')])[0]).toContain(
      'does not exist',
    );
    expect(messagesOf(l, [update('1', { a: 1 }, 'toString')])[0]).toContain('does not exist');
    const s = l.state();
    expect(s.entities.constructor.toString).toEqual({
      id: 'toString',
      constructor: 'Williams',
      hasOwnProperty: 1,
    });
    expect(s.entities.toString).toBeUndefined();
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      entities: {
        constructor: {
          toString: { id: 'toString', constructor: 'Williams', hasOwnProperty: 1 },
          valueOf: { id: 'valueOf' },
        },
      },
      flags: [],
      tombstones: {},
    });
  });

  it('stores a declared id field named constructor as its own key', () => {
    const schema: LedgerSchema = { entities: [{ type: 'thing', id_field: 'constructor' }] };
    const l = new Ledger(schema);
    expect(l.apply([add('1', {}, 'thing')]).ok).toBe(true);
    expect(l.state().entities.thing['1']).toEqual({ constructor: '1' });
  });
});

describe('Ledger: the state bound', () => {
  const chunk = (n: number) => 'x'.repeat(n);

  it(`refuses whole a batch growing the state past ${LEDGER_LIMITS.stateBytes} bytes`, () => {
    const l = new Ledger(null);
    expect(l.apply([add('1', { blob: chunk(600_000) })]).ok).toBe(true);
    const before = JSON.stringify(l.state());
    const problems = problemsOf(l, [flag('a'), add('2', { blob: chunk(600_000) })]);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toEqual([]);
    expect(problems[0].message).toMatch(
      /^these ops would grow the ledger to 1,200,\d{3} bytes serialized; at most 1,048,576 bytes/,
    );
    expect(JSON.stringify(l.state())).toBe(before);
    // Shrinking is always possible: a batch that removes and replaces fits.
    expect(l.apply([update('1', { blob: 'small' }), add('2', { blob: chunk(600_000) })]).ok).toBe(
      true,
    );
  });

  it('counts bytes, not characters', () => {
    const l = new Ledger(null);
    // 400,000 two-byte characters: 800,000 bytes, twice.
    expect(l.apply([add('1', { blob: 'é'.repeat(400_000) })]).ok).toBe(true);
    expect(l.check([add('2', { blob: 'é'.repeat(400_000) })])[0].message).toMatch(
      /1,600,\d{3} bytes/,
    );
  });

  it('tombstones count: removing does not make room', () => {
    const l = new Ledger(null);
    l.apply([add('1', { blob: chunk(600_000) })]);
    expect(l.check([remove('1'), add('2', { blob: chunk(600_000) })])).toHaveLength(1);
  });
});

describe('Ledger: construction from a state', () => {
  it('starts empty without one, and from a copy of the given one', () => {
    expect(new Ledger(SCHEMA).state()).toEqual({ entities: {}, flags: [], tombstones: {} });
    const initial: LedgerState = {
      entities: { order: { '1': { order_id: '1', status: 'paid' } } },
      flags: ['holiday'],
      tombstones: { order: { '0': { order_id: '0' } } },
    };
    const l = new Ledger(SCHEMA, initial);
    initial.entities.order['1'].status = 'changed';
    initial.flags.push('changed');
    expect(l.state()).toEqual({
      entities: { order: { '1': { order_id: '1', status: 'paid' } } },
      flags: ['holiday'],
      tombstones: { order: { '0': { order_id: '0' } } },
    });
    expect(messagesOf(l, [update('0', {})])[0]).toContain('was removed');
  });

  it('throws a LedgerInputError for a state it cannot hold', () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object \{entities, flags, tombstones\}; got null/],
      [{ entities: [], flags: [], tombstones: {} }, /entities must be an object of entity types/],
      [
        { entities: { order: { '1': 'paid' } }, flags: [] },
        /order\["1"\] must be an object of fields/,
      ],
      [{ entities: {}, flags: [1], tombstones: {} }, /flags must be a list of non-empty strings/],
      [{ entities: {}, flags: [], tombstones: {}, extra: 1 }, /unknown key "extra"/],
      [
        JSON.parse('{"entities": {"order": {"1": {"__proto__": {"x": 1}}}}, "flags": []}'),
        /\.__proto__ cannot be stored/,
      ],
      [{ entities: { order: { '1': { a: NaN } } }, flags: [] }, /\.a is NaN/],
      [{ entities: { flags: {} }, flags: [] }, /entities\.flags is reserved/],
      [
        { entities: { order: { '1': { blob: 'x'.repeat(LEDGER_LIMITS.stateBytes) } } }, flags: [] },
        /the ledger state is 1,048,\d{3} bytes serialized; at most 1,048,576 bytes/,
      ],
    ];
    for (const [state, why] of bad) {
      let caught: unknown;
      try {
        new Ledger(null, state as LedgerState);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LedgerInputError);
      expect((caught as LedgerInputError).subject).toBe('ledger state');
      expect((caught as LedgerInputError).message).toMatch(why);
    }
  });

  it('reads back any state it left, including values nested to the limit', () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : { n: nest(n - 1) });
    const l = new Ledger(null);
    l.apply([add('1', { deep: nest(LEDGER_LIMITS.valueDepth) }), remove('1'), add('2', {})]);
    expect(new Ledger(null, l.state()).state()).toEqual(l.state());
  });
});

describe('valueProblem', () => {
  it('locates the first problem in a value', () => {
    expect(valueProblem({ a: [1, { b: undefined }] }, ['root'])).toEqual({
      path: ['root', 'a', 1, 'b'],
      why: 'is undefined; use null for "no value"',
    });
    expect(valueProblem({ a: [1, 'x', null, true, { b: -0.5 }] }, [])).toBeUndefined();
  });
});
