import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LedgerSchema } from '../results/record.js';
import { initialStateProblems, seedLedger } from './initial-state.js';
import { Ledger } from './ledger.js';
import { LEDGER_LIMITS, LedgerInputError } from './ledger-schema.js';

const SCHEMA: LedgerSchema = {
  entities: [
    {
      type: 'order',
      id_field: 'order_id',
      fields: [
        { name: 'status', type: 'string', enum: ['paid', 'shipped', 'cancelled'] },
        { name: 'total', type: 'number' },
      ],
    },
    { type: 'customer', id_field: 'customer_id' },
  ],
  flags: { policy: 'closed', values: ['warehouse_outage', 'holiday'] },
};

const EMPTY = { entities: {}, flags: [], tombstones: {} };
const messages = (schema: LedgerSchema | null, initial: unknown) =>
  initialStateProblems(schema, initial).map((p) => p.message);

describe('seedLedger: the format', () => {
  it('seeds the list form, the map form and flags, as a task file writes them', () => {
    const initial = parse(`
order:
  - {order_id: "4521", status: paid, total: 12.5}
  - {order_id: "4522", status: shipped}
customer:
  c-1: {name: Ada}
  c-2: {customer_id: c-2, name: Grace}
flags: [warehouse_outage]
`);
    expect(initialStateProblems(SCHEMA, initial)).toEqual([]);
    expect(seedLedger(SCHEMA, initial)).toEqual({
      entities: {
        order: {
          '4521': { order_id: '4521', status: 'paid', total: 12.5 },
          '4522': { order_id: '4522', status: 'shipped' },
        },
        customer: {
          'c-1': { customer_id: 'c-1', name: 'Ada' },
          'c-2': { customer_id: 'c-2', name: 'Grace' },
        },
      },
      flags: ['warehouse_outage'],
      tombstones: {},
    });
  });

  it.each([undefined, null])('seeds the empty ledger from %j', (initial) => {
    expect(initialStateProblems(SCHEMA, initial)).toEqual([]);
    expect(seedLedger(SCHEMA, initial)).toEqual(EMPTY);
  });

  it('leaves no trace of a type with no entities', () => {
    expect(seedLedger(SCHEMA, { order: [], customer: {} })).toEqual(EMPTY);
  });

  it('seeds a ledger that takes ops from there', () => {
    const l = new Ledger(SCHEMA, seedLedger(SCHEMA, { order: { '1': { status: 'paid' } } }));
    expect(l.apply([{ op: 'update', entity_type: 'order', entity_id: '1', fields: {} }]).ok).toBe(
      true,
    );
    expect(l.check([{ op: 'add', entity_type: 'order', entity_id: '1' }])[0].message).toContain(
      'already exists',
    );
  });

  it('copies what it seeds: changing the input afterwards changes nothing', () => {
    const initial = { order: [{ order_id: '1', items: [{ sku: 'a' }] }] };
    const state = seedLedger(SCHEMA, initial);
    initial.order[0].items.push({ sku: 'b' });
    expect(state.entities.order['1'].items).toEqual([{ sku: 'a' }]);
  });
});

describe('initialStateProblems: shape', () => {
  it.each([[[]], ['order'], [3]])('refuses %j as initial_state', (initial) => {
    const problems = initialStateProblems(SCHEMA, initial);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toEqual([]);
    expect(problems[0].message).toMatch(/^initial_state must be an object of entity types/);
  });

  it('refuses a type whose value is neither a list nor a map', () => {
    expect(initialStateProblems(SCHEMA, { order: 'paid' })).toEqual([
      {
        path: ['order'],
        message:
          'initial_state.order must be a list of order entities or a map from id to fields; ' +
          'got "paid"',
      },
    ]);
  });

  it('refuses entities that are not objects, with their paths', () => {
    expect(initialStateProblems(SCHEMA, { order: ['4521'], customer: { c1: null } })).toEqual([
      {
        path: ['order', 0],
        message: 'initial_state.order[0] must be an object of fields; got "4521"',
      },
      {
        path: ['customer', 'c1'],
        message: 'initial_state.customer.c1 must be an object of fields ({} for none); got null',
      },
    ]);
  });

  it('says so when one entity is written where a list or map belongs', () => {
    expect(initialStateProblems(SCHEMA, { customer: { customer_id: 'c1', name: 'Ada' } })).toEqual([
      {
        path: ['customer'],
        message:
          'initial_state.customer looks like one customer (it has customer_id as a field); ' +
          'write a list: customer: [{customer_id: ..., ...}], or a map from id to fields',
      },
    ]);
    expect(messages(null, { ticket: { id: 't1', title: 'x' } })[0]).toMatch(
      /looks like one ticket \(it has id as a field\)/,
    );
    // A map whose entity happens to be called id is still a map.
    expect(initialStateProblems(null, { ticket: { id: { title: 'x' } } })).toEqual([]);
  });

  it('refuses a ledger snapshot pasted in, with a hint', () => {
    const m = messages(SCHEMA, { entities: { order: {} }, flags: [], tombstones: {} });
    expect(m).toEqual([
      'initial_state.entities: initial_state is not a ledger snapshot; put each entity type at ' +
        'the top level instead (order: [...], not entities: {order: ...})',
      'initial_state.tombstones: initial_state seeds live entities only; leave removed ones out',
    ]);
  });
});

describe('initialStateProblems: types and ids', () => {
  it('closes types to the declared ones when there is a schema, with a hint', () => {
    expect(initialStateProblems(SCHEMA, { orders: [] })).toEqual([
      {
        path: ['orders'],
        message:
          'initial_state.orders: "orders" is not an entity type declared in ledger_schema; did ' +
          'you mean "order"? (declared: order, customer)',
      },
    ]);
  });

  it('requires the id field in the list form', () => {
    expect(initialStateProblems(SCHEMA, { order: [{ status: 'paid' }] })).toEqual([
      {
        path: ['order', 0],
        message: 'initial_state.order[0] has no order_id: each order carries its id there',
      },
    ]);
  });

  it('refuses ids that are not non-empty strings, saying to quote numbers', () => {
    const initial = parse('order:\n  - {order_id: 4521}\n  - {order_id: ""}\n  - {order_id: [1]}');
    expect(initialStateProblems(SCHEMA, initial)).toEqual([
      {
        path: ['order', 0, 'order_id'],
        message: 'initial_state.order[0].order_id is the number 4521; ids are strings: "4521"',
      },
      {
        path: ['order', 1, 'order_id'],
        message: 'initial_state.order[1].order_id is empty; give the entity an id',
      },
      {
        path: ['order', 2, 'order_id'],
        message: 'initial_state.order[2].order_id must be a string id; got a list',
      },
    ]);
  });

  it('reports an id problem once and still checks the other fields', () => {
    expect(messages(SCHEMA, { order: [{ order_id: 1, status: 'lost' }] })).toEqual([
      'initial_state.order[0].order_id is the number 1; ids are strings: "1"',
      'initial_state.order[0].status is "lost"; order.status must be one of "paid", "shipped", ' +
        '"cancelled"',
    ]);
  });

  it('refuses duplicate ids within a type, naming the first', () => {
    const initial = { order: [{ order_id: '1' }, { order_id: '2' }, { order_id: '1' }] };
    expect(initialStateProblems(SCHEMA, initial)).toEqual([
      {
        path: ['order', 2, 'order_id'],
        message:
          'initial_state.order[2].order_id "1" repeats initial_state.order[0].order_id; ids are ' +
          'unique per type',
      },
    ]);
    // The same id in two types is two entities.
    expect(
      initialStateProblems(SCHEMA, { order: [{ order_id: 'x' }], customer: { x: {} } }),
    ).toEqual([]);
  });

  it('requires the map form id field, when given, to equal the key', () => {
    expect(initialStateProblems(SCHEMA, { customer: { c1: { customer_id: 'c2' } } })).toEqual([
      {
        path: ['customer', 'c1', 'customer_id'],
        message:
          'initial_state.customer.c1.customer_id is "c2" but the customer\'s id is "c1"; the id ' +
          'field customer_id must equal it (ids never change), or leave it out',
      },
    ]);
  });

  it('reads an id field named like an Object.prototype member as an own key only', () => {
    const schema: LedgerSchema = { entities: [{ type: 'thing', id_field: 'constructor' }] };
    expect(messages(schema, { thing: [{ name: 'x' }] })).toEqual([
      'initial_state.thing[0] has no constructor: each thing carries its id there',
    ]);
    expect(seedLedger(schema, { thing: [{ constructor: 'a' }] }).entities.thing.a).toEqual({
      constructor: 'a',
    });
  });
});

describe('initialStateProblems: field values', () => {
  it('checks declared types and enums, with paths into initial_state', () => {
    const initial = {
      order: [
        { order_id: '1', status: 'shiped', total: '12' },
        { order_id: '2', status: null, extra: { anything: [1] } },
      ],
    };
    expect(initialStateProblems(SCHEMA, initial)).toEqual([
      {
        path: ['order', 0, 'status'],
        message:
          'initial_state.order[0].status is "shiped"; order.status must be one of "paid", ' +
          '"shipped", "cancelled"; did you mean "shipped"?',
      },
      {
        path: ['order', 0, 'total'],
        message: 'initial_state.order[0].total is "12"; order.total is declared as number',
      },
    ]);
  });

  it('refuses values JSON cannot carry and values nested too deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(messages(null, { thing: { a: { x: NaN, y: undefined }, b: { deep } } })).toEqual([
      'initial_state.thing.a.x is NaN, which JSON cannot carry',
      'initial_state.thing.a.y is undefined; use null for "no value"',
      `initial_state.thing.b.deep${'[0]'.repeat(32)} nests deeper than 32 levels; flatten it`,
    ]);
  });

  it('refuses a seeded ledger over the state bound, naming its size', () => {
    const blob = 'x'.repeat(LEDGER_LIMITS.stateBytes);
    expect(initialStateProblems(null, { doc: { a: { blob } } })).toEqual([
      {
        path: [],
        message: expect.stringMatching(
          /^initial_state seeds a ledger of 1,048,\d{3} bytes serialized; at most 1,048,576 bytes/,
        ),
      },
    ]);
  });

  it('caps the problems it reports', () => {
    const order = Array.from({ length: 100 }, () => ({ status: 'x' }));
    const problems = initialStateProblems(SCHEMA, { order });
    expect(problems).toHaveLength(LEDGER_LIMITS.problemsShown + 1);
    expect(problems.at(-1)!.message).toMatch(/^… and \d+ more problems$/);
  });
});

describe('initialStateProblems: flags', () => {
  it('takes a list of unique non-empty strings, within a closed policy', () => {
    expect(initialStateProblems(SCHEMA, { flags: ['holiday', 'holiday', '', 'strike'] })).toEqual([
      { path: ['flags', 1], message: 'initial_state.flags[1] "holiday" repeats flags[0]' },
      { path: ['flags', 2], message: 'initial_state.flags[2] must be a non-empty string; got ""' },
      {
        path: ['flags', 3],
        message:
          'initial_state.flags[3] "strike" is not allowed: ledger_schema.flags is closed to ' +
          'warehouse_outage, holiday',
      },
    ]);
    expect(messages(SCHEMA, { flags: 'holiday' })).toEqual([
      'initial_state.flags must be a list of flag names; got "holiday"',
    ]);
  });

  it('says when a closed policy declares no flags at all', () => {
    const schema: LedgerSchema = { entities: [], flags: { policy: 'closed' } };
    expect(messages(schema, { flags: ['x'] })).toEqual([
      'initial_state.flags[0] "x" is not allowed: ledger_schema.flags is closed and declares ' +
        'no values',
    ]);
  });

  it('takes any flag with an open policy or the open ledger', () => {
    expect(seedLedger(null, { flags: ['a', 'b'] }).flags).toEqual(['a', 'b']);
    expect(seedLedger({ entities: [] }, { flags: ['a'] }).flags).toEqual(['a']);
  });
});

describe('initialStateProblems: the open ledger', () => {
  it('takes any type; the id field is <type>_id when the first entity carries it', () => {
    const state = seedLedger(null, {
      order: [{ order_id: '1' }, { order_id: '2', status: 'x' }],
      user: [{ id: 'u1', name: 'Ada' }],
      // Both given: <type>_id is the id field, id an ordinary field.
      account: [{ id: 'internal-7', account_id: 'a1' }],
      ticket: { t1: { title: 'a' } },
      invoice: { i1: { invoice_id: 'i1' }, i2: {} },
    });
    expect(state.entities).toEqual({
      order: { '1': { order_id: '1' }, '2': { order_id: '2', status: 'x' } },
      user: { u1: { id: 'u1', name: 'Ada' } },
      account: { a1: { id: 'internal-7', account_id: 'a1' } },
      ticket: { t1: { id: 't1', title: 'a' } },
      invoice: { i1: { invoice_id: 'i1' }, i2: { invoice_id: 'i2' } },
    });
    // A ledger built from the seed keeps those id fields.
    const l = new Ledger(null, state);
    l.apply([
      { op: 'add', entity_type: 'order', entity_id: '3' },
      { op: 'add', entity_type: 'ticket', entity_id: 't2' },
    ]);
    expect(l.state().entities.order['3']).toEqual({ order_id: '3' });
    expect(l.state().entities.ticket.t2).toEqual({ id: 't2' });
  });

  it('requires every listed entity to carry the id field its first one fixed', () => {
    expect(messages(null, { order: [{ order_id: '1' }, { id: '2' }] })).toEqual([
      'initial_state.order[1] has no order_id: each order carries its id there',
    ]);
    expect(messages(null, { order: [{ status: 'paid' }] })).toEqual([
      'initial_state.order[0] has no id: each order carries its id in id, or in order_id when ' +
        'the first order does',
    ]);
  });

  it('treats flags as the flags key, not a type', () => {
    expect(seedLedger(null, { flags: [] })).toEqual(EMPTY);
  });

  it('refuses an empty type name', () => {
    expect(messages(null, { '': [{ id: 'a' }] })).toEqual([
      'initial_state[""]: the entity type is empty; name the entity type',
    ]);
  });
});

describe('initialStateProblems: prototype pollution', () => {
  it('refuses __proto__ as a type, an id or a field, from JSON and from YAML', () => {
    const fromJson = JSON.parse(
      '{"__proto__": {"polluted": true}, "order": {"__proto__": {}}, ' +
        '"customer": [{"customer_id": "c", "__proto__": {"polluted": true}}]}',
    );
    const fromYaml = parse(
      '__proto__: {polluted: true}\norder:\n  __proto__: {}\ncustomer:\n' +
        '  - {customer_id: c, __proto__: {polluted: true}}\n',
    );
    for (const initial of [fromJson, fromYaml]) {
      expect(initialStateProblems(null, initial)).toEqual([
        {
          path: ['__proto__'],
          message:
            'initial_state.__proto__: the entity type is "__proto__", which cannot name an ' +
            'entity type',
        },
        {
          path: ['order', '__proto__'],
          message: 'initial_state.order.__proto__ is "__proto__", which cannot be an id',
        },
        {
          path: ['customer', 0, '__proto__'],
          message: 'initial_state.customer[0].__proto__ cannot be stored: rename the field',
        },
      ]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('seeds Object.prototype member names as ordinary types, ids and fields', () => {
    const state = seedLedger(null, {
      constructor: { toString: { hasOwnProperty: 1 } },
      valueOf: [{ id: 'constructor' }],
    });
    expect(JSON.parse(JSON.stringify(state.entities))).toEqual({
      constructor: { toString: { id: 'toString', hasOwnProperty: 1 } },
      valueOf: { constructor: { id: 'constructor' } },
    });
  });
});

describe('seedLedger', () => {
  it('throws a LedgerInputError listing every problem', () => {
    let caught: unknown;
    try {
      seedLedger(SCHEMA, { orders: [], flags: ['strike'] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LedgerInputError);
    const err = caught as LedgerInputError;
    expect(err.subject).toBe('initial_state');
    expect(err.problems.map((p) => p.path)).toEqual([['orders'], ['flags', 0]]);
    expect(err.message).toContain('"orders" is not an entity type declared');
  });
});
