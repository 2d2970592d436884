import { createHash } from 'node:crypto';
import type { FailureRule } from '../results/record.js';
import { didYouMean } from '../util/suggest.js';
import { mulberry32 } from '../util/seeded-random.js';

/** A config problem at a path inside the value checked (for file:line:column reporting). */
type Problem = { path: (string | number)[]; message: string };

/** The status an injected failure answers with when the rule gives none. */
export const DEFAULT_FAILURE_STATUS = 500;
/** Bounds on what a task may declare: no honest task needs more. */
export const MAX_FAILURE_RULES = 100;
export const MAX_FAILURE_MESSAGE_CHARS = 4000;

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ERROR_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const RULE_KEYS = ['tool', 'args', 'nth', 'probability', 'error'];
const ERROR_KEYS = ['status', 'type', 'message'];

/** The first 32 bits of sha256(text): a seed string becomes a generator state. */
function seedState(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON deep equality. The recursion follows `expected` (the rule, from config), so a hostile
 * call argument nested arbitrarily deep is compared only as deep as the rule's value goes.
 */
function deepEqual(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    return expected.every((e, i) => deepEqual(e, actual[i]));
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false;
    const keys = Object.keys(expected);
    if (Object.keys(actual).length !== keys.length) return false;
    return keys.every((k) => Object.hasOwn(actual, k) && deepEqual(expected[k], actual[k]));
  }
  return false;
}

/** Every key the rule gives is an own argument of the call with a deep-equal value. */
function argsMatch(want: Record<string, unknown>, args: unknown): boolean {
  if (!isPlainObject(args)) return false;
  return Object.keys(want).every((k) => Object.hasOwn(args, k) && deepEqual(want[k], args[k]));
}

/**
 * A task's failure rules over one run. Every call of a tool that reaches rule matching counts
 * toward that tool's `nth` (1-based), whether or not a rule fires on it.
 *
 * The draw rule, which is what makes a run reproducible: each rule has its own generator,
 * mulberry32 seeded from sha256(`${seed}\0${index}`). Rules are tried in order and the first
 * that fires wins. A rule draws one number only when its tool, nth and args conditions all hold
 * on the call and no earlier rule fired on it; it fires when that number is below its
 * `probability` (so 1 always fires and 0 never does, both still drawing). A rule without a
 * probability fires on its conditions alone and draws nothing. So the same seed and the same
 * sequence of calls fire the same rules, and a rule's draws depend only on the calls that
 * reached it: calls to other tools, or rules added after it, do not shift them.
 */
export class FailureRules {
  private readonly counts = new Map<string, number>();
  private readonly draws: (() => number)[];

  constructor(
    private readonly rules: readonly FailureRule[],
    seed: string,
  ) {
    this.draws = rules.map((_, i) => mulberry32(seedState(`${seed}\0${i}`)));
  }

  /** The rule that fires on this call, if any; call once per call that reaches rule matching. */
  match(tool: string, args: unknown): { index: number; rule: FailureRule } | null {
    const nth = (this.counts.get(tool) ?? 0) + 1;
    this.counts.set(tool, nth);
    for (let index = 0; index < this.rules.length; index++) {
      const rule = this.rules[index];
      if (rule.tool !== tool) continue;
      if (rule.nth !== undefined && rule.nth !== nth) continue;
      if (rule.args !== undefined && !argsMatch(rule.args, args)) continue;
      if (rule.probability !== undefined && !(this.draws[index]() < rule.probability)) continue;
      return { index, rule };
    }
    return null;
  }
}

/** The HTTP status an injected failure answers with. */
export const failureStatus = (rule: FailureRule): number =>
  rule.error.status ?? DEFAULT_FAILURE_STATUS;

const unknownKey = (key: string, known: string[]) => {
  const guess = didYouMean(key, known);
  return `unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''} (allowed: ${known.join(', ')})`;
};

/** Each field's check: a message when the value is wrong. */
const RULE_FIELDS: Record<string, (v: unknown) => string | undefined> = {
  tool: (v) =>
    typeof v === 'string' && TOOL_NAME.test(v)
      ? undefined
      : 'must be a tool name (letters, digits, _ and -, 1 to 64 characters)',
  args: (v) =>
    isPlainObject(v) ? undefined : 'must be a mapping of argument names to the values to match',
  nth: (v) =>
    Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be a whole number >= 1',
  probability: (v) =>
    typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'must be a number from 0 to 1',
};

const ERROR_FIELDS: Record<string, (v: unknown) => string | undefined> = {
  message: (v) =>
    typeof v === 'string' && v.length >= 1 && v.length <= MAX_FAILURE_MESSAGE_CHARS
      ? undefined
      : `must be a text of 1 to ${MAX_FAILURE_MESSAGE_CHARS} characters`,
  status: (v) =>
    Number.isInteger(v) && (v as number) >= 400 && (v as number) <= 599
      ? undefined
      : 'must be an HTTP error status, a whole number from 400 to 599',
  type: (v) =>
    typeof v === 'string' && ERROR_TYPE.test(v)
      ? undefined
      : 'must be a snake_case error type (a-z, 0-9 and _, starting with a letter)',
};

function objectProblems(
  value: Record<string, unknown>,
  path: (string | number)[],
  fields: Record<string, (v: unknown) => string | undefined>,
  required: string[],
  known: string[],
): Problem[] {
  const out: Problem[] = [];
  for (const key of Object.keys(value))
    if (!known.includes(key)) out.push({ path: [...path, key], message: unknownKey(key, known) });
  for (const key of required)
    if (!Object.hasOwn(value, key)) out.push({ path, message: `missing required key "${key}"` });
  for (const [key, check] of Object.entries(fields)) {
    if (!Object.hasOwn(value, key)) continue;
    const message = check(value[key]);
    if (message) out.push({ path: [...path, key], message });
  }
  return out;
}

/**
 * What is wrong with a list of failure rules as a user wrote it (a task's `failure_rules`);
 * empty when it is valid. Paths are relative to the list.
 */
export function failureRuleProblems(value: unknown): Problem[] {
  if (!Array.isArray(value)) return [{ path: [], message: 'must be a list of failure rules' }];
  if (value.length > MAX_FAILURE_RULES)
    return [{ path: [], message: `at most ${MAX_FAILURE_RULES} failure rules per task` }];
  const out: Problem[] = [];
  value.forEach((rule, i) => {
    if (!isPlainObject(rule)) {
      out.push({ path: [i], message: 'a failure rule must be a mapping (tool, error, ...)' });
      return;
    }
    out.push(...objectProblems(rule, [i], RULE_FIELDS, ['tool', 'error'], RULE_KEYS));
    if (!Object.hasOwn(rule, 'error')) return;
    if (!isPlainObject(rule.error))
      out.push({ path: [i, 'error'], message: 'must be a mapping with message (status, type)' });
    else
      out.push(...objectProblems(rule.error, [i, 'error'], ERROR_FIELDS, ['message'], ERROR_KEYS));
  });
  return out;
}

/** Rules naming a tool the agent does not declare: such a rule could never fire. */
export function undeclaredToolProblems(value: unknown, declared: readonly string[]): Problem[] {
  if (!Array.isArray(value)) return [];
  const out: Problem[] = [];
  value.forEach((rule, i) => {
    const tool = isPlainObject(rule) ? rule.tool : undefined;
    if (typeof tool !== 'string' || declared.includes(tool)) return;
    const guess = didYouMean(tool, declared);
    out.push({
      path: [i, 'tool'],
      message:
        `no declared tool named "${tool}"` +
        (guess
          ? `; did you mean "${guess}"?`
          : declared.length
            ? ` (tools: ${declared.join(', ')})`
            : '; the agent declares no tools'),
    });
  });
  return out;
}
