import { Ajv } from 'ajv';
import { MAX_REGEX_LENGTH, REGEX_FLAGS } from '../util/bounded-regex.js';
import { pathSuffix, type ConfigIssue } from './errors.js';
import type { Task } from './tasks.js';
import type { AgentConfig, Loaded, SuiteConfig, TaskSpec } from './types.js';

/** One `expect:` item as written in YAML or a CSV cell: a check key and its options. */
export type ExpectItem = Record<string, unknown>;

/** Matching over text: exact (after trimming), substring, absence of a substring. */
export interface TextCheck {
  kind: 'equals' | 'contains' | 'not_contains';
  name: string;
  value: string;
  ignore_case: boolean;
}

export interface ToolCheck {
  kind: 'tool_called' | 'tool_not_called';
  name: string;
  tool: string;
  /** A partial match: these arguments (deeply) must hold; others may be anything. */
  args: Record<string, unknown> | null;
  /** How many matching calls are acceptable; tool_called defaults to at least one. */
  count: { min: number; max: number | null };
}

/** A checked `expect:` item, defaults applied; what the grade phase runs. */
export type Check =
  | TextCheck
  | { kind: 'regex'; name: string; pattern: string; flags: string }
  | { kind: 'json_schema'; name: string; schema: Record<string, unknown> }
  | ToolCheck
  | {
      kind: 'world_state';
      name: string;
      /** Entity type, then id, then the fields that must hold; null: the entity must not exist. */
      entities: Record<string, Record<string, Record<string, unknown> | null>>;
    }
  | { kind: 'llm_judge'; name: string; prompt: string; scale: number; pass_at: number }
  /** A file the agent left under /app/results (collected, so it works after the sandbox). */
  | { kind: 'file_exists'; name: string; path: string }
  /** A collected artifact's content: stored, and valid against the schema when one is given. */
  | { kind: 'artifact'; name: string; path: string; schema: Record<string, unknown> | null };

export type CheckKind = Check['kind'];

/** What is wrong with one item, at a path inside it, and how to fix it. */
export interface ExpectProblem {
  path: (string | number)[];
  message: string;
  fix: string;
}

type Parsed = { check: Check } | { problem: ExpectProblem };

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const problem = (path: (string | number)[], message: string, fix: string): Parsed => ({
  problem: { path, message, fix },
});

/** A `json_schema:` option that ajv cannot compile, as the item's problem; null when it can. */
function schemaProblem(schema: unknown): Parsed | null {
  if (!isObject(schema))
    return problem(['json_schema'], 'is not a JSON Schema object', 'write { type: object }');
  try {
    new Ajv({ strict: false }).compile(schema);
  } catch (e) {
    return problem(['json_schema'], (e as Error).message, 'fix the schema (draft 7)');
  }
  return null;
}

/**
 * Each kind reads its own item: the key names the check, the other keys are its options.
 * A new check registers here and in grading/checks.ts; nothing else switches on kinds.
 */
const PARSERS: Record<CheckKind, { options: string[]; parse(item: ExpectItem): Parsed }> = {
  equals: textParser('equals'),
  contains: textParser('contains'),
  not_contains: textParser('not_contains'),
  regex: {
    options: ['flags'],
    parse(item) {
      const pattern = item.regex;
      if (typeof pattern !== 'string' || !pattern)
        return problem(['regex'], 'is not a pattern', 'write regex: "order\\\\s+#\\\\d+"');
      if (pattern.length > MAX_REGEX_LENGTH)
        return problem(
          ['regex'],
          `is ${pattern.length} characters long; at most ${MAX_REGEX_LENGTH}`,
          'shorten it',
        );
      const flags = item.flags ?? '';
      if (typeof flags !== 'string' || [...flags].some((f) => !REGEX_FLAGS.includes(f)))
        return problem(['flags'], `${JSON.stringify(flags)} is not a set of flags`, 'use i, m, s');
      try {
        new RegExp(pattern, flags);
      } catch (e) {
        return problem(['regex'], (e as Error).message, 'fix the pattern (JavaScript syntax)');
      }
      return { check: { kind: 'regex', name: `regex /${clip(pattern)}/`, pattern, flags } };
    },
  },
  json_schema: {
    options: [],
    parse(item) {
      const schema = item.json_schema;
      const bad = schemaProblem(schema);
      if (bad) return bad;
      return {
        check: {
          kind: 'json_schema',
          name: 'json_schema',
          schema: schema as Record<string, unknown>,
        },
      };
    },
  },
  tool_called: toolParser('tool_called'),
  tool_not_called: toolParser('tool_not_called'),
  world_state: {
    options: [],
    parse(item) {
      const ws = item.world_state;
      const fix = 'write world_state: { orders: { A1: { status: refunded } } }';
      if (!isObject(ws) || !Object.keys(ws).length)
        return problem(['world_state'], 'is not a map of entity types', fix);
      for (const [type, ids] of Object.entries(ws)) {
        if (!isObject(ids) || !Object.keys(ids).length)
          return problem(['world_state', type], 'is not a map of entity ids', fix);
        for (const [id, fields] of Object.entries(ids))
          if (fields !== null && !isObject(fields))
            return problem(
              ['world_state', type, id],
              'is neither a map of fields nor null (absent)',
              fix,
            );
      }
      const first = Object.entries(ws)[0];
      const more = Object.keys(ws).length > 1 || Object.keys(first[1] as object).length > 1;
      return {
        check: {
          kind: 'world_state',
          name: `world_state ${clip(`${first[0]}.${Object.keys(first[1] as object)[0]}`)}${more ? ' …' : ''}`,
          entities: ws as Extract<Check, { kind: 'world_state' }>['entities'],
        },
      };
    },
  },
  llm_judge: {
    options: [],
    parse(item) {
      const raw = item.llm_judge;
      const spec = typeof raw === 'string' ? { prompt: raw } : raw;
      const fix = 'write llm_judge: "the criterion" or { prompt, scale: 5, pass_at: 4 }';
      if (!isObject(spec) || typeof spec.prompt !== 'string' || !spec.prompt.trim())
        return problem(['llm_judge'], 'has no prompt', fix);
      const extra = Object.keys(spec).filter((k) => !['prompt', 'scale', 'pass_at'].includes(k));
      if (extra.length) return problem(['llm_judge', extra[0]], 'is not an option', fix);
      const scale = spec.scale ?? 5;
      if (!Number.isInteger(scale) || (scale as number) < 2 || (scale as number) > 10)
        return problem(['llm_judge', 'scale'], 'is not an integer 2..10', fix);
      const passAt = spec.pass_at ?? Math.ceil((scale as number) * 0.8);
      if (
        !Number.isInteger(passAt) ||
        (passAt as number) < 1 ||
        (passAt as number) > (scale as number)
      )
        return problem(['llm_judge', 'pass_at'], `is not an integer 1..${scale}`, fix);
      return {
        check: {
          kind: 'llm_judge',
          name: `llm_judge ${clip(spec.prompt)}`,
          prompt: spec.prompt,
          scale: scale as number,
          pass_at: passAt as number,
        },
      };
    },
  },
  file_exists: artifactParser('file_exists'),
  artifact: artifactParser('artifact'),
};

export const CHECK_KINDS = Object.keys(PARSERS) as CheckKind[];

/**
 * A path under /app/results as a check names it: relative (`report.md`), or absolute under
 * /app/results; '/'-separated plain segments, never `..`. Returns the relative form or why not.
 */
function resultsPath(v: unknown): { path: string } | { why: string } {
  if (typeof v !== 'string' || !v.trim()) return { why: 'is not a path' };
  let p = v.trim();
  if (p.startsWith('/')) {
    if (!p.startsWith('/app/results/'))
      return { why: `${JSON.stringify(clip(p))} is not under /app/results` };
    p = p.slice('/app/results/'.length);
  }
  p = p.replace(/^(\.\/)+/, '');
  if (!p || p.split('/').some((s) => !s || s === '.' || s === '..' || s.includes('\\')))
    return { why: `${JSON.stringify(clip(p))} is not a plain path relative to /app/results` };
  return { path: p };
}

function artifactParser(kind: 'file_exists' | 'artifact'): (typeof PARSERS)[CheckKind] {
  return {
    options: kind === 'artifact' ? ['json_schema'] : [],
    parse(item) {
      const r = resultsPath(item[kind]);
      if ('why' in r)
        return problem(
          [kind],
          r.why,
          `write ${kind}: report.md (a file the agent writes under /app/results)`,
        );
      if (kind === 'file_exists')
        return { check: { kind, name: `file_exists ${clip(r.path)}`, path: r.path } };
      const schema = item.json_schema ?? null;
      const bad = schema === null ? null : schemaProblem(schema);
      if (bad) return bad;
      return {
        check: {
          kind,
          name: `artifact ${clip(r.path)}${schema ? ' json_schema' : ''}`,
          path: r.path,
          schema: schema as Record<string, unknown> | null,
        },
      };
    },
  };
}

function textParser(kind: TextCheck['kind']): (typeof PARSERS)[CheckKind] {
  return {
    options: ['ignore_case'],
    parse(item) {
      const value = item[kind];
      if (typeof value !== 'string' || (kind !== 'equals' && !value))
        return problem([kind], 'is not a text', `write ${kind}: "the text"`);
      const ic = item.ignore_case ?? false;
      if (typeof ic !== 'boolean')
        return problem(['ignore_case'], 'is not true or false', 'write ignore_case: true');
      return {
        check: { kind, name: `${kind} "${clip(value, 30)}"`, value, ignore_case: ic },
      };
    },
  };
}

function toolParser(kind: ToolCheck['kind']): (typeof PARSERS)[CheckKind] {
  return {
    options: [],
    parse(item) {
      const raw = item[kind];
      const spec = typeof raw === 'string' ? { name: raw } : raw;
      const fix = `write ${kind}: refund_order, or ${kind}: { name: refund_order, args: { order_id: A1 }${kind === 'tool_called' ? ', count: 1' : ''} }`;
      if (!isObject(spec) || typeof spec.name !== 'string' || !spec.name)
        return problem([kind], 'names no tool', fix);
      const allowed =
        kind === 'tool_called' ? ['name', 'args', 'count', 'min', 'max'] : ['name', 'args'];
      const extra = Object.keys(spec).filter((k) => !allowed.includes(k));
      if (extra.length) return problem([kind, extra[0]], 'is not an option', fix);
      if (spec.args !== undefined && !isObject(spec.args))
        return problem([kind, 'args'], 'is not a map of arguments', fix);
      const int = (k: string) => {
        const v = spec[k];
        return v === undefined || (Number.isInteger(v) && (v as number) >= 0);
      };
      for (const k of ['count', 'min', 'max'])
        if (!int(k)) return problem([kind, k], 'is not a whole number >= 0', fix);
      if (spec.count !== undefined && (spec.min !== undefined || spec.max !== undefined))
        return problem([kind, 'count'], 'is given with min or max', 'use count, or min and max');
      const min = (spec.count ?? spec.min ?? (kind === 'tool_called' ? 1 : 0)) as number;
      const max = (spec.count ?? spec.max ?? (kind === 'tool_called' ? null : 0)) as number | null;
      if (max !== null && max < min)
        return problem([kind, 'max'], `is below min (${min})`, 'make max at least min');
      return {
        check: {
          kind,
          name: `${kind} ${clip(spec.name)}${spec.args ? '(…)' : ''}`,
          tool: spec.name,
          args: (spec.args as Record<string, unknown> | undefined) ?? null,
          count: { min, max },
        },
      };
    },
  };
}

/** One item: exactly one check key, its options, and an optional badge `name`. */
export function parseExpectItem(item: unknown): { check?: Check; problem?: ExpectProblem } {
  if (!isObject(item))
    return {
      problem: {
        path: [],
        message: 'is not a check',
        fix: `write one of ${CHECK_KINDS.join(', ')} as a key, e.g. - contains: refund`,
      },
    };
  // A kind's option may share a kind's name (artifact's json_schema): then it is the option.
  const named = Object.keys(item).filter((k): k is CheckKind => k in PARSERS);
  const kinds = named.filter((k) => !named.some((o) => o !== k && PARSERS[o].options.includes(k)));
  if (kinds.length !== 1)
    return {
      problem: {
        path: [],
        message: kinds.length
          ? `names ${kinds.length} checks (${kinds.join(', ')})`
          : `names no check (keys: ${Object.keys(item).join(', ') || 'none'})`,
        fix: `one check per item; checks are ${CHECK_KINDS.join(', ')}`,
      },
    };
  const parser = PARSERS[kinds[0]];
  const extra = Object.keys(item).filter(
    (k) => k !== kinds[0] && k !== 'name' && !parser.options.includes(k),
  );
  if (extra.length)
    return {
      problem: {
        path: [extra[0]],
        message: `is not an option of ${kinds[0]}`,
        fix: parser.options.length
          ? `${kinds[0]} takes name and ${parser.options.join(', ')}`
          : `${kinds[0]} takes only name`,
      },
    };
  if (item.name !== undefined && (typeof item.name !== 'string' || !item.name.trim()))
    return { problem: { path: ['name'], message: 'is not a text', fix: 'write name: "a label"' } };
  const r = parser.parse(item);
  if ('problem' in r) return r;
  return { check: item.name ? { ...r.check, name: clip(item.name as string, 60) } : r.check };
}

/** Every problem of a list, each at its item's index. */
export function expectProblems(items: unknown): ExpectProblem[] {
  if (!Array.isArray(items))
    return [{ path: [], message: 'is not a list', fix: 'write expect: as a list of checks' }];
  return items.flatMap((it, i) => {
    const p = parseExpectItem(it).problem;
    return p ? [{ ...p, path: [i, ...p.path] }] : [];
  });
}

/** The checks of a list already validated (expectProblems empty); invalid items are dropped. */
export function checksOf(items: readonly unknown[] | undefined): Check[] {
  return (items ?? []).flatMap((it) => parseExpectItem(it).check ?? []);
}

/** Kinds a CSV cell may write as `kind: value` lines (the common cases). */
const LINE_KINDS = [
  'equals',
  'contains',
  'not_contains',
  'regex',
  'tool_called',
  'tool_not_called',
  'file_exists',
];

/**
 * An `expect` CSV cell: a JSON list of checks (every kind), or one `kind: value` per line for
 * the common cases (`contains: refund`, `tool_called: refund_order`). Throws with the reason.
 */
export function parseExpectCell(text: string, parseJson: (s: string) => unknown): ExpectItem[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    const v = parseJson(t);
    if (!Array.isArray(v)) throw new Error('the JSON is not a list');
    return v as ExpectItem[];
  }
  return t
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      const m = /^\s*([a-z_]+)\s*:\s?(.*)$/.exec(line);
      if (!m || !LINE_KINDS.includes(m[1]))
        throw new Error(
          `"${clip(line.trim())}" is not "kind: value" with kind one of ${LINE_KINDS.join(', ')}`,
        );
      return { [m[1]]: m[2].trim() };
    });
}

/**
 * Every problem of a suite's `expect:` lists: the suite's own, each inline task's, and tool
 * checks naming a tool an agent does not declare (tool checks see the calls through the
 * gateway, which are the declared tools: such a check could never hold, or always would).
 */
export function expectIssues(
  suite: Loaded<SuiteConfig>,
  tasks: readonly Task[],
  agents: readonly AgentConfig[],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const lists: { items: unknown; at: (string | number)[]; row: Task | null }[] = [];
  if (suite.value.expect !== undefined)
    lists.push({ items: suite.value.expect, at: ['expect'], row: null });
  const shared = Array.isArray(suite.value.expect) ? suite.value.expect.length : 0;
  const inline = Array.isArray(suite.value.tasks);
  tasks.forEach((t, i) => {
    const own = inline ? (suite.value.tasks as TaskSpec[])[i]?.expect : t.expect?.slice(shared);
    if (own !== undefined)
      lists.push({ items: own, at: ['tasks', i, 'expect'], row: inline ? null : t });
  });
  for (const { items, at, row } of lists) {
    const where = (path: (string | number)[]) =>
      row
        ? { file: row.origin.file, line: row.origin.line, column: 1, field: 'expect' }
        : { ...suite.pos([...at, ...path]), field: [...at, ...path].join('.') };
    const label = row ? `row ${row.origin.row}: expect` : at.join('.');
    const problems = expectProblems(items);
    for (const p of problems)
      out.push({
        ...where(p.path),
        code: 'invalid_check',
        message: `${label}${pathSuffix(p.path)} ${p.message}`,
        fix: p.fix,
      });
    if (problems.length || !Array.isArray(items)) continue;
    items.forEach((item, j) => {
      const c = parseExpectItem(item).check;
      if (!c || (c.kind !== 'tool_called' && c.kind !== 'tool_not_called')) return;
      for (const a of agents)
        if (!(a.tools ?? []).some((t) => t.name === c.tool))
          out.push({
            ...where([j, c.kind]),
            code: 'unknown_tool',
            message: `${label}[${j}].${c.kind}: agent ${a.name} declares no tool "${c.tool}"`,
            fix: `name one of its tools (${(a.tools ?? []).map((t) => t.name).join(', ') || 'it has none'}); checks see the calls of declared tools`,
          });
    });
  }
  return out;
}
