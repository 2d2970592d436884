import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';
import { didYouMean } from '../util/suggest.js';
import type { ConfigIssue } from './errors.js';
import type {
  Loaded,
  MemoryMode,
  MultiTurnConfig,
  ResolvedMultiTurn,
  SimulatorMode,
  SourcePos,
  SuiteConfig,
  TurnMode,
} from './types.js';

/**
 * Multi-turn settings: a suite's `multi_turn:` block, laid under a CSV row's multi-turn cells,
 * resolved into one ResolvedMultiTurn per task (or null for a one-turn task). A cell wins, the
 * suite fills the gaps, the defaults fill the rest; nothing written is ignored without an error.
 */

export const TURN_MODES: readonly TurnMode[] = ['model_as_user', 'single_turn'];
export const SIMULATOR_MODES: readonly SimulatorMode[] = ['persona', 'scripted'];
export const MEMORY_MODES: readonly MemoryMode[] = ['replay', 'stateful'];
export const MAX_TURNS_CAP = 50;
export const DEFAULT_MAX_TURNS = 10;
export const DEFAULT_MEMORY_MODE: MemoryMode = 'replay';
/** The task's `user` text is message 1, so a script can send at most MAX_TURNS_CAP - 1 more. */
export const MAX_SCRIPTED_TURNS = MAX_TURNS_CAP - 1;
/** A persona goes into every simulator prompt: a page is plenty, a book is a cost accident. */
export const MAX_PERSONA_CHARS = 32_000;
export const MAX_KEYWORD_CHARS = 200;

/** The CSV columns a suite may wire for multi-turn tasks, in the order they are read. */
export const MULTI_TURN_COLUMNS = [
  'turn_mode',
  'max_turns',
  'simulator_mode',
  'memory_mode',
  'user_simulator_persona',
  'scripted_user_turns',
  'termination_keyword',
] as const;
export type MultiTurnColumn = (typeof MULTI_TURN_COLUMNS)[number];

/** The `multi_turn:` key each column sets. */
const FIELD_OF: Record<Exclude<MultiTurnColumn, 'turn_mode'>, keyof MultiTurnConfig> = {
  max_turns: 'max_turns',
  simulator_mode: 'simulator_mode',
  memory_mode: 'memory_mode',
  user_simulator_persona: 'persona',
  scripted_user_turns: 'scripted_user_turns',
  termination_keyword: 'termination_keyword',
};

/**
 * Ways people write a turn mode that are not one (the seeds' users fell back to a one-shot run
 * on these without a word): each is an error that names the value meant.
 */
const TURN_MODE_ALIASES: Record<string, TurnMode> = {
  multi_turn: 'model_as_user',
  multiturn: 'model_as_user',
  multi: 'model_as_user',
  conversation: 'model_as_user',
  simulated_user: 'model_as_user',
  user_simulator: 'model_as_user',
  persona: 'model_as_user',
  scripted: 'model_as_user',
  single: 'single_turn',
  singleturn: 'single_turn',
  single_shot: 'single_turn',
  one_shot: 'single_turn',
  oneshot: 'single_turn',
  one_turn: 'single_turn',
};

/** A value that cannot be used: what is wrong, the fix, and which list element (0-based). */
export class MultiTurnValueError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly index?: number,
  ) {
    super(message);
  }
}

function oneOf<T extends string>(v: string, allowed: readonly T[], name: string): T {
  const t = v.trim();
  if ((allowed as readonly string[]).includes(t)) return t as T;
  const guess = didYouMean(t, allowed);
  throw new MultiTurnValueError(
    `${JSON.stringify(clip(t))} is not a ${name}` +
      `${guess ? `; did you mean "${guess}"?` : ''} (one of ${allowed.join(', ')})`,
    guess ? `write "${guess}"` : `write one of ${allowed.join(', ')}`,
  );
}

/** `model_as_user` or `single_turn`, exactly: a near miss is an error naming the value meant. */
export function parseTurnMode(v: string): TurnMode {
  const t = v.trim();
  if ((TURN_MODES as readonly string[]).includes(t)) return t as TurnMode;
  const meant =
    TURN_MODE_ALIASES[t.toLowerCase().replace(/[\s-]+/g, '_')] ?? didYouMean(t, TURN_MODES);
  throw new MultiTurnValueError(
    `${JSON.stringify(clip(t))} is not a turn_mode` +
      `${meant ? `; did you mean "${meant}"?` : ''} (model_as_user for a multi-turn session, ` +
      'single_turn for one agent turn)',
    meant ? `write "${meant}"` : 'write model_as_user or single_turn',
  );
}

export const parseSimulatorMode = (v: string) =>
  oneOf(v, SIMULATOR_MODES, 'simulator_mode') as SimulatorMode;
export const parseMemoryMode = (v: string) => oneOf(v, MEMORY_MODES, 'memory_mode') as MemoryMode;

const MAX_TURNS_FIX =
  `write a whole number from 1 to ${MAX_TURNS_CAP} ` + `(default ${DEFAULT_MAX_TURNS})`;

/** A whole number of turns, 1..50; a cell is decimal digits only ("8", not "8.0" or "8 turns"). */
export function parseMaxTurns(v: string | number): number {
  const n = typeof v === 'number' ? v : /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n))
    throw new MultiTurnValueError(
      `${JSON.stringify(typeof v === 'string' ? clip(v) : v)} is not a whole number`,
      MAX_TURNS_FIX,
    );
  if (n < 1 || n > MAX_TURNS_CAP)
    throw new MultiTurnValueError(`${n} is outside 1..${MAX_TURNS_CAP}`, MAX_TURNS_FIX);
  return n;
}

export function parsePersona(v: string): string {
  const t = v.trim();
  if (!t)
    throw new MultiTurnValueError(
      'the persona is blank',
      'describe the simulated user: goals, tone, what makes them escalate',
    );
  if (t.length > MAX_PERSONA_CHARS)
    throw new MultiTurnValueError(
      `the persona holds ${t.length} characters; at most ${MAX_PERSONA_CHARS} are allowed`,
      'shorten it to the goals, tone and escalation of the user',
    );
  return t;
}

export function parseKeyword(v: string): string {
  const t = v.trim();
  if (!t) throw new MultiTurnValueError('termination_keyword is blank', 'write the keyword');
  if (t.length > MAX_KEYWORD_CHARS)
    throw new MultiTurnValueError(
      `termination_keyword holds ${t.length} characters; at most ${MAX_KEYWORD_CHARS}`,
      'use a short marker such as RESOLVED',
    );
  return t;
}

const TURNS_FIX = 'write a JSON array of strings, e.g. ["It failed again", "Thanks, that worked"]';

/**
 * Scripted user messages: a list of strings, or a string holding a JSON array of them (a CSV
 * cell, or a YAML string). Each message is sent as written; blank ones, non-strings, nesting,
 * an empty list and more messages than a session could ever send are errors.
 */
export function parseScriptedTurns(v: unknown): string[] {
  let list: unknown = v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!t) throw new MultiTurnValueError('scripted_user_turns is blank', TURNS_FIX);
    if (!t.startsWith('['))
      throw new MultiTurnValueError(
        `scripted_user_turns is not a JSON array (it starts ${JSON.stringify(clip(t, 20))})`,
        TURNS_FIX,
      );
    const depth = nestingDepth(t);
    if (depth > MAX_DEPTH)
      throw new MultiTurnValueError(
        `scripted_user_turns nests more than ${MAX_DEPTH} levels deep`,
        `${TURNS_FIX}: a flat array, no nesting`,
      );
    try {
      list = JSON.parse(t);
    } catch (e) {
      throw new MultiTurnValueError(
        `scripted_user_turns is not valid JSON (${clip((e as Error).message, 120)})`,
        `${TURNS_FIX}; in a CSV, double every quote inside a quoted cell`,
      );
    }
  }
  if (!Array.isArray(list))
    throw new MultiTurnValueError(
      `scripted_user_turns is ${kindOf(list)}, not an array of strings`,
      TURNS_FIX,
    );
  if (list.length === 0)
    throw new MultiTurnValueError(
      'scripted_user_turns is empty: a scripted session needs at least one user message after ' +
        "the task's user text",
      TURNS_FIX,
    );
  if (list.length > MAX_SCRIPTED_TURNS)
    throw new MultiTurnValueError(
      `scripted_user_turns holds ${list.length} messages; a session has at most ` +
        `${MAX_TURNS_CAP} turns and the task's user text is the first, so at most ` +
        `${MAX_SCRIPTED_TURNS} can be sent`,
      `keep at most ${MAX_SCRIPTED_TURNS} messages, or split the conversation into several tasks`,
    );
  for (let i = 0; i < list.length; i++) {
    const x: unknown = list[i];
    if (typeof x !== 'string')
      throw new MultiTurnValueError(
        `scripted_user_turns element ${i + 1} is ${kindOf(x)}, not a string`,
        `${TURNS_FIX}; quote it to send it as text`,
        i,
      );
    if (!x.trim())
      throw new MultiTurnValueError(
        `scripted_user_turns element ${i + 1} is blank`,
        'remove it, or write the message the user sends',
        i,
      );
  }
  return list as string[];
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  return `a ${typeof x}`;
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** A suite's `multi_turn:` after parsing: what rows fall back on. */
export interface SuiteMultiTurn {
  /** The suite has `multi_turn:`: a task without a turn_mode cell is model_as_user. */
  on: boolean;
  simulator_mode?: SimulatorMode;
  persona?: string;
  scripted_user_turns?: string[];
  max_turns?: number;
  memory_mode?: MemoryMode;
  termination_keyword?: string;
  /** Where an issue about a suite-level field points: the field, its block, or the suite. */
  at(field?: keyof MultiTurnConfig): SourcePos;
}

/** A suite without `multi_turn:` (and what a bare CSV parse assumes). */
export function noMultiTurn(file: string): SuiteMultiTurn {
  return { on: false, at: () => ({ file, line: 1, column: 1 }) };
}

/** Parses a suite's `multi_turn:` (already valid against the schema) and checks its fields. */
export function readSuiteMultiTurn(suite: Loaded<SuiteConfig>): {
  multiTurn: SuiteMultiTurn;
  issues: ConfigIssue[];
} {
  const v = suite.value.multi_turn;
  const csv = !Array.isArray(suite.value.tasks);
  const wired = new Set(csv ? (suite.value.columns ?? []) : []);
  const at = (field?: keyof MultiTurnConfig): SourcePos => {
    if (v && field && field in v) return suite.pos(['multi_turn', field]);
    if (v) return suite.pos(['multi_turn']);
    if (suite.value.columns) return suite.pos(['columns']);
    return suite.pos([]);
  };
  const mt: SuiteMultiTurn = { on: v !== undefined, at };
  if (!v) return { multiTurn: mt, issues: [] };
  const issues: ConfigIssue[] = [];
  const read = <T>(field: keyof MultiTurnConfig, parse: (x: any) => T): T | undefined => {
    if (v[field] === undefined) return undefined;
    try {
      return parse(v[field]);
    } catch (e) {
      if (!(e instanceof MultiTurnValueError)) throw e;
      // A list element has a line of its own; a JSON string is one node.
      const element = e.index !== undefined && Array.isArray(v[field]) ? [e.index] : [];
      const path = ['multi_turn', field, ...element];
      issues.push({
        ...suite.pos(path),
        code: 'invalid_value',
        field: path.join('.'),
        message: e.message,
        fix: e.fix,
      });
      return undefined;
    }
  };
  mt.simulator_mode = read('simulator_mode', parseSimulatorMode);
  mt.persona = read('persona', parsePersona);
  mt.scripted_user_turns = read('scripted_user_turns', parseScriptedTurns);
  mt.max_turns = read('max_turns', parseMaxTurns);
  mt.memory_mode = read('memory_mode', parseMemoryMode);
  mt.termination_keyword = read('termination_keyword', parseKeyword);

  // With the mode fixed for the whole suite, the other mode's field could never be used.
  if (mt.simulator_mode && !wired.has('simulator_mode')) {
    const unused = mt.simulator_mode === 'persona' ? 'scripted_user_turns' : 'persona';
    if (v[unused] !== undefined)
      issues.push({
        ...suite.pos(['multi_turn', unused]),
        code: 'multi_turn_field_unused',
        field: `multi_turn.${unused}`,
        message:
          `${unused} applies to simulator_mode: ${unused === 'persona' ? 'persona' : 'scripted'}` +
          `, and this suite's simulator_mode is ${mt.simulator_mode}`,
        fix: `remove ${unused}, or wire a simulator_mode column to pick the mode per CSV row`,
      });
  }
  return { multiTurn: mt, issues };
}

/** A problem with one task's multi-turn settings. */
export interface MultiTurnIssue {
  /** The CSV cell at fault; null when the suite alone is at fault (reported once, there). */
  column: MultiTurnColumn | null;
  code: string;
  field: string;
  message: string;
  fix: string;
}

/**
 * One task's multi-turn settings: null for a single-turn task. `cell(c)` is the row's text in
 * column c, undefined when c is not wired (inline tasks wire nothing). A blank cell other than
 * turn_mode leaves the value to the suite, then the default; a cell that could not apply to its
 * row (a multi-turn cell on a single-turn row, a persona on a scripted row) is an error.
 */
export function resolveMultiTurn(
  mt: SuiteMultiTurn,
  cell: (c: MultiTurnColumn) => string | undefined,
): { value: ResolvedMultiTurn | null; issues: MultiTurnIssue[] } {
  const issues: MultiTurnIssue[] = [];
  const wired = (c: MultiTurnColumn) => cell(c) !== undefined;
  const filled = (c: MultiTurnColumn) => {
    const x = cell(c);
    return x !== undefined && x.trim() !== '' ? x : undefined;
  };
  const onCell = (column: MultiTurnColumn, code: string, message: string, fix: string) =>
    issues.push({ column, code, field: column, message, fix });
  const fail = () => ({ value: null, issues });

  let turnMode: TurnMode = mt.on ? 'model_as_user' : 'single_turn';
  if (wired('turn_mode')) {
    const t = filled('turn_mode');
    if (t === undefined) {
      onCell(
        'turn_mode',
        'csv_bad_cell',
        'the turn_mode cell is blank',
        'write model_as_user (a multi-turn session) or single_turn (one agent turn)',
      );
      return fail();
    }
    try {
      turnMode = parseTurnMode(t);
    } catch (e) {
      const err = e as MultiTurnValueError;
      onCell('turn_mode', 'csv_bad_cell', err.message, err.fix);
      return fail();
    }
  }
  const rest = MULTI_TURN_COLUMNS.filter((c) => c !== 'turn_mode');
  if (turnMode === 'single_turn') {
    for (const c of rest)
      if (filled(c) !== undefined)
        onCell(
          c,
          'csv_axis_without_multi_turn',
          `${c} applies to multi-turn tasks, and this row is single_turn`,
          wired('turn_mode')
            ? 'clear the cell, or write model_as_user in its turn_mode cell'
            : 'clear the cell, or add multi_turn: to the suite (or wire a turn_mode column)',
        );
    return issues.length ? fail() : { value: null, issues };
  }

  // The row's own cells, each parsed on its own; a bad one is reported and left out.
  const bad = new Set<MultiTurnColumn>();
  const parse = <T>(c: MultiTurnColumn, fn: (s: string) => T): T | undefined => {
    const x = filled(c);
    if (x === undefined) return undefined;
    try {
      return fn(x);
    } catch (e) {
      const err = e as MultiTurnValueError;
      bad.add(c);
      onCell(c, 'csv_bad_cell', err.message, err.fix);
      return undefined;
    }
  };
  const row = {
    max_turns: parse('max_turns', parseMaxTurns),
    simulator_mode: parse('simulator_mode', parseSimulatorMode),
    memory_mode: parse('memory_mode', parseMemoryMode),
    persona: parse('user_simulator_persona', parsePersona),
    scripted_user_turns: parse('scripted_user_turns', parseScriptedTurns),
    termination_keyword: parse('termination_keyword', parseKeyword),
  };
  if (bad.has('simulator_mode')) return fail();

  // A value the task needs and nobody gave: blame the cell that could have given it, else the
  // cell that asked for it, else the suite.
  const missing = (c: Exclude<MultiTurnColumn, 'turn_mode'>, need: string) => {
    const field = FIELD_OF[c];
    const fixSuite = `set multi_turn.${field} on the suite`;
    if (wired(c))
      onCell(
        c,
        'multi_turn_incomplete',
        `${need}: the ${c} cell is blank and the suite's multi_turn sets no ${field}`,
        `fill it, or ${fixSuite}`,
      );
    else if (row.simulator_mode !== undefined)
      onCell(
        'simulator_mode',
        'multi_turn_incomplete',
        `${need}: this row is ${row.simulator_mode}, the suite sets no ${field} and no ${c} ` +
          'column is wired',
        `${fixSuite}, or wire a ${c} column`,
      );
    else
      issues.push({
        column: null,
        code: 'multi_turn_incomplete',
        field: `multi_turn.${field}`,
        message: `${need}, and nothing sets ${field}`,
        fix: `${fixSuite}${c === 'simulator_mode' ? ' (persona or scripted)' : ''}`,
      });
  };

  const simulatorMode = row.simulator_mode ?? mt.simulator_mode;
  if (!simulatorMode) {
    missing('simulator_mode', 'multi-turn tasks need a simulator_mode (persona or scripted)');
    return fail();
  }
  const maxTurns = row.max_turns ?? mt.max_turns ?? DEFAULT_MAX_TURNS;
  let persona: string | null = null;
  let turns: string[] | null = null;
  const wrongMode = (c: 'user_simulator_persona' | 'scripted_user_turns') =>
    onCell(
      c,
      'csv_axis_wrong_mode',
      `${c} applies to ${c === 'scripted_user_turns' ? 'scripted' : 'persona'} tasks, and this ` +
        `row is ${simulatorMode}`,
      wired('simulator_mode')
        ? `clear the cell, or change this row's simulator_mode`
        : 'clear the cell, or wire a simulator_mode column to pick the mode per row',
    );
  if (simulatorMode === 'persona') {
    if (row.scripted_user_turns !== undefined) wrongMode('scripted_user_turns');
    persona = row.persona ?? mt.persona ?? null;
    if (persona === null && !bad.has('user_simulator_persona'))
      missing('user_simulator_persona', 'persona mode needs a persona');
  } else {
    if (row.persona !== undefined) wrongMode('user_simulator_persona');
    turns = row.scripted_user_turns ?? mt.scripted_user_turns ?? null;
    if (turns === null && !bad.has('scripted_user_turns'))
      missing('scripted_user_turns', 'scripted mode needs scripted_user_turns');
    if (turns && !bad.has('max_turns') && turns.length > maxTurns - 1) {
      const message =
        `scripted_user_turns holds ${turns.length} messages, and max_turns ${maxTurns} leaves ` +
        `room for ${maxTurns - 1} after the task's user text (message 1): the rest would ` +
        'never be sent';
      const fix = `raise max_turns to ${turns.length + 1}, or shorten the script`;
      const code = 'scripted_turns_exceed_max_turns';
      if (row.scripted_user_turns) onCell('scripted_user_turns', code, message, fix);
      else if (row.max_turns !== undefined) onCell('max_turns', code, message, fix);
      else
        issues.push({ column: null, code, field: 'multi_turn.scripted_user_turns', message, fix });
    }
  }
  if (issues.length) return fail();
  return {
    value: {
      simulator_mode: simulatorMode,
      persona,
      scripted_user_turns: turns,
      max_turns: maxTurns,
      memory_mode: row.memory_mode ?? mt.memory_mode ?? DEFAULT_MEMORY_MODE,
      termination_keyword: row.termination_keyword ?? mt.termination_keyword ?? null,
    },
    issues,
  };
}

/**
 * Turns the suite-level issues of many tasks into one issue each, at the suite's YAML, naming
 * the first rows that needed the value.
 */
export class SuiteIssueSink {
  private readonly byKey = new Map<string, { issue: MultiTurnIssue; rows: number[] }>();

  constructor(private readonly mt: SuiteMultiTurn) {}

  add(issue: MultiTurnIssue, row?: number) {
    const key = `${issue.code}|${issue.field}`;
    const seen = this.byKey.get(key) ?? { issue, rows: [] };
    if (row !== undefined) seen.rows.push(row);
    this.byKey.set(key, seen);
  }

  issues(): ConfigIssue[] {
    return [...this.byKey.values()].map(({ issue, rows }) => {
      const field = issue.field.replace(/^multi_turn\./, '') as keyof MultiTurnConfig;
      const shown = rows.slice(0, 5).join(', ') + (rows.length > 5 ? ', …' : '');
      return {
        ...this.mt.at(field),
        code: issue.code,
        field: issue.field,
        message: issue.message + (rows.length ? ` (CSV rows ${shown})` : ''),
        fix: issue.fix,
      };
    });
  }
}

/** Whether any task needs the simulator model (persona mode); scripted sessions need none. */
export function needsSimulatorModel(tasks: { multi_turn: ResolvedMultiTurn | null }[]): boolean {
  return tasks.some((t) => t.multi_turn?.simulator_mode === 'persona');
}
