/**
 * The world-state ledger: live entities by type and id, flags, and tombstones, changed only by
 * batches of ledger ops applied all or nothing. Ops come from a model reply, so they are
 * hostile: every op is checked for shape first, then against the schema and the ledger as it
 * would be after the ops before it in the same batch.
 *
 * Rules (the decisions beyond seed 004 are marked so):
 * - With a schema, entity types are closed (only declared ones); fields are open, but a declared
 *   field's value must be of its declared type and among its enum. null fits every declared
 *   field (decision: it is how a world says "no value yet").
 * - The id field (the schema's id_field) is always stored, set to the entity's id; an op that
 *   carries it must give the same id (ids are stable, never renamed).
 * - Open ledger (no schema; decision): any type; each type's id field is fixed when the type
 *   first appears: `<type>_id` when that first entity carries it, else `id`. A ledger built from
 *   a snapshot infers it the same way: `<type>_id` when every entity of the type carries it.
 * - `add` of a live id is refused; `add` of a removed id recreates it and clears its tombstone
 *   (decision: worlds recreate things under the same id, a file path or a cart line, and the
 *   Changes view keeps the history). `update` and `remove` need a live id.
 * - `update` merges fields shallowly; `remove` moves the entity, as it was, to the tombstones;
 *   `set_flag` with value true (the default) sets a flag once, false clears it. A closed flags
 *   policy refuses any flag outside its values, set or cleared.
 * - Values are JSON: finite numbers, no undefined, plain objects and lists nested at most
 *   LEDGER_LIMITS.valueDepth deep. No key anywhere may be `__proto__`; the maps the ledger hands
 *   out have no prototype, so `constructor` or `toString` are ordinary names.
 * - The state serialized stays within LEDGER_LIMITS.stateBytes; a batch that would outgrow it is
 *   refused whole, as is one of more than LEDGER_LIMITS.opsPerBatch ops.
 */
import type { LedgerOp, LedgerSchema, LedgerState } from '../results/record.js';
import {
  FORBIDDEN_KEY,
  LEDGER_LIMITS,
  LedgerInputError,
  RESERVED_TYPES,
  capped,
  describe,
  fieldMismatch,
  formatBytes,
  formatPath,
  hint,
  indexSchema,
  isPlainObject,
  jsonBytes,
  listNames,
  quote,
  type EntityDecl,
  type Path,
  type Problem,
  type SchemaIndex,
} from './ledger-schema.js';

export type ApplyResult = { ok: true; changes: LedgerOp[] } | { ok: false; problems: Problem[] };

/** A stored entity: a null-prototype object, never changed once stored (updates replace it). */
type Entity = Record<string, unknown>;
type Table = Map<string, Map<string, Entity>>;

interface World {
  entities: Table;
  tombstones: Table;
  flags: string[];
  /** Open ledger only: each type's id field, fixed when the type first appeared. */
  openIds: Map<string, string>;
}

const blank = (): Entity => Object.create(null) as Entity;

// ---- values ----

/** Where and why a value is not storable JSON; undefined when it is. */
export function valueProblem(value: unknown, path: Path): { path: Path; why: string } | undefined {
  const stack: Path = [...path];
  const why = walk(value, stack, 0);
  return why === undefined ? undefined : { path: stack, why };
}

function walk(v: unknown, stack: Path, depth: number): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number')
    return Number.isFinite(v) ? undefined : `is ${v}, which JSON cannot carry`;
  if (v === undefined) return 'is undefined; use null for "no value"';
  if (!Array.isArray(v) && !isPlainObject(v)) return `is ${describe(v)}, which JSON cannot carry`;
  if (depth >= LEDGER_LIMITS.valueDepth)
    return `nests deeper than ${LEDGER_LIMITS.valueDepth} levels; flatten it`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      stack.push(i);
      const why = walk(v[i], stack, depth + 1);
      if (why !== undefined) return why;
      stack.pop();
    }
    return undefined;
  }
  for (const k of Object.keys(v)) {
    stack.push(k);
    if (k === FORBIDDEN_KEY) return 'is a "__proto__" key, which cannot be stored; rename it';
    const why = walk(v[k], stack, depth + 1);
    if (why !== undefined) return why;
    stack.pop();
  }
  return undefined;
}

/** A deep copy of a value valueProblem accepted (so its depth is bounded and no key is unsafe). */
function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyValue(x);
    return out;
  }
  return v;
}

function copyEntity(e: Entity): Entity {
  const out = blank();
  for (const [k, v] of Object.entries(e)) out[k] = copyValue(v);
  return out;
}

/** An entity as stored: a deep copy of `fields` with the id field set to `id`. */
export function entityRecord(
  idField: string,
  id: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return Object.assign(copyEntity({ [idField]: id }), copyEntity(fields));
}

/** The open ledger's rule for a type's id field, from the type's first entity. */
export function openIdField(type: string, firstFields: Record<string, unknown>): string {
  return Object.hasOwn(firstFields, `${type}_id`) ? `${type}_id` : 'id';
}

/** The entity an op or a seed names, with what the checks need to know about its type. */
export interface EntityRef {
  type: string;
  id: string;
  idField: string;
  /** The declared type; absent in the open ledger. */
  decl?: EntityDecl;
}

/**
 * Problems with fields an add or update would write (an object already): unsafe keys, values
 * that are not JSON, a declared field of the wrong type or outside its enum, an id field that
 * is not the entity's id. `root` and `path` locate `fields` in messages and problems.
 */
export function fieldsProblems(
  ref: EntityRef,
  fields: Record<string, unknown>,
  root: string,
  path: Path,
): Problem[] {
  const out: Problem[] = [];
  for (const [key, v] of Object.entries(fields)) {
    const at = [...path, key];
    if (key === FORBIDDEN_KEY) {
      out.push({ path: at, message: `${formatPath(root, at)} cannot be stored: rename the field` });
      continue;
    }
    const bad = valueProblem(v, at);
    if (bad) {
      out.push({ path: bad.path, message: `${formatPath(root, bad.path)} ${bad.why}` });
      continue;
    }
    if (key === ref.idField && v !== ref.id) {
      out.push({
        path: at,
        message:
          `${formatPath(root, at)} is ${describe(v)} ` +
          `but the ${ref.type}'s id is ${quote(ref.id)}; ` +
          `the id field ${key} must equal it (ids never change), or leave it out`,
      });
      continue;
    }
    const decl = ref.decl?.fields.get(key);
    const why = decl && fieldMismatch(decl, v);
    if (why)
      out.push({
        path: at,
        message: `${formatPath(root, at)} is ${describe(v)}; ${ref.type}.${key} ${why}`,
      });
  }
  return out;
}

/** Problems with a name used as an entity type (types declared or not are checked apart). */
export function typeNameProblem(type: string): string | undefined {
  if (type === '') return 'is empty; name the entity type';
  if (type === FORBIDDEN_KEY) return 'is "__proto__", which cannot name an entity type';
  if (RESERVED_TYPES.has(type))
    return "is reserved (flags, entities and tombstones name the ledger's own sections)";
  return undefined;
}

/** Why a name cannot be an entity id; undefined when it can. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id === 'number') return `is the number ${id}; ids are strings: "${id}"`;
  if (typeof id !== 'string') return `must be a string id; got ${describe(id)}`;
  if (id === '') return 'is empty; give the entity an id';
  if (id === FORBIDDEN_KEY) return 'is "__proto__", which cannot be an id';
  return undefined;
}

// ---- ops: shape ----

const OP_KINDS = {
  add: { required: ['entity_type', 'entity_id'], optional: ['fields'] },
  update: { required: ['entity_type', 'entity_id', 'fields'], optional: [] },
  remove: { required: ['entity_type', 'entity_id'], optional: [] },
  set_flag: { required: ['flag'], optional: ['value'] },
} as const satisfies Record<LedgerOp['op'], { required: string[]; optional: string[] }>;
type OpKind = keyof typeof OP_KINDS;
const OP_NAMES = Object.keys(OP_KINDS) as OpKind[];

/** What models write instead, for the hint only (never accepted). */
const OP_ALIASES: Record<string, OpKind> = {
  create: 'add',
  insert: 'add',
  new: 'add',
  modify: 'update',
  patch: 'update',
  edit: 'update',
  set: 'update',
  delete: 'remove',
  del: 'remove',
  destroy: 'remove',
  flag: 'set_flag',
  clear_flag: 'set_flag',
  unset_flag: 'set_flag',
};
const OP_KEY_ALIASES: Record<string, string> = {
  type: 'entity_type',
  entity: 'entity_type',
  id: 'entity_id',
  data: 'fields',
  values: 'fields',
  changes: 'fields',
  name: 'flag',
};

type EntityOp = { op: 'add' | 'update' | 'remove'; type: string; id: string; fields?: Entity };
type Parsed = EntityOp | { op: 'set_flag'; flag: string; value: boolean };

function parseOp(raw: unknown, i: number, out: Problem[]): Parsed | undefined {
  const root = 'ops';
  const report = (path: Path, message: string) => out.push({ path, message });
  if (!isPlainObject(raw)) {
    report([i], `ops[${i}] must be an object like {"op": "add", ...}; got ${describe(raw)}`);
    return undefined;
  }
  const kind = raw.op;
  if (typeof kind !== 'string' || !(OP_NAMES as string[]).includes(kind)) {
    report(
      [i, 'op'],
      `ops[${i}].op ${kind === undefined ? 'is required' : `is ${describe(kind)}`}; use one of ` +
        OP_NAMES.join(', ') +
        (typeof kind === 'string' ? hint(kind, OP_NAMES, OP_ALIASES) : ''),
    );
    return undefined;
  }
  const shape = OP_KINDS[kind as OpKind];
  const allowed: string[] = ['op', ...shape.required, ...shape.optional];
  const before = out.length;
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    report(
      [i, key],
      `ops[${i}] has unknown key ${quote(key)}${hint(key, allowed, OP_KEY_ALIASES)}; ` +
        `${article(kind)} ${kind} op takes ${allowed.join(', ')}`,
    );
  }
  for (const key of shape.required)
    if (raw[key] === undefined) report([i, key], `ops[${i}].${key} is required for ${kind}`);
  if (out.length > before) return undefined;

  if (kind === 'set_flag') {
    const { flag, value } = raw;
    if (typeof flag !== 'string' || flag === '')
      report([i, 'flag'], `ops[${i}].flag must be a non-empty string; got ${describe(flag)}`);
    if (value !== undefined && typeof value !== 'boolean')
      report([i, 'value'], `ops[${i}].value must be true or false; got ${describe(value)}`);
    return out.length > before
      ? undefined
      : { op: 'set_flag', flag: flag as string, value: value !== false };
  }
  const type = raw.entity_type;
  const typeWhy =
    typeof type === 'string' ? typeNameProblem(type) : `must be a string; got ${describe(type)}`;
  if (typeWhy) report([i, 'entity_type'], `ops[${i}].entity_type ${typeWhy}`);
  const idWhy = idProblem(raw.entity_id);
  if (idWhy) report([i, 'entity_id'], `ops[${i}].entity_id ${idWhy}`);
  const fields = raw.fields;
  if (fields !== undefined && !isPlainObject(fields))
    report(
      [i, 'fields'],
      `${formatPath(root, [i, 'fields'])} must be an object of field names to values; got ` +
        describe(fields),
    );
  if (out.length > before) return undefined;
  return {
    op: kind as EntityOp['op'],
    type: type as string,
    id: raw.entity_id as string,
    fields: kind === 'remove' ? undefined : ((fields ?? {}) as Entity),
  };
}

const article = (kind: string) => (kind === 'add' || kind === 'update' ? 'an' : 'a');

// ---- the ledger ----

export class Ledger {
  private readonly index: SchemaIndex;
  private world: World;

  /** Throws LedgerInputError when `initial` is not a ledger state this ledger can hold. */
  constructor(schema: LedgerSchema | null, initial?: LedgerState) {
    this.index = indexSchema(schema);
    const empty = { entities: {}, flags: [], tombstones: {} };
    const read = readState(initial === undefined ? empty : initial, this.index);
    if (read.problems.length) throw new LedgerInputError('ledger state', read.problems);
    this.world = read.world;
  }

  /** A deep copy of the state: live entities, flags in the order set, tombstones. */
  state(): LedgerState {
    return snapshot(this.world, copyEntity);
  }

  /** Every problem with a batch of ops (a model reply); empty when apply would succeed. */
  check(ops: unknown): Problem[] {
    return this.stage(ops).problems;
  }

  /** Applies a batch all or nothing: on any problem the ledger is left exactly as it was. */
  apply(ops: unknown): ApplyResult {
    const staged = this.stage(ops);
    if (staged.problems.length) return { ok: false, problems: staged.problems };
    this.world = staged.world;
    return { ok: true, changes: staged.changes };
  }

  private stage(ops: unknown): { problems: Problem[]; world: World; changes: LedgerOp[] } {
    const world = cloneWorld(this.world);
    const changes: LedgerOp[] = [];
    const problems: Problem[] = [];
    if (!Array.isArray(ops)) {
      problems.push({
        path: [],
        message: `ops must be a list of ledger operations; got ${describe(ops)}`,
      });
      return { problems, world, changes };
    }
    if (ops.length > LEDGER_LIMITS.opsPerBatch) {
      problems.push({
        path: [],
        message:
          `ops lists ${ops.length} operations; at most ${LEDGER_LIMITS.opsPerBatch} ` +
          'are allowed in one batch',
      });
      return { problems, world, changes };
    }
    for (let i = 0; i < ops.length; i++) {
      const op = parseOp(ops[i], i, problems);
      if (op === undefined) continue;
      const change =
        op.op === 'set_flag'
          ? this.flag(world, op, i, problems)
          : this.entity(world, op, i, problems);
      if (change) changes.push(change);
    }
    if (problems.length === 0) {
      const bytes = jsonBytes(snapshot(world, (e) => e));
      if (typeof bytes === 'number' && bytes > LEDGER_LIMITS.stateBytes)
        problems.push({
          path: [],
          message:
            `these ops would grow the ledger to ${formatBytes(bytes)} bytes serialized; at most ` +
            `${formatBytes(LEDGER_LIMITS.stateBytes)} bytes (1 MiB) are allowed: store less ` +
            'per entity, or remove entities no longer needed',
        });
    }
    return { problems: capped(problems), world, changes };
  }

  private flag(
    world: World,
    op: { flag: string; value: boolean },
    i: number,
    problems: Problem[],
  ): LedgerOp | undefined {
    const { closed, values } = this.index.flags;
    if (closed && !values.includes(op.flag)) {
      problems.push({
        path: [i, 'flag'],
        message:
          `ops[${i}].flag ${quote(op.flag)} is not allowed: ` +
          (values.length
            ? `ledger_schema.flags is closed to ${listNames(values)}${hint(op.flag, values)}`
            : 'ledger_schema.flags is closed and declares no values, so this world has no flags'),
      });
      return undefined;
    }
    if (op.value && !world.flags.includes(op.flag)) world.flags.push(op.flag);
    if (!op.value) world.flags = world.flags.filter((f) => f !== op.flag);
    return { op: 'set_flag', flag: op.flag, value: op.value };
  }

  /**
   * Checks one entity op against the staged world and applies it there. An op whose only
   * problems are in its fields still takes effect on which ids are live (with no fields), so
   * the ops after it are judged as the model meant them, not buried under follow-on problems.
   */
  private entity(world: World, op: EntityOp, i: number, problems: Problem[]): LedgerOp | undefined {
    const types = this.index.types;
    const decl = types?.get(op.type);
    if (types && !decl) {
      const declared = [...types.keys()];
      problems.push({
        path: [i, 'entity_type'],
        message:
          `ops[${i}].entity_type ${quote(op.type)} is not declared in ledger_schema` +
          `${hint(op.type, declared)} (declared: ${listNames(declared)})`,
      });
      return undefined;
    }
    const live = world.entities.get(op.type);
    const current = live?.get(op.id);
    const name = `${op.type} ${quote(op.id)}`;
    if (op.op === 'add' && current) {
      problems.push({
        path: [i, 'entity_id'],
        message: `ops[${i}] adds ${name}, which already exists; use update to change its fields`,
      });
      return undefined;
    }
    if (op.op !== 'add' && !current) {
      const verb = op.op === 'update' ? 'updates' : 'removes';
      const gone = world.tombstones.get(op.type)?.has(op.id);
      const ids = live ? [...live.keys()].slice(0, 1000) : [];
      problems.push({
        path: [i, 'entity_id'],
        message: gone
          ? `ops[${i}] ${verb} ${name}, which was removed; add it again to recreate it`
          : `ops[${i}] ${verb} ${name}, which does not exist; add it first${hint(op.id, ids)}`,
      });
      return undefined;
    }
    if (op.op === 'remove') {
      live!.delete(op.id);
      if (live!.size === 0) world.entities.delete(op.type);
      tableFor(world.tombstones, op.type).set(op.id, current!);
      return { op: 'remove', entity_type: op.type, entity_id: op.id };
    }
    const fields = op.fields!;
    const idField = decl?.idField ?? world.openIds.get(op.type) ?? openIdField(op.type, fields);
    const bad = fieldsProblems({ type: op.type, id: op.id, idField, decl }, fields, 'ops', [
      i,
      'fields',
    ]);
    problems.push(...bad);
    const written = bad.length === 0 ? copyEntity(fields) : blank();
    if (op.op === 'update') {
      live!.set(op.id, Object.assign(blank(), current, written));
      return { op: 'update', entity_type: op.type, entity_id: op.id, fields: copyEntity(written) };
    }
    const stored = entityRecord(idField, op.id, written);
    if (!decl) world.openIds.set(op.type, idField);
    world.tombstones.get(op.type)?.delete(op.id);
    if (world.tombstones.get(op.type)?.size === 0) world.tombstones.delete(op.type);
    tableFor(world.entities, op.type).set(op.id, stored);
    return { op: 'add', entity_type: op.type, entity_id: op.id, fields: copyEntity(stored) };
  }
}

function tableFor(table: Table, type: string): Map<string, Entity> {
  let ids = table.get(type);
  if (!ids) table.set(type, (ids = new Map()));
  return ids;
}

/** A copy whose maps can change without touching the original (entities are never mutated). */
function cloneWorld(w: World): World {
  const clone = (t: Table): Table => new Map([...t].map(([type, ids]) => [type, new Map(ids)]));
  return {
    entities: clone(w.entities),
    tombstones: clone(w.tombstones),
    flags: [...w.flags],
    openIds: new Map(w.openIds),
  };
}

/** The world as a LedgerState, each entity passed through `each` (a copy, or as is to measure). */
function snapshot(w: World, each: (e: Entity) => Entity): LedgerState {
  const plain = (t: Table) => {
    const out = Object.create(null) as LedgerState['entities'];
    for (const [type, ids] of t) {
      const byId = Object.create(null) as Record<string, Entity>;
      for (const [id, e] of ids) byId[id] = each(e);
      out[type] = byId;
    }
    return out;
  };
  return { entities: plain(w.entities), flags: [...w.flags], tombstones: plain(w.tombstones) };
}

// ---- reading a snapshot ----

/** A LedgerState (a seed's or a record's) read into a world, or why it cannot be. */
function readState(state: unknown, index: SchemaIndex): { problems: Problem[]; world: World } {
  const problems: Problem[] = [];
  const world: World = {
    entities: new Map(),
    tombstones: new Map(),
    flags: [],
    openIds: new Map(),
  };
  const report = (path: Path, message: string) => problems.push({ path, message });
  if (!isPlainObject(state)) {
    report(
      [],
      `a ledger state must be an object {entities, flags, tombstones}; got ${describe(state)}`,
    );
    return { problems, world };
  }
  for (const key of Object.keys(state))
    if (!['entities', 'flags', 'tombstones'].includes(key))
      report(
        [key],
        `the ledger state has unknown key ${quote(key)} (allowed: entities, flags, tombstones)`,
      );
  for (const section of ['entities', 'tombstones'] as const) {
    const types = state[section] ?? {};
    if (!isPlainObject(types)) {
      report([section], `${section} must be an object of entity types; got ${describe(types)}`);
      continue;
    }
    for (const [type, ids] of Object.entries(types)) {
      const typeWhy = typeNameProblem(type);
      if (typeWhy) report([section, type], `${formatPath(section, [type])} ${typeWhy}`);
      if (!isPlainObject(ids)) {
        report(
          [section, type],
          `${formatPath(section, [type])} must be an object of ids; got ${describe(ids)}`,
        );
        continue;
      }
      for (const [id, e] of Object.entries(ids)) {
        const at: Path = [section, type, id];
        const idWhy = idProblem(id);
        if (idWhy) report(at, `${formatPath('', at)} ${idWhy}`);
        if (!isPlainObject(e)) {
          report(at, `${formatPath('', at)} must be an object of fields; got ${describe(e)}`);
          continue;
        }
        // Each field as an op's value: the same depth bound, so any state the ledger left reads.
        const bad = Object.entries(e)
          .map(([k, v]) =>
            k === FORBIDDEN_KEY
              ? { path: [...at, k], why: 'cannot be stored: rename the field' }
              : valueProblem(v, [...at, k]),
          )
          .filter((b) => b !== undefined);
        for (const b of bad) report(b.path, `${formatPath('', b.path)} ${b.why}`);
        if (typeWhy || idWhy || bad.length) continue;
        tableFor(world[section], type).set(id, copyEntity(e));
      }
    }
  }
  const flags = state.flags ?? [];
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string' || f === ''))
    report(['flags'], 'flags must be a list of non-empty strings');
  else world.flags = [...new Set(flags as string[])];
  if (index.types === null) {
    for (const type of new Set([...world.entities.keys(), ...world.tombstones.keys()])) {
      const all = [...(world.entities.get(type) ?? []), ...(world.tombstones.get(type) ?? [])];
      const own = `${type}_id`;
      world.openIds.set(type, all.every(([id, e]) => e[own] === id) ? own : 'id');
    }
  }
  if (problems.length === 0) {
    const bytes = jsonBytes(snapshot(world, (e) => e));
    if (typeof bytes === 'number' && bytes > LEDGER_LIMITS.stateBytes)
      report(
        [],
        `the ledger state is ${formatBytes(bytes)} bytes serialized; at most ` +
          `${formatBytes(LEDGER_LIMITS.stateBytes)} bytes (1 MiB) are allowed`,
      );
  }
  return { problems: capped(problems), world };
}
