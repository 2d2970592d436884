import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';

export type HarnessReport =
  { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/**
 * Reads the harness's report for one turn from the file it wrote. Exactly one line is
 * expected: the harness appends its report through a descriptor it opened before the agent's
 * code ran for the turn, so a second line can only come from code in the agent's process (or
 * one it left running). Whatever the report says is a claim the host checks (see classify);
 * it is never trusted to set infrastructure error classes.
 */
export function readReport(text: string | undefined): HarnessReport {
  if (text === undefined) return { ok: false, problem: 'no report' };
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return { ok: false, problem: 'no report' };
  if (lines.length > 1)
    return {
      ok: false,
      problem: `the report file was written ${lines.length} times (only the harness may write it once)`,
    };
  if (nestingDepth(lines[0]) > MAX_DEPTH)
    return { ok: false, problem: `the report is nested deeper than ${MAX_DEPTH} levels` };
  try {
    const v = JSON.parse(lines[0]);
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, value: v };
  } catch {
    /* reported below */
  }
  return { ok: false, problem: 'the report is not a JSON object' };
}
