/**
 * The declared ledger schema (seed 004): what a valid one looks like, with problems a user can
 * act on, and the lookups the ledger and the seeder make against a valid one.
 *
 * Rules (seed 004, plus the decisions noted):
 * - `entities` is required, at most LEDGER_LIMITS.entities. Each entity has a non-empty `type`
 *   (unique, used verbatim), a non-empty `id_field`, an optional `description` and optional
 *   `fields` (at most LEDGER_LIMITS.fieldsPerEntity), each a unique `name` and a `type` among
 *   FIELD_TYPES, an optional `enum` of scalar members of that type, an optional `description`.
 * - A field named like the entity's id_field must be a string: ledger ids are strings.
 * - `flags` is optional: `{policy: open|closed (default open), values?: [string]}`. A closed
 *   policy without values is accepted and means the world has no flags at all (a deliberate
 *   declaration, not a mistake); the ledger says so when a flag is refused.
 * - Unknown keys are refused, with a did-you-mean when one is close.
 * - Entity types `flags`, `entities` and `tombstones` are reserved (initial_state uses `flags`
 *   for ledger flags, and the other two are the ledger snapshot's own sections), and no name
 *   anywhere may be `__proto__` (it would rewrite an object's prototype, not name a key).
 * - The whole schema serializes (JSON.stringify, UTF-8) to at most LEDGER_LIMITS.schemaBytes.
 */
import type { LedgerSchema } from '../results/record.js';
import { didYouMean } from '../util/suggest.js';

export type Path = (string | number)[];

/** One problem, at a path relative to what was checked (the caller knows where that is). */
export interface Problem {
  path: Path;
  message: string;
}

export const LEDGER_LIMITS = {
  entities: 100,
  fieldsPerEntity: 100,
  schemaBytes: 100 * 1024,
  /** The ledger state, serialized: a batch of ops that would grow it past this is refused. */
  stateBytes: 1024 * 1024,
  /** Operations in one batch (one simulator reply); no honest reply comes near it. */
  opsPerBatch: 1000,
  /** Nesting of a field's value; deeper is refused before any recursion can overflow. */
  valueDepth: 32,
  /** Problems reported for one check; past it, one more says how many were left out. */
  problemsShown: 50,
} as const;

/** A schema, an initial state or a ledger state that cannot be used, with every problem. */
export class LedgerInputError extends Error {
  constructor(
    readonly subject: 'ledger_schema' | 'initial_state' | 'ledger state',
    readonly problems: Problem[],
  ) {
    super(`${subject} is invalid:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'LedgerInputError';
  }
}

export type FieldType = NonNullable<LedgerSchema['entities'][number]['fields']>[number]['type'];
type Scalar = string | number | boolean;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** What each declared field type accepts. */
export const FIELD_TYPES: Record<FieldType, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  object: isPlainObject,
  array: (v) => Array.isArray(v),
};
const FIELD_TYPE_NAMES = Object.keys(FIELD_TYPES) as FieldType[];
const SCALAR_TYPES: ReadonlySet<FieldType> = new Set(['string', 'number', 'integer', 'boolean']);

/** Names people reach for from other type systems, for the hint only (never accepted). */
const TYPE_ALIASES: Record<string, FieldType> = {
  str: 'string',
  text: 'string',
  int: 'integer',
  float: 'number',
  double: 'number',
  decimal: 'number',
  bool: 'boolean',
  dict: 'object',
  map: 'object',
  list: 'array',
};

/** Never a key: assigning it rewrites an object's prototype instead of adding a key. */
export const FORBIDDEN_KEY = '__proto__';
/** Not entity types: initial_state's flags key and the snapshot's own sections. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['flags', 'entities', 'tombstones']);

const KEYS = {
  schema: {
    allowed: ['entities', 'flags'],
    aliases: { types: 'entities', entity_types: 'entities' },
  },
  entity: {
    allowed: ['type', 'id_field', 'description', 'fields'],
    aliases: { name: 'type', id: 'id_field', key: 'id_field', properties: 'fields' },
  },
  field: {
    allowed: ['name', 'type', 'enum', 'description'],
    aliases: { values: 'enum', allowed: 'enum', kind: 'type' },
  },
  flags: { allowed: ['policy', 'values'], aliases: { mode: 'policy', allowed: 'values' } },
} satisfies Record<string, { allowed: string[]; aliases: Record<string, string> }>;

// ---- message helpers, shared by the ledger and the seeder ----

const clip = (s: string, max = 60) => (s.length > max ? `${s.slice(0, max)}…` : s);
export const quote = (s: string) => JSON.stringify(clip(s));

/** A value as a message names it: `"str"`, `the number 4`, `a list`, `null`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : String(v);
  if (typeof v === 'boolean') return String(v);
  if (isPlainObject(v)) return 'an object';
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'non-JSON'} object`;
  return `a ${typeof v}`;
}

/** `entities[2].fields[0].type`; `root` leads when given (`ops[1].fields.status`). */
export function formatPath(root: string, path: Path): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${quote(seg)}]`;
  }
  return out;
}

/** `; did you mean "x"?` from the alias table first, then by spelling; empty when nothing close. */
export function hint(word: string, candidates: readonly string[], aliases: object = {}): string {
  const alias = (aliases as Record<string, string>)[word.toLowerCase()];
  const guess =
    alias && candidates.includes(alias) ? alias : didYouMean(clip(word, 100), candidates);
  return guess === undefined ? '' : `; did you mean ${quote(guess)}?`;
}

/** Names listed for a message, at most 12 of them. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, … (${names.length} in all)` : shown || '(none)';
}

/** Caps a problem list at LEDGER_LIMITS.problemsShown, saying how many were left out. */
export function capped(problems: Problem[]): Problem[] {
  const max = LEDGER_LIMITS.problemsShown;
  if (problems.length <= max) return problems;
  return [
    ...problems.slice(0, max),
    { path: [], message: `… and ${problems.length - max} more problems` },
  ];
}

/** UTF-8 bytes of `value` serialized, or the reason it cannot be serialized. */
export function jsonBytes(value: unknown): number | string {
  try {
    const s = JSON.stringify(value);
    return s === undefined ? 'it is not a JSON value' : new TextEncoder().encode(s).length;
  } catch (e) {
    return (e as Error).message;
  }
}

export const formatBytes = (n: number) => n.toLocaleString('en-US');

// ---- the schema check ----

type Report = (path: Path, message: string) => void;

function unknownKeys(
  obj: Record<string, unknown>,
  table: { allowed: string[]; aliases: Record<string, string> },
  path: Path,
  report: Report,
) {
  for (const key of Object.keys(obj)) {
    if (table.allowed.includes(key)) continue;
    const where = formatPath('', path) || 'ledger_schema';
    report(
      [...path, key],
      `${where} has unknown key ${quote(key)}${hint(key, table.allowed, table.aliases)}` +
        ` (allowed: ${table.allowed.join(', ')})`,
    );
  }
}

/** A required non-empty string that may name a key; undefined when it is not one. */
function nameAt(
  obj: Record<string, unknown>,
  key: string,
  path: Path,
  report: Report,
  required: string,
): string | undefined {
  const v = obj[key];
  const where = formatPath('', [...path, key]);
  if (v === undefined) report([...path, key], `${where} is required: ${required}`);
  else if (typeof v !== 'string' || v === '')
    report([...path, key], `${where} must be a non-empty string; got ${describe(v)}`);
  else if (v === FORBIDDEN_KEY)
    report([...path, key], `${where} is "__proto__", which cannot name anything; rename it`);
  else return v;
  return undefined;
}

function optionalText(obj: Record<string, unknown>, key: string, path: Path, report: Report) {
  const v = obj[key];
  if (v !== undefined && typeof v !== 'string')
    report(
      [...path, key],
      `${formatPath('', [...path, key])} must be a string; got ${describe(v)}`,
    );
}

function enumProblems(
  field: Record<string, unknown>,
  type: FieldType | undefined,
  path: Path,
  r: Report,
) {
  const members = field.enum;
  if (members === undefined) return;
  const where = formatPath('', [...path, 'enum']);
  if (!Array.isArray(members) || members.length === 0) {
    r(
      [...path, 'enum'],
      `${where} must be a non-empty list of allowed values; got ${describe(members)}`,
    );
    return;
  }
  if (type !== undefined && !SCALAR_TYPES.has(type)) {
    r([...path, 'enum'], `${where} is only for scalar fields; ${formatPath('', path)} is ${type}`);
    return;
  }
  const seen = new Set<unknown>();
  members.forEach((m, j) => {
    const at = formatPath('', [...path, 'enum', j]);
    if (
      typeof m !== 'string' &&
      typeof m !== 'boolean' &&
      !(typeof m === 'number' && Number.isFinite(m))
    )
      r(
        [...path, 'enum', j],
        `${at} is ${describe(m)}; enum members are strings, numbers or booleans`,
      );
    else if (type !== undefined && !FIELD_TYPES[type](m))
      r(
        [...path, 'enum', j],
        `${at} is ${describe(m)}, which is not ${article(type)}; the field is ${type}`,
      );
    else if (seen.has(m)) r([...path, 'enum', j], `${at} ${describe(m)} is listed twice`);
    seen.add(m);
  });
}

const article = (t: FieldType) =>
  t === 'integer' || t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`;

function fieldProblems(
  field: unknown,
  path: Path,
  idField: string | undefined,
  names: Map<string, number>,
  r: Report,
) {
  const where = formatPath('', path);
  if (!isPlainObject(field)) {
    r(path, `${where} must be an object with name and type; got ${describe(field)}`);
    return;
  }
  unknownKeys(field, KEYS.field, path, r);
  const name = nameAt(field, 'name', path, r, 'the field name, e.g. status');
  if (name !== undefined) {
    const first = names.get(name);
    if (first !== undefined)
      r(
        [...path, 'name'],
        `${where}.name ${quote(name)} repeats fields[${first}]; name each field once`,
      );
    else names.set(name, path[path.length - 1] as number);
  }
  let type: FieldType | undefined;
  const t = field.type;
  if (t === undefined)
    r([...path, 'type'], `${where}.type is required: one of ${FIELD_TYPE_NAMES.join(', ')}`);
  else if (typeof t !== 'string' || !FIELD_TYPE_NAMES.includes(t as FieldType))
    r(
      [...path, 'type'],
      `${where}.type is ${describe(t)}; use one of ${FIELD_TYPE_NAMES.join(', ')}` +
        (typeof t === 'string' ? hint(t, FIELD_TYPE_NAMES, TYPE_ALIASES) : ''),
    );
  else type = t as FieldType;
  if (name !== undefined && name === idField && type !== undefined && type !== 'string')
    r(
      [...path, 'type'],
      `${where} declares the id field ${quote(name)} as ${type}; ledger ids are strings, so ` +
        `declare it as string (or leave it out: the id field is always there)`,
    );
  enumProblems(field, type, path, r);
  optionalText(field, 'description', path, r);
}

function entityProblems(entity: unknown, path: Path, types: Map<string, number>, r: Report) {
  const where = formatPath('', path);
  if (!isPlainObject(entity)) {
    r(path, `${where} must be an object with type and id_field; got ${describe(entity)}`);
    return;
  }
  unknownKeys(entity, KEYS.entity, path, r);
  const type = nameAt(
    entity,
    'type',
    path,
    r,
    'the entity name, a singular noun (order, not orders)',
  );
  if (type !== undefined) {
    const first = types.get(type);
    if (RESERVED_TYPES.has(type))
      r(
        [...path, 'type'],
        `${where}.type ${quote(type)} is reserved (flags, entities and tombstones name the ` +
          `ledger's own sections); pick another name`,
      );
    else if (first !== undefined)
      r(
        [...path, 'type'],
        `${where}.type ${quote(type)} repeats entities[${first}]; declare each type once`,
      );
    else types.set(type, path[path.length - 1] as number);
  }
  const idField = nameAt(
    entity,
    'id_field',
    path,
    r,
    'the name of the stable identifier field, e.g. order_id',
  );
  optionalText(entity, 'description', path, r);
  const fields = entity.fields;
  if (fields === undefined) return;
  if (!Array.isArray(fields)) {
    r(
      [...path, 'fields'],
      `${where}.fields must be a list of {name, type}; got ${describe(fields)}`,
    );
    return;
  }
  if (fields.length > LEDGER_LIMITS.fieldsPerEntity)
    r(
      [...path, 'fields'],
      `${where}.fields lists ${fields.length} fields; ` +
        `at most ${LEDGER_LIMITS.fieldsPerEntity} are ` +
        `allowed per entity (fields are open: undeclared ones are still accepted)`,
    );
  const names = new Map<string, number>();
  for (let i = 0; i < fields.length; i++)
    fieldProblems(fields[i], [...path, 'fields', i], idField, names, r);
}

function flagsProblems(flags: unknown, r: Report) {
  if (!isPlainObject(flags)) {
    r(
      ['flags'],
      `flags must be an object like {policy: open, values: [...]}; got ${describe(flags)}`,
    );
    return;
  }
  unknownKeys(flags, KEYS.flags, ['flags'], r);
  const policy = flags.policy;
  if (policy !== undefined && policy !== 'open' && policy !== 'closed')
    r(
      ['flags', 'policy'],
      `flags.policy is ${describe(policy)}; use open (any flag) or closed (only values)` +
        (typeof policy === 'string' ? hint(policy, ['open', 'closed']) : ''),
    );
  const values = flags.values;
  if (values === undefined) return;
  if (!Array.isArray(values)) {
    r(['flags', 'values'], `flags.values must be a list of flag names; got ${describe(values)}`);
    return;
  }
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const at = formatPath('', ['flags', 'values', i]);
    if (typeof v !== 'string' || v === '')
      r(['flags', 'values', i], `${at} must be a non-empty string; got ${describe(v)}`);
    else if (seen.has(v))
      r(['flags', 'values', i], `${at} ${quote(v)} repeats flags.values[${seen.get(v)}]`);
    else seen.set(v, i);
  });
}

/** Every problem with a declared ledger_schema; empty when it is valid. */
export function ledgerSchemaProblems(value: unknown): Problem[] {
  const out: Problem[] = [];
  const r: Report = (path, message) => out.push({ path, message });
  if (!isPlainObject(value)) {
    r(
      [],
      `ledger_schema must be an object with entities (a list of entity types) and optional ` +
        `flags; got ${describe(value)} (leave it out, or null, for the open ledger)`,
    );
    return out;
  }
  const bytes = jsonBytes(value);
  if (typeof bytes === 'string') r([], `ledger_schema cannot be serialized as JSON: ${bytes}`);
  else if (bytes > LEDGER_LIMITS.schemaBytes)
    r(
      [],
      `ledger_schema serializes to ${formatBytes(bytes)} bytes; at most ` +
        `${formatBytes(LEDGER_LIMITS.schemaBytes)} bytes (100 KB) are allowed: shorten ` +
        `descriptions or declare fewer entities and fields (undeclared fields are still accepted)`,
    );
  unknownKeys(value, KEYS.schema, [], r);
  const entities = value.entities;
  if (entities === undefined)
    r(
      ['entities'],
      'entities is required: list the entity types, e.g. [{type: order, id_field: order_id}]',
    );
  else if (!Array.isArray(entities))
    r(['entities'], `entities must be a list of entity types; got ${describe(entities)}`);
  else {
    if (entities.length > LEDGER_LIMITS.entities)
      r(
        ['entities'],
        `entities lists ${entities.length} entity types; ` +
          `at most ${LEDGER_LIMITS.entities} are allowed`,
      );
    const types = new Map<string, number>();
    for (let i = 0; i < entities.length; i++)
      entityProblems(entities[i], ['entities', i], types, r);
  }
  if (value.flags !== undefined) flagsProblems(value.flags, r);
  return capped(out);
}

/** The schema, checked and copied; throws LedgerInputError listing every problem. */
export function asLedgerSchema(value: unknown): LedgerSchema {
  const problems = ledgerSchemaProblems(value);
  if (problems.length) throw new LedgerInputError('ledger_schema', problems);
  return JSON.parse(JSON.stringify(value)) as LedgerSchema;
}

// ---- lookups against a valid schema ----

export interface FieldDecl {
  type: FieldType;
  enum?: readonly Scalar[];
}

export interface EntityDecl {
  idField: string;
  fields: ReadonlyMap<string, FieldDecl>;
}

/** A valid schema as the ledger consults it; `types` is null for the open ledger. */
export interface SchemaIndex {
  types: ReadonlyMap<string, EntityDecl> | null;
  flags: { closed: boolean; values: readonly string[] };
}

export function indexSchema(schema: LedgerSchema | null): SchemaIndex {
  if (schema === null) return { types: null, flags: { closed: false, values: [] } };
  const types = new Map<string, EntityDecl>();
  for (const e of schema.entities) {
    const fields = new Map<string, FieldDecl>();
    for (const f of e.fields ?? []) fields.set(f.name, { type: f.type, enum: f.enum });
    types.set(e.type, { idField: e.id_field, fields });
  }
  return {
    types,
    flags: { closed: schema.flags?.policy === 'closed', values: schema.flags?.values ?? [] },
  };
}

/**
 * Why `value` does not fit its declared field (`is declared as number`, `must be one of …`), or
 * undefined when it does. null fits every
 * field: it is how a world says "no value yet" (an order's tracking number before shipping).
 */
export function fieldMismatch(decl: FieldDecl, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (!FIELD_TYPES[decl.type](value)) return `is declared as ${decl.type}`;
  if (decl.enum && !decl.enum.includes(value as Scalar)) {
    const members = decl.enum.map((m) => JSON.stringify(m)).join(', ');
    const guess = typeof value === 'string' ? hint(value, decl.enum.map(String)) : '';
    return `must be one of ${members}${guess}`;
  }
  return undefined;
}
