/**
 * A task's initial_state: the world it starts in, seeded into the ledger before the agent runs.
 *
 * Format (problems carry paths relative to initial_state, so the caller can point at file:line):
 *
 *   initial_state:
 *     order:                                  # an entity type, used verbatim
 *       - {order_id: "4521", status: paid}    # list form: each entity carries its id field
 *     customer:                               # map form: id -> fields; the id field may be
 *       c-1: {name: Ada}                      #   left out (it is set) or must equal the key
 *     flags: [warehouse_outage]               # the flags set when the run starts
 *
 * Rules:
 * - Keys are entity types. With a schema only declared types are allowed (closed); without one
 *   any name is. `flags` is the flags key; `entities` and `tombstones` are refused with a hint
 *   (initial_state seeds live entities; it is not a ledger snapshot).
 * - The id field is the schema's id_field. In the open ledger it is `<type>_id` when the type's
 *   first entity carries it, else `id` (the ledger's own rule, ledger.ts); in list form every
 *   entity of the type must carry it.
 * - Ids are non-empty strings, unique within their type. A YAML number (`order_id: 4521`) is
 *   refused with a hint to quote it: the id a user wrote is the id the agent sees, not a
 *   conversion of it.
 * - Field values are checked as ledger ops check them: JSON values, declared types and enums,
 *   no `__proto__` keys.
 * - flags is a list of unique non-empty strings, among the schema's values when flags are
 *   closed.
 * - The seeded ledger serializes within LEDGER_LIMITS.stateBytes. A missing or null
 *   initial_state seeds the empty ledger; a type with no entities leaves no trace in it.
 */
import type { LedgerSchema, LedgerState } from '../results/record.js';
import {
  LEDGER_LIMITS,
  LedgerInputError,
  capped,
  describe,
  formatBytes,
  formatPath,
  hint,
  indexSchema,
  isPlainObject,
  jsonBytes,
  listNames,
  quote,
  type Path,
  type Problem,
  type SchemaIndex,
} from './ledger-schema.js';
import { entityRecord, fieldsProblems, idProblem, openIdField, typeNameProblem } from './ledger.js';

const ROOT = 'initial_state';
const at = (path: Path) => formatPath(ROOT, path);

type Entities = LedgerState['entities'];

interface Seeding {
  index: SchemaIndex;
  problems: Problem[];
  entities: Entities;
  flags: string[];
}

/** Keys with a meaning of their own, checked before a key is taken as an entity type. */
const SPECIAL_KEYS: Record<string, (s: Seeding, value: unknown) => void> = {
  flags: seedFlags,
  entities: (s) =>
    s.problems.push({
      path: ['entities'],
      message:
        `${at(['entities'])}: initial_state is not a ledger snapshot; put each entity type at ` +
        'the top level instead (order: [...], not entities: {order: ...})',
    }),
  tombstones: (s) =>
    s.problems.push({
      path: ['tombstones'],
      message:
        `${at(['tombstones'])}: initial_state seeds live entities only; ` +
        'leave removed ones out',
    }),
};

/** Every problem with a task's initial_state against the agent's schema (null: open ledger). */
export function initialStateProblems(schema: LedgerSchema | null, initial: unknown): Problem[] {
  return seed(schema, initial).problems;
}

/** The ledger state a task starts from; throws LedgerInputError listing every problem. */
export function seedLedger(schema: LedgerSchema | null, initial: unknown): LedgerState {
  const { problems, state } = seed(schema, initial);
  if (problems.length) throw new LedgerInputError('initial_state', problems);
  return state;
}

function seed(
  schema: LedgerSchema | null,
  initial: unknown,
): { problems: Problem[]; state: LedgerState } {
  const s: Seeding = {
    index: indexSchema(schema),
    problems: [],
    entities: Object.create(null) as Entities,
    flags: [],
  };
  const state = (): LedgerState => ({
    entities: s.entities,
    flags: s.flags,
    tombstones: Object.create(null) as Entities,
  });
  if (initial === undefined || initial === null) return { problems: [], state: state() };
  if (!isPlainObject(initial)) {
    s.problems.push({
      path: [],
      message:
        `initial_state must be an object of entity types (order: [...]) and flags; got ` +
        describe(initial),
    });
    return { problems: s.problems, state: state() };
  }
  for (const [key, value] of Object.entries(initial)) {
    const special = Object.hasOwn(SPECIAL_KEYS, key) ? SPECIAL_KEYS[key] : undefined;
    if (special) special(s, value);
    else seedType(s, key, value);
  }
  if (s.problems.length === 0) {
    const bytes = jsonBytes(state());
    if (typeof bytes === 'number' && bytes > LEDGER_LIMITS.stateBytes)
      s.problems.push({
        path: [],
        message:
          `initial_state seeds a ledger of ${formatBytes(bytes)} bytes serialized; at most ` +
          `${formatBytes(LEDGER_LIMITS.stateBytes)} bytes (1 MiB) are allowed`,
      });
  }
  return { problems: capped(s.problems), state: state() };
}

function seedFlags(s: Seeding, value: unknown) {
  const { closed, values } = s.index.flags;
  if (!Array.isArray(value)) {
    s.problems.push({
      path: ['flags'],
      message: `${at(['flags'])} must be a list of flag names; got ${describe(value)}`,
    });
    return;
  }
  const seen = new Map<string, number>();
  value.forEach((flag, i) => {
    const path = ['flags', i];
    let why: string | undefined;
    if (typeof flag !== 'string' || flag === '')
      why = `must be a non-empty string; got ${describe(flag)}`;
    else if (seen.has(flag)) why = `${quote(flag)} repeats flags[${seen.get(flag)}]`;
    else if (closed && !values.includes(flag))
      why = values.length
        ? `${quote(flag)} is not allowed: ledger_schema.flags is closed to ${listNames(values)}` +
          hint(flag, values)
        : `${quote(flag)} is not allowed: ledger_schema.flags is closed and declares no values`;
    if (why) s.problems.push({ path, message: `${at(path)} ${why}` });
    else {
      seen.set(flag as string, i);
      s.flags.push(flag as string);
    }
  });
}

function seedType(s: Seeding, type: string, value: unknown) {
  const report = (path: Path, message: string) => s.problems.push({ path, message });
  const typeWhy = typeNameProblem(type);
  if (typeWhy) return report([type], `${at([type])}: the entity type ${typeWhy}`);
  const types = s.index.types;
  const decl = types?.get(type);
  if (types && !decl) {
    const declared = [...types.keys()];
    return report(
      [type],
      `${at([type])}: ${quote(type)} is not an entity type declared in ledger_schema` +
        `${hint(type, declared)} (declared: ${listNames(declared)})`,
    );
  }
  const list = Array.isArray(value);
  if (!list && !isPlainObject(value))
    return report(
      [type],
      `${at([type])} must be a list of ${type} entities or a map from id to fields; got ` +
        describe(value),
    );
  const single = list ? undefined : oneEntityWritten(value, decl?.idField ?? `${type}_id`);
  if (single)
    return report(
      [type],
      `${at([type])} looks like one ${type} (it has ${single} as a field); write a list: ` +
        `${type}: [{${single}: ..., ...}], or a map from id to fields`,
    );
  const items: [Path, unknown][] = list
    ? value.map((v, i) => [[type, i], v])
    : Object.entries(value).map(([id, v]) => [[type, id], v]);
  if (items.length === 0) return;
  const first = items[0][1];
  const idField = decl?.idField ?? openIdField(type, isPlainObject(first) ? first : {});
  const byId = Object.create(null) as Entities[string];
  const seen = new Map<string, Path>();
  for (const [path, fields] of items) {
    if (!isPlainObject(fields)) {
      const none = list ? '' : ' ({} for none)';
      report(path, `${at(path)} must be an object of fields${none}; got ${describe(fields)}`);
      continue;
    }
    // Own keys only: an id_field such as `constructor` must not read Object.prototype's.
    const id = list ? (Object.hasOwn(fields, idField) ? fields[idField] : undefined) : path[1];
    const idPath = list ? [...path, idField] : path;
    let idWhy: string | undefined;
    if (list && id === undefined) {
      idWhy = missingId(type, idField, decl !== undefined);
      report(path, `${at(path)} ${idWhy}`);
    } else if ((idWhy = idProblem(id))) report(idPath, `${at(idPath)} ${idWhy}`);
    const dup = idWhy ? undefined : seen.get(id as string);
    if (dup)
      report(
        idPath,
        `${at(idPath)} ${quote(id as string)} repeats ${at(dup)}; ids are unique per type`,
      );
    else if (!idWhy) seen.set(id as string, idPath);
    // The id's own problem is said once; the other fields are still checked.
    const rest = idWhy ? withoutKey(fields, idField) : fields;
    const bad = fieldsProblems({ type, id: String(id), idField, decl }, rest, ROOT, path);
    s.problems.push(...bad);
    if (idWhy || dup || bad.length) continue;
    byId[id as string] = entityRecord(idField, id as string, fields);
  }
  if (Object.keys(byId).length) s.entities[type] = byId;
}

/**
 * The id field a map carries as a plain value, when a single entity was written where the map
 * form expects id -> fields (`customer: {customer_id: c1, name: Ada}`); undefined otherwise.
 */
function oneEntityWritten(map: Record<string, unknown>, idField: string): string | undefined {
  return [idField, 'id'].find((k) => Object.hasOwn(map, k) && !isPlainObject(map[k]));
}

function missingId(type: string, idField: string, declared: boolean): string {
  if (declared || idField !== 'id') return `has no ${idField}: each ${type} carries its id there`;
  return (
    `has no id: each ${type} carries its id in id, or in ${type}_id when the first ${type} ` +
    'does'
  );
}

/** `fields` without `key`, in a null-prototype object (so any other key is stored as is). */
function withoutKey(fields: Record<string, unknown>, key: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) if (k !== key) out[k] = v;
  return out;
}
