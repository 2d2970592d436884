import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError, pathSuffix, type ConfigIssue } from './errors.js';
import { expectProblems, parseExpectCell } from './expect.js';
import { MAX_DEPTH as MAX_JSON_DEPTH, nestingDepth } from '../util/bounded.js';
import {
  MULTI_TURN_COLUMNS,
  noMultiTurn,
  readSuiteMultiTurn,
  resolveMultiTurn,
  SuiteIssueSink,
  type MultiTurnColumn,
  type SuiteMultiTurn,
} from './multi-turn.js';
import { resolveRunbooks, type Mission, type Upload } from './runbook.js';
import type {
  Loaded,
  ResolvedMultiTurn,
  ScenarioConfig,
  ScorerSpec,
  SuiteConfig,
  TaskSpec,
  WorkspaceSeed,
} from './types.js';

/** Per-row scenario axes of a CSV (seed runbook 8): a cell wins, the scenario fills gaps. */
export interface ScenarioAxes {
  scenario_ref?: string;
  workspace_seed?: WorkspaceSeed;
  setup_command?: string;
  eval?: ScorerSpec[];
}

/** A task's own frozen coding setup, and the folder its relative paths resolve against. */
export interface TaskScenario {
  config: ScenarioConfig;
  dir: string;
}

/** A task as dispatched: stable id, where it came from, and its seed. */
export interface Task extends TaskSpec {
  id: string;
  origin: { file: string; line: number; row?: number };
  axes?: ScenarioAxes;
  scenario?: TaskScenario;
  /** A multi-turn session's settings, every default applied; null for a one-turn task. */
  multi_turn: ResolvedMultiTurn | null;
  /** A runbook run's mission, read at load (config/runbook.ts); absent otherwise. */
  mission?: Mission;
  /** A runbook run's files, put in /app/uploads/ before the agent starts. */
  uploads?: Upload[];
}

export type { ResolvedMultiTurn };

const SCORER_KINDS = ['command', 'lint', 'allowed_paths', 'file_exists', 'regex', 'llm_judge'];

export { MAX_JSON_DEPTH };
/**
 * A task CSV is read whole and every row becomes a task in memory, in the record and in the
 * report: these caps keep one file from exhausting any of them. Ten thousand tasks is far
 * past what one PR run can afford; a prompt or state of 256 KB is far past a model's need.
 */
export const MAX_CSV_BYTES = 10 * 1024 * 1024;
export const MAX_CSV_ROWS = 10_000;
export const MAX_CSV_CELL_BYTES = 256 * 1024;

/** JSON.parse, refusing first what nests deeper than the cap (see MAX_JSON_DEPTH). */
function parseJsonCell(v: string): unknown {
  if (nestingDepth(v) > MAX_JSON_DEPTH) throw new TooDeep();
  return JSON.parse(v);
}

class TooDeep extends Error {
  constructor() {
    super(`nests more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

const DEEP_FIX = `flatten it: JSON cells may nest at most ${MAX_JSON_DEPTH} levels of arrays and objects`;
const SEED_FIX =
  'write empty, path:<dir>, zip:<file>, an https git URL with an optional #ref, or a JSON object';
const STATE_FIX = 'write a JSON object such as {"orders": {}}';
const EXPECT_FIX =
  'write one check per line, e.g. "contains: refund", or a JSON list such as [{"contains":"refund"}]';
const EVAL_FIX = 'write a JSON array of scorers, e.g. [{"name":"tests","command":"pytest -q"}]';

/** A workspace_seed cell: a JSON object, or `empty`, `path:<dir>`, `zip:<file>`, `https://…git[#ref]`. */
export function parseSeedCell(v: string): WorkspaceSeed {
  const t = v.trim();
  if (t === 'empty') return { empty: true };
  if (t.startsWith('path:') && t.length > 5) return { path: t.slice(5) };
  if (t.startsWith('zip:') && t.length > 4) return { zip: t.slice(4) };
  if (/^https:\/\/\S+$/.test(t)) {
    const [url, ref] = t.split('#');
    return { git: { url, ...(ref ? { ref } : {}) } };
  }
  if (t.startsWith('{')) {
    const o = parseJsonCell(t) as Record<string, any>;
    const kinds = ['git', 'zip', 'path', 'empty'].filter((k) => k in o);
    if (kinds.length !== 1 || Object.keys(o).length !== 1)
      throw new Error('needs exactly one of git, zip, path, empty');
    if (o.git && (typeof o.git.url !== 'string' || !o.git.url.startsWith('https://')))
      throw new Error('git.url must be an https URL');
    return o as WorkspaceSeed;
  }
  throw new Error('not a seed');
}

export function parseEvalCell(v: string): ScorerSpec[] {
  const a = parseJsonCell(v);
  if (!Array.isArray(a) || !a.length) throw new Error('not a non-empty JSON array');
  for (const x of a) {
    if (!x || typeof x !== 'object' || typeof x.name !== 'string' || !x.name)
      throw new Error('every scorer needs a name');
    const kinds = SCORER_KINDS.filter((k) => k in x);
    if (kinds.length !== 1)
      throw new Error(`scorer "${x.name}" needs exactly one of ${SCORER_KINDS.join(', ')}`);
  }
  return a as ScorerSpec[];
}

/**
 * The frozen coding setup of one task: its row's scenario_ref (or the suite's scenario), deep
 * copied, with the row's cells laid over it.
 */
export function resolveTaskScenario(
  task: Task,
  suiteScenario: Loaded<ScenarioConfig> | undefined,
  library: Map<string, Loaded<ScenarioConfig>>,
  csvDir: string,
): TaskScenario | undefined {
  const a = task.axes;
  const base = a?.scenario_ref ? library.get(a.scenario_ref) : suiteScenario;
  if (!base && !a?.workspace_seed) return undefined;
  const config: ScenarioConfig = structuredClone(
    base?.value ?? { kind: 'scenario', name: `row-${task.origin.row}`, workspace: { empty: true } },
  );
  let dir = base?.dir ?? csvDir;
  if (a?.workspace_seed) {
    config.workspace = a.workspace_seed;
    dir = csvDir;
  }
  if (a?.setup_command) config.setup = { ...(config.setup ?? {}), command: a.setup_command };
  if (a?.eval) config.scorers = a.eval;
  return Object.freeze({ config, dir });
}

const EXPECTED = new Set(['completion', 'refusal']);
/** Columns a CSV may carry only when the suite wires them (`columns:`); `user` is always required. */
const WIREABLE = [
  'behavior_instructions',
  'expected_outcome',
  'initial_state',
  'failure_rules',
  'id',
  'scenario_ref',
  'workspace_seed',
  'setup_command',
  'eval',
  'expect',
  ...MULTI_TURN_COLUMNS,
];
const MULTI_TURN = new Set<string>(MULTI_TURN_COLUMNS);

/**
 * Expands a suite's inline or CSV tasks; every bad row is a hard error naming the row. The
 * suite's `expect:` checks come first in each task's list, then the task's own. Runbooks and
 * uploads are resolved against `root`, the repository they must stay in (by default the
 * suite's own folder).
 */
export async function loadTasks(
  suite: Loaded<SuiteConfig>,
  library: Map<string, Loaded<ScenarioConfig>> = new Map(),
  root: string = suite.dir,
): Promise<Task[]> {
  const tasks = await resolveRunbooks(suite, await expandTasks(suite, library), root);
  const shared = suite.value.expect ?? [];
  if (!shared.length) return tasks;
  return tasks.map((t) => ({ ...t, expect: [...shared, ...(t.expect ?? [])] }));
}

async function expandTasks(
  suite: Loaded<SuiteConfig>,
  library: Map<string, Loaded<ScenarioConfig>>,
): Promise<Task[]> {
  const t = suite.value.tasks;
  const suiteScenario = suite.value.scenario ? library.get(suite.value.scenario) : undefined;
  // The suite's own multi_turn block must be sound before any row can lean on it.
  const { multiTurn, issues: suiteIssues } = readSuiteMultiTurn(suite);
  if (suiteIssues.length) throw new ConfigError(suiteIssues);
  if (Array.isArray(t)) {
    // Inline tasks have no cells: one resolution from the suite serves them all.
    const mt = resolveMultiTurn(multiTurn, () => undefined);
    if (mt.issues.length) {
      const sink = new SuiteIssueSink(multiTurn);
      for (const i of mt.issues) sink.add(i);
      throw new ConfigError(sink.issues());
    }
    return t.map((spec, i) => {
      const task: Task = {
        ...spec,
        id: spec.id ?? `task-${i + 1}`,
        origin: { file: suite.file, line: suite.pos(['tasks', i]).line },
        multi_turn: mt.value && structuredClone(mt.value),
      };
      const scenario = resolveTaskScenario(task, suiteScenario, library, suite.dir);
      return scenario ? { ...task, scenario } : task;
    });
  }
  const csvPath = resolve(suite.dir, t.csv);
  // Named like the YAML files (from the working directory), so an issue or a task origin
  // resolves to the CSV itself, not to a path as written relative to the suite.
  const file = relative(process.cwd(), csvPath) || csvPath;
  const at = suite.pos(['tasks', 'csv']);
  let text: string;
  try {
    const size = (await stat(csvPath)).size;
    if (size > MAX_CSV_BYTES) throw new ConfigError([tooLarge(file, size, 'tasks.csv')]);
    text = await readFile(csvPath, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError([
      {
        ...at,
        code: 'csv_not_found',
        field: 'tasks.csv',
        message: `cannot read ${t.csv} (resolved to ${csvPath})`,
        fix: 'give a path relative to the suite file',
      },
    ]);
  }
  const tasks = parseTaskCsv(text, file, suite.value.columns ?? [], multiTurn);
  const header = (parse(text, { bom: true, to_line: 1 }) as string[][])[0].map((h) => h.trim());
  const issues: ConfigIssue[] = [];
  const csvDir = resolve(csvPath, '..');
  for (const task of tasks) {
    const ref = task.axes?.scenario_ref;
    if (ref && !library.has(ref)) {
      issues.push({
        file,
        line: task.origin.line,
        column: 1,
        code: 'ScenarioResolutionError',
        field: 'scenario_ref',
        message: `row ${task.origin.row}: no scenario named "${ref}" (scenarios: ${[...library.keys()].join(', ') || 'none'})`,
        fix: 'use the exact name of a kind: scenario in the config directory',
      });
      continue;
    }
    task.scenario = resolveTaskScenario(task, suiteScenario, library, csvDir);
    if (!task.scenario) issues.push(...axesWithoutScenario(task, file, header));
  }
  if (issues.length) throw new ConfigError(issues);
  return tasks;
}

/**
 * eval and setup_command cells lay over a scenario; on a row with none (no suite scenario, no
 * scenario_ref, no workspace_seed) they would be dropped without a word, so they are refused.
 */
function axesWithoutScenario(task: Task, file: string, header: string[]): ConfigIssue[] {
  const present = (['eval', 'setup_command'] as const).filter((k) => task.axes?.[k] !== undefined);
  return present.map((field) => ({
    file,
    line: task.origin.line,
    column: header.indexOf(field) + 1,
    code: 'csv_axis_without_scenario',
    field,
    message: `row ${task.origin.row}: ${field} applies to a scenario, and this row has none`,
    fix: 'add scenario: <name> to the suite, or wire a scenario_ref or workspace_seed column',
  }));
}

function tooLarge(file: string, bytes: number, field: string): ConfigIssue {
  return {
    file,
    line: 1,
    column: 1,
    code: 'csv_too_large',
    field,
    message: `${bytes} bytes; a task CSV may hold at most ${MAX_CSV_BYTES / (1024 * 1024)} MB`,
    fix: 'split the tasks over several CSV files and suites',
  };
}

/**
 * Parses a task CSV. `multiTurn` is the suite's multi_turn block (rows fall back on it); without
 * one, a row is multi-turn only when its turn_mode cell says model_as_user.
 */
export function parseTaskCsv(
  text: string,
  file: string,
  wired: string[],
  multiTurn: SuiteMultiTurn = noMultiTurn(file),
): Task[] {
  const issues: ConfigIssue[] = [];
  const suiteLevel = new SuiteIssueSink(multiTurn);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CSV_BYTES) throw new ConfigError([tooLarge(file, bytes, '')]);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: true });
  } catch (e) {
    const err = e as { lines?: number; message: string };
    throw new ConfigError([
      {
        file,
        line: err.lines ?? 1,
        column: 1,
        code: 'csv_syntax',
        field: '',
        message: err.message,
        fix: 'quote cells that hold commas, quotes or newlines',
      },
    ]);
  }
  if (records.length === 0)
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        code: 'csv_empty',
        field: '',
        message: 'the CSV has no header row',
        fix: 'add a header row with at least a `user` column',
      },
    ]);
  const header = records[0].map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('user') < 0)
    issues.push({
      file,
      line: 1,
      column: 1,
      code: 'csv_missing_column',
      field: 'user',
      message: 'the `user` column is required',
      fix: 'add a `user` column with one prompt per row',
    });
  for (const w of wired)
    if (col(w) < 0)
      issues.push({
        file,
        line: 1,
        column: 1,
        code: 'csv_missing_column',
        field: w,
        message: `the suite wires column "${w}" but the CSV has none`,
        fix: `add a "${w}" column, or remove it from the suite's columns`,
      });
  header.forEach((h, i) => {
    if (h === 'user' || wired.includes(h)) return;
    issues.push({
      file,
      line: 1,
      column: i + 1,
      code: 'csv_unwired_column',
      field: h,
      message: WIREABLE.includes(h) ? `column "${h}" is not wired` : `unknown column "${h}"`,
      fix: WIREABLE.includes(h)
        ? `add "${h}" to the suite's columns to use it, or delete the column`
        : `delete it; columns are user and ${WIREABLE.join(', ')}`,
    });
  });
  if (records.length - 1 > MAX_CSV_ROWS) {
    issues.push({
      file,
      line: MAX_CSV_ROWS + 2,
      column: 1,
      code: 'csv_too_many_rows',
      field: '',
      message:
        `${records.length - 1} task rows; a task CSV may hold at most ` +
        `${MAX_CSV_ROWS.toLocaleString('en')}`,
      fix: 'split the tasks over several CSV files and suites',
    });
  }
  if (issues.length) throw new ConfigError(issues);

  const tasks: Task[] = [];
  const ids = new Set<string>();
  for (let r = 1; r < records.length; r++) {
    const cells = records[r];
    const row = r + 1; // 1-based, counting the header
    const cell = (name: string) => (col(name) >= 0 ? cells[col(name)] : undefined);
    const bad = (name: string, message: string, fix: string, code = 'csv_bad_cell') =>
      issues.push({
        file,
        line: row,
        column: col(name) + 1,
        code,
        field: name,
        message: `row ${row}: ${message}`,
        fix,
      });
    const huge = cells.findIndex((c) => Buffer.byteLength(c) > MAX_CSV_CELL_BYTES);
    if (huge >= 0) {
      issues.push({
        file,
        line: row,
        column: huge + 1,
        code: 'csv_cell_too_large',
        field: header[huge],
        message:
          `row ${row}: the ${header[huge]} cell holds ` +
          `${Buffer.byteLength(cells[huge])} bytes; a cell may hold at most ` +
          `${MAX_CSV_CELL_BYTES / 1024} KB`,
        fix: 'shorten it: put large inputs in the workspace (a scenario) and refer to them',
      });
      continue;
    }
    const task: Task = {
      id: `row-${row}`,
      user: cell('user') ?? '',
      origin: { file, line: row, row },
      multi_turn: null,
    };
    if (!task.user.trim()) bad('user', 'the `user` cell is blank', 'write the prompt for this row');
    // Multi-turn cells are read together: a blank one leaves the value to the suite.
    const mt = resolveMultiTurn(multiTurn, (c: MultiTurnColumn) =>
      wired.includes(c) ? (cell(c) ?? '') : undefined,
    );
    for (const i of mt.issues) {
      if (i.column === null) suiteLevel.add(i, row);
      else bad(i.column, i.message, i.fix, i.code);
    }
    task.multi_turn = mt.value;
    for (const w of wired) {
      if (MULTI_TURN.has(w)) continue;
      const v = cell(w) ?? '';
      if (!v.trim()) {
        bad(
          w,
          `the wired "${w}" cell is blank`,
          `fill it, or remove "${w}" from the suite's columns`,
        );
        continue;
      }
      if (w === 'expected_outcome') {
        if (!EXPECTED.has(v.trim()))
          bad(w, `"${v}" is not completion or refusal`, 'use completion or refusal');
        else task.expected_outcome = v.trim() as Task['expected_outcome'];
      } else if (w === 'initial_state') {
        try {
          const parsed = parseJsonCell(v);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('not an object');
          task.initial_state = parsed as Record<string, unknown>;
        } catch (e) {
          if (e instanceof TooDeep) bad(w, `initial_state ${e.message}`, DEEP_FIX);
          else bad(w, 'initial_state is not a JSON object', STATE_FIX);
        }
      } else if (w === 'failure_rules') {
        try {
          const parsed = parseJsonCell(v);
          if (!Array.isArray(parsed)) throw new Error('not a list');
          task.failure_rules = parsed as Task['failure_rules'];
        } catch (e) {
          if (e instanceof TooDeep) bad(w, `failure_rules ${e.message}`, DEEP_FIX);
          else
            bad(
              w,
              'failure_rules is not a JSON list',
              'write a JSON list of rules, e.g. [{"tool":"get_order","error":{"message":"down"}}]',
            );
        }
      } else if (w === 'id') {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(v))
          bad(w, `id "${v}" has characters outside A-Z a-z 0-9 . _ -`, 'use a short slug');
        else if (ids.has(v)) bad(w, `id "${v}" repeats an earlier row`, 'make ids unique');
        else (ids.add(v), (task.id = v));
      } else if (w === 'behavior_instructions') task.behavior_instructions = v;
      else if (w === 'scenario_ref') {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(v.trim()))
          bad(
            w,
            `scenario_ref "${v}" is not a scenario name`,
            'write the name of a kind: scenario',
          );
        else task.axes = { ...task.axes, scenario_ref: v.trim() };
      } else if (w === 'workspace_seed') {
        try {
          task.axes = { ...task.axes, workspace_seed: parseSeedCell(v) };
        } catch (e) {
          if (e instanceof TooDeep) bad(w, `workspace_seed ${e.message}`, DEEP_FIX);
          else bad(w, `workspace_seed is malformed (${(e as Error).message})`, SEED_FIX);
        }
      } else if (w === 'expect') {
        try {
          const items = parseExpectCell(v, parseJsonCell);
          const p = expectProblems(items)[0];
          if (p) bad(w, `expect${pathSuffix(p.path)} ${p.message}`, p.fix);
          else task.expect = items;
        } catch (e) {
          if (e instanceof TooDeep) bad(w, `expect ${e.message}`, DEEP_FIX);
          else bad(w, `expect is malformed (${(e as Error).message})`, EXPECT_FIX);
        }
      } else if (w === 'setup_command') task.axes = { ...task.axes, setup_command: v };
      else if (w === 'eval') {
        try {
          task.axes = { ...task.axes, eval: parseEvalCell(v) };
        } catch (e) {
          if (e instanceof TooDeep) bad(w, `eval ${e.message}`, DEEP_FIX);
          else bad(w, `eval is malformed (${(e as Error).message})`, EVAL_FIX);
        }
      }
    }
    tasks.push(task);
  }
  issues.push(...suiteLevel.issues());
  if (issues.length) throw new ConfigError(issues);
  if (tasks.length === 0)
    throw new ConfigError([
      {
        file,
        line: 2,
        column: 1,
        code: 'csv_empty',
        field: '',
        message: 'the CSV has a header but no task rows',
        fix: 'add one row per task',
      },
    ]);
  return tasks;
}
