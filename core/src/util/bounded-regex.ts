import { runInNewContext } from 'node:vm';

/** A pattern longer than this is refused at load: a check is a short rule, not a program. */
export const MAX_REGEX_LENGTH = 1000;
/** Flags a check may set; g and y would make a single test stateful. */
export const REGEX_FLAGS = ['i', 'm', 's', 'u'];
/** The text a pattern is tried on is cut to this many characters. */
export const MAX_REGEX_INPUT = 1_000_000;
const TIMEOUT_MS = 200;

export class RegexTimeout extends Error {
  constructor() {
    super(
      `the pattern took longer than ${TIMEOUT_MS} ms on this text (catastrophic backtracking?); ` +
        'simplify it, e.g. avoid nested quantifiers such as (a+)+',
    );
  }
}

/**
 * A pattern from config tried on text an agent wrote, which may be built to make it backtrack
 * for hours: the match runs under V8's execution timeout, which interrupts the regex engine.
 */
export function boundedTest(pattern: string, flags: string, text: string): boolean {
  const re = new RegExp(pattern, flags);
  try {
    return runInNewContext(
      're.test(s)',
      { re, s: text.slice(0, MAX_REGEX_INPUT) },
      {
        timeout: TIMEOUT_MS,
      },
    ) as boolean;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeout();
    throw e;
  }
}
