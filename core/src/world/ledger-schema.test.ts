import { describe, expect, it } from 'vitest';
import {
  LEDGER_LIMITS,
  LedgerInputError,
  asLedgerSchema,
  fieldMismatch,
  indexSchema,
  ledgerSchemaProblems,
} from './ledger-schema.js';

/** Seed 004's example, verbatim. */
const SEED_EXAMPLE = {
  entities: [
    {
      type: 'order',
      id_field: 'order_id',
      description: 'A customer order.',
      fields: [
        { name: 'status', type: 'string', enum: ['paid', 'shipped', 'cancelled'] },
        { name: 'total', type: 'number' },
      ],
    },
  ],
  flags: { policy: 'open', values: ['warehouse_outage'] },
};

const messages = (v: unknown) => ledgerSchemaProblems(v).map((p) => p.message);
const entity = (extra: object = {}) => ({ type: 'order', id_field: 'order_id', ...extra });
const withFields = (...fields: unknown[]) => ({ entities: [entity({ fields })] });

describe('ledgerSchemaProblems: valid schemas', () => {
  it("accepts seed 004's example and the smallest schema", () => {
    expect(ledgerSchemaProblems(SEED_EXAMPLE)).toEqual([]);
    expect(ledgerSchemaProblems({ entities: [] })).toEqual([]);
    expect(ledgerSchemaProblems({ entities: [entity()] })).toEqual([]);
  });

  it('accepts every field type, with enums of the matching scalar type', () => {
    const schema = withFields(
      { name: 's', type: 'string', enum: ['a', 'b'], description: 'a string' },
      { name: 'n', type: 'number', enum: [1.5, 2] },
      { name: 'i', type: 'integer', enum: [1, 2] },
      { name: 'b', type: 'boolean', enum: [true] },
      { name: 'o', type: 'object' },
      { name: 'a', type: 'array' },
    );
    expect(ledgerSchemaProblems(schema)).toEqual([]);
  });

  it('accepts a closed flags policy without values (this world has no flags)', () => {
    expect(ledgerSchemaProblems({ entities: [], flags: { policy: 'closed' } })).toEqual([]);
    expect(ledgerSchemaProblems({ entities: [], flags: { policy: 'closed', values: [] } })).toEqual(
      [],
    );
    expect(ledgerSchemaProblems({ entities: [], flags: {} })).toEqual([]);
  });

  it('accepts ordinary names that are also Object.prototype members', () => {
    const schema = {
      entities: [
        {
          type: 'constructor',
          id_field: 'toString',
          fields: [{ name: 'valueOf', type: 'string' }],
        },
      ],
    };
    expect(ledgerSchemaProblems(schema)).toEqual([]);
  });

  it('accepts the id field declared as a string', () => {
    expect(ledgerSchemaProblems(withFields({ name: 'order_id', type: 'string' }))).toEqual([]);
  });
});

describe('ledgerSchemaProblems: shape', () => {
  it.each([null, [], 'order', 3, true])('refuses %j as the schema, pointing at null', (v) => {
    const problems = ledgerSchemaProblems(v);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toEqual([]);
    expect(problems[0].message).toMatch(/ledger_schema must be an object with entities/);
    expect(problems[0].message).toMatch(/null, for the open ledger/);
  });

  it('requires entities, as a list', () => {
    expect(ledgerSchemaProblems({})).toEqual([
      { path: ['entities'], message: expect.stringMatching(/^entities is required/) },
    ]);
    expect(messages({ entities: { order: {} } })).toEqual([
      'entities must be a list of entity types; got an object',
    ]);
  });

  it('refuses unknown keys, with a did-you-mean where one is close', () => {
    expect(ledgerSchemaProblems({ entities: [], flag: {} })).toEqual([
      {
        path: ['flag'],
        message:
          'ledger_schema has unknown key "flag"; did you mean "flags"? (allowed: entities, flags)',
      },
    ]);
    const problems = ledgerSchemaProblems({
      entities: [{ type: 'order', idField: 'order_id', id_field: 'order_id', fileds: [] }],
    });
    expect(problems.map((p) => p.path)).toEqual([
      ['entities', 0, 'idField'],
      ['entities', 0, 'fileds'],
    ]);
    expect(problems[0].message).toContain('did you mean "id_field"?');
    expect(problems[1].message).toContain('did you mean "fields"?');
  });

  it('hints from other vocabularies (name for type, values for enum, mode for policy)', () => {
    const m = messages({
      entities: [
        { name: 'order', id_field: 'x', fields: [{ name: 'a', type: 'string', values: ['x'] }] },
      ],
      flags: { mode: 'open' },
    });
    expect(m.join('\n')).toContain('unknown key "name"; did you mean "type"?');
    expect(m.join('\n')).toContain('unknown key "values"; did you mean "enum"?');
    expect(m.join('\n')).toContain('unknown key "mode"; did you mean "policy"?');
  });

  it('names the allowed keys when nothing is close', () => {
    expect(messages({ entities: [entity({ zzzzzzzz: 1 })] })).toEqual([
      'entities[0] has unknown key "zzzzzzzz" (allowed: type, id_field, description, fields)',
    ]);
  });

  it.each([null, 'order', ['order']])('refuses %j as an entity', (e) => {
    expect(ledgerSchemaProblems({ entities: [e] })).toEqual([
      { path: ['entities', 0], message: expect.stringMatching(/^entities\[0\] must be an object/) },
    ]);
  });
});

describe('ledgerSchemaProblems: entity types', () => {
  it('requires a non-empty string type and id_field', () => {
    expect(ledgerSchemaProblems({ entities: [{}] })).toEqual([
      { path: ['entities', 0, 'type'], message: expect.stringMatching(/type is required/) },
      { path: ['entities', 0, 'id_field'], message: expect.stringMatching(/id_field is required/) },
    ]);
    expect(messages({ entities: [{ type: '', id_field: 7 }] })).toEqual([
      'entities[0].type must be a non-empty string; got ""',
      'entities[0].id_field must be a non-empty string; got the number 7',
    ]);
  });

  it('refuses a type declared twice, naming the first', () => {
    const problems = ledgerSchemaProblems({ entities: [entity(), entity({ id_field: 'id' })] });
    expect(problems).toEqual([
      {
        path: ['entities', 1, 'type'],
        message: 'entities[1].type "order" repeats entities[0]; declare each type once',
      },
    ]);
  });

  it('keeps types verbatim: order and Order are different types', () => {
    expect(ledgerSchemaProblems({ entities: [entity(), entity({ type: 'Order' })] })).toEqual([]);
  });

  it.each(['flags', 'entities', 'tombstones'])('refuses the reserved type %s', (type) => {
    expect(messages({ entities: [entity({ type })] })[0]).toMatch(/is reserved/);
  });

  it('refuses __proto__ as a type, id field or field name', () => {
    const schema = JSON.parse(
      '{"entities":[{"type":"__proto__","id_field":"__proto__",' +
        '"fields":[{"name":"__proto__","type":"string"}]}]}',
    );
    expect(ledgerSchemaProblems(schema).map((p) => p.path)).toEqual([
      ['entities', 0, 'type'],
      ['entities', 0, 'id_field'],
      ['entities', 0, 'fields', 0, 'name'],
    ]);
  });

  it('refuses a description that is not a string', () => {
    expect(messages({ entities: [entity({ description: ['x'] })] })).toEqual([
      'entities[0].description must be a string; got a list',
    ]);
  });

  it(`allows ${LEDGER_LIMITS.entities} entity types and refuses one more`, () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ type: `t${i}`, id_field: 'id' }));
    expect(ledgerSchemaProblems({ entities: many(100) })).toEqual([]);
    expect(ledgerSchemaProblems({ entities: many(101) })).toEqual([
      {
        path: ['entities'],
        message: 'entities lists 101 entity types; at most 100 are allowed',
      },
    ]);
  });
});

describe('ledgerSchemaProblems: fields', () => {
  it('says what to use for an unknown field type, with a hint', () => {
    const schema = {
      entities: [
        entity({ type: 'a' }),
        entity({ type: 'b' }),
        entity({ type: 'c', fields: [{ name: 'total', type: 'str' }] }),
      ],
    };
    expect(ledgerSchemaProblems(schema)).toEqual([
      {
        path: ['entities', 2, 'fields', 0, 'type'],
        message:
          'entities[2].fields[0].type is "str"; use one of string, number, integer, boolean, ' +
          'object, array; did you mean "string"?',
      },
    ]);
    expect(messages(withFields({ name: 'n', type: 'float' }))[0]).toContain('"number"?');
    expect(messages(withFields({ name: 'n', type: 'Strin' }))[0]).toContain('"string"?');
    expect(messages(withFields({ name: 'n', type: 3 }))[0]).toBe(
      'entities[0].fields[0].type is the number 3; use one of string, number, integer, boolean, ' +
        'object, array',
    );
  });

  it('requires name and type, and a unique name', () => {
    expect(messages(withFields({}))).toEqual([
      'entities[0].fields[0].name is required: the field name, e.g. status',
      'entities[0].fields[0].type is required: one of string, number, integer, boolean, ' +
        'object, array',
    ]);
    expect(
      messages(withFields({ name: 'a', type: 'string' }, { name: 'a', type: 'number' })),
    ).toEqual(['entities[0].fields[1].name "a" repeats fields[0]; name each field once']);
  });

  it('refuses fields that are not a list of objects', () => {
    expect(messages({ entities: [entity({ fields: { status: 'string' } })] })).toEqual([
      'entities[0].fields must be a list of {name, type}; got an object',
    ]);
    expect(messages(withFields('status'))).toEqual([
      'entities[0].fields[0] must be an object with name and type; got "status"',
    ]);
  });

  it('refuses the id field declared as anything but a string', () => {
    expect(messages(withFields({ name: 'order_id', type: 'integer' }))).toEqual([
      'entities[0].fields[0] declares the id field "order_id" as integer; ledger ids are ' +
        'strings, so declare it as string (or leave it out: the id field is always there)',
    ]);
  });

  it(`allows ${LEDGER_LIMITS.fieldsPerEntity} fields per entity and refuses one more`, () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'string' }));
    expect(ledgerSchemaProblems(withFields(...many(100)))).toEqual([]);
    expect(messages(withFields(...many(101)))).toEqual([
      'entities[0].fields lists 101 fields; at most 100 are allowed per entity (fields are ' +
        'open: undeclared ones are still accepted)',
    ]);
  });

  it('checks enum members against the field type', () => {
    const schema = withFields(
      { name: 'a', type: 'string', enum: [] },
      { name: 'b', type: 'string', enum: 'x' },
      { name: 'c', type: 'string', enum: ['x', 1] },
      { name: 'd', type: 'integer', enum: [1, 1.5] },
      { name: 'e', type: 'number', enum: [null, { x: 1 }, ['x']] },
      { name: 'f', type: 'object', enum: [{}] },
      { name: 'g', type: 'string', enum: ['x', 'x'] },
      { name: 'h', type: 'boolean', enum: ['true'] },
    );
    expect(ledgerSchemaProblems(schema)).toEqual([
      {
        path: ['entities', 0, 'fields', 0, 'enum'],
        message:
          'entities[0].fields[0].enum must be a non-empty list of allowed values; got a list',
      },
      {
        path: ['entities', 0, 'fields', 1, 'enum'],
        message: 'entities[0].fields[1].enum must be a non-empty list of allowed values; got "x"',
      },
      {
        path: ['entities', 0, 'fields', 2, 'enum', 1],
        message:
          'entities[0].fields[2].enum[1] is the number 1, which is not a string; ' +
          'the field is string',
      },
      {
        path: ['entities', 0, 'fields', 3, 'enum', 1],
        message:
          'entities[0].fields[3].enum[1] is the number 1.5, which is not an integer; ' +
          'the field is integer',
      },
      {
        path: ['entities', 0, 'fields', 4, 'enum', 0],
        message:
          'entities[0].fields[4].enum[0] is null; enum members are strings, numbers or booleans',
      },
      {
        path: ['entities', 0, 'fields', 4, 'enum', 1],
        message:
          'entities[0].fields[4].enum[1] is an object; enum members are strings, numbers ' +
          'or booleans',
      },
      {
        path: ['entities', 0, 'fields', 4, 'enum', 2],
        message:
          'entities[0].fields[4].enum[2] is a list; enum members are strings, numbers or booleans',
      },
      {
        path: ['entities', 0, 'fields', 5, 'enum'],
        message:
          'entities[0].fields[5].enum is only for scalar fields; entities[0].fields[5] is object',
      },
      {
        path: ['entities', 0, 'fields', 6, 'enum', 1],
        message: 'entities[0].fields[6].enum[1] "x" is listed twice',
      },
      {
        path: ['entities', 0, 'fields', 7, 'enum', 0],
        message:
          'entities[0].fields[7].enum[0] is "true", which is not a boolean; the field is boolean',
      },
    ]);
  });

  it('refuses non-finite numbers as enum members', () => {
    expect(messages(withFields({ name: 'n', type: 'number', enum: [Infinity, NaN] }))).toHaveLength(
      2,
    );
  });
});

describe('ledgerSchemaProblems: flags', () => {
  it('checks the policy, with a hint', () => {
    expect(messages({ entities: [], flags: { policy: 'closd' } })).toEqual([
      'flags.policy is "closd"; use open (any flag) or closed (only values); ' +
        'did you mean "closed"?',
    ]);
    expect(messages({ entities: [], flags: ['x'] })).toEqual([
      'flags must be an object like {policy: open, values: [...]}; got a list',
    ]);
  });

  it('checks the values: a list of unique non-empty strings', () => {
    expect(messages({ entities: [], flags: { values: 'outage' } })).toEqual([
      'flags.values must be a list of flag names; got "outage"',
    ]);
    expect(ledgerSchemaProblems({ entities: [], flags: { values: ['a', '', 3, 'a'] } })).toEqual([
      {
        path: ['flags', 'values', 1],
        message: 'flags.values[1] must be a non-empty string; got ""',
      },
      {
        path: ['flags', 'values', 2],
        message: 'flags.values[2] must be a non-empty string; got the number 3',
      },
      { path: ['flags', 'values', 3], message: 'flags.values[3] "a" repeats flags.values[0]' },
    ]);
  });
});

describe('ledgerSchemaProblems: size', () => {
  /** A schema whose serialization is exactly `bytes` long, padded with a multi-byte character. */
  const sized = (bytes: number) => {
    const base = { entities: [entity({ description: '' })] };
    const pad = bytes - JSON.stringify(base).length;
    // 'é' is one UTF-16 unit and two UTF-8 bytes: the limit counts bytes.
    const description = 'é'.repeat(Math.floor(pad / 2)) + 'x'.repeat(pad % 2);
    return { entities: [entity({ description })] };
  };

  it('accepts exactly 100 KB (UTF-8 bytes), refuses one byte more, and names the size', () => {
    expect(new TextEncoder().encode(JSON.stringify(sized(102400))).length).toBe(102400);
    expect(ledgerSchemaProblems(sized(102400))).toEqual([]);
    expect(ledgerSchemaProblems(sized(102401))).toEqual([
      {
        path: [],
        message:
          'ledger_schema serializes to 102,401 bytes; at most 102,400 bytes (100 KB) are ' +
          'allowed: shorten descriptions or declare fewer entities and fields (undeclared ' +
          'fields are still accepted)',
      },
    ]);
  });

  it('says when the schema cannot be serialized at all (a cycle), without hanging', () => {
    const e: Record<string, unknown> = entity();
    e.description = e;
    const problems = ledgerSchemaProblems({ entities: [e] });
    expect(problems[0].message).toMatch(/^ledger_schema cannot be serialized as JSON/);
    expect(problems[1].message).toBe('entities[0].description must be a string; got an object');
  });
});

describe('ledgerSchemaProblems: hostile input', () => {
  it('caps the problems it reports, saying how many were left out', () => {
    const problems = ledgerSchemaProblems({
      entities: Array.from({ length: 100 }, () => ({ type: 1, id_field: 1 })),
    });
    expect(problems).toHaveLength(LEDGER_LIMITS.problemsShown + 1);
    expect(problems.at(-1)).toEqual({ path: [], message: '… and 150 more problems' });
  });

  it('clips long names in messages', () => {
    const [m] = messages({ entities: [], ['k'.repeat(10_000)]: 1 });
    expect(m.length).toBeLessThan(300);
  });

  it('refuses objects that are not plain (class instances)', () => {
    expect(messages({ entities: [new Map()] })).toEqual([
      'entities[0] must be an object with type and id_field; got a Map object',
    ]);
  });
});

describe('asLedgerSchema', () => {
  it('returns a copy of a valid schema', () => {
    const copy = asLedgerSchema(SEED_EXAMPLE);
    expect(copy).toEqual(SEED_EXAMPLE);
    expect(copy).not.toBe(SEED_EXAMPLE);
    copy.entities[0].type = 'changed';
    expect(SEED_EXAMPLE.entities[0].type).toBe('order');
  });

  it('throws a LedgerInputError carrying every problem', () => {
    let caught: unknown;
    try {
      asLedgerSchema({ entities: [{ type: 'order' }], flags: { policy: 'x' } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LedgerInputError);
    const err = caught as LedgerInputError;
    expect(err.subject).toBe('ledger_schema');
    expect(err.problems.map((p) => p.path)).toEqual([
      ['entities', 0, 'id_field'],
      ['flags', 'policy'],
    ]);
    expect(err.message).toContain('entities[0].id_field is required');
  });
});

describe('fieldMismatch and indexSchema', () => {
  const index = indexSchema(asLedgerSchema(SEED_EXAMPLE));
  const status = index.types!.get('order')!.fields.get('status')!;
  const total = index.types!.get('order')!.fields.get('total')!;

  it('indexes types, id fields, fields and flags; null is the open ledger', () => {
    expect(index.types!.get('order')!.idField).toBe('order_id');
    expect(index.flags).toEqual({ closed: false, values: ['warehouse_outage'] });
    expect(indexSchema(null)).toEqual({ types: null, flags: { closed: false, values: [] } });
    expect(indexSchema({ entities: [], flags: { policy: 'closed' } }).flags).toEqual({
      closed: true,
      values: [],
    });
  });

  it('accepts members and null; names the type or the members otherwise', () => {
    expect(fieldMismatch(status, 'paid')).toBeUndefined();
    expect(fieldMismatch(status, null)).toBeUndefined();
    expect(fieldMismatch(status, 'shiped')).toBe(
      'must be one of "paid", "shipped", "cancelled"; did you mean "shipped"?',
    );
    expect(fieldMismatch(status, 3)).toBe('is declared as string');
    expect(fieldMismatch(total, 12.5)).toBeUndefined();
    expect(fieldMismatch(total, '12.50')).toBe('is declared as number');
    expect(fieldMismatch(total, NaN)).toBe('is declared as number');
    expect(fieldMismatch({ type: 'integer' }, 2.5)).toBe('is declared as integer');
    expect(fieldMismatch({ type: 'object' }, [])).toBe('is declared as object');
    expect(fieldMismatch({ type: 'array' }, {})).toBe('is declared as array');
  });
});
