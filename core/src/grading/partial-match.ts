import { clipText } from '../util/bounded.js';

/** One place where what was expected does not hold, named by its dotted path. */
export interface Mismatch {
  path: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => clipText(JSON.stringify(v) ?? 'undefined', 120);
const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Whether `actual` holds what `expected` says, and every place it does not. The rule: an
 * object matches when each expected key matches (other keys may be anything); null matches
 * null or absence; an array matches an array of the same length, item by item; anything else
 * must be equal (1 and "1" differ). Each mismatch is named, never one all-or-nothing answer.
 */
export function partialMismatches(expected: unknown, actual: unknown, path = ''): Mismatch[] {
  if (expected === null)
    return actual === null || actual === undefined
      ? []
      : [{ path, message: `expected absent, found ${show(actual)}` }];
  if (actual === undefined) return [{ path, message: `expected ${show(expected)}, missing` }];
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path, message: `expected an object, found ${show(actual)}` }];
    return Object.entries(expected).flatMap(([k, v]) =>
      partialMismatches(v, Object.hasOwn(actual, k) ? actual[k] : undefined, join(path, k)),
    );
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [{ path, message: `expected ${show(expected)}, found ${show(actual)}` }];
    return expected.flatMap((v, i) => partialMismatches(v, actual[i], join(path, i)));
  }
  return Object.is(expected, actual) || expected === actual
    ? []
    : [{ path, message: `expected ${show(expected)}, found ${show(actual)}` }];
}
