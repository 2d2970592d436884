import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';

/** The line the in-sandbox harness writes its report after; the payload never contains it. */
export const REPORT_MARK = '@@GAUNTLET_RESULT@@';

export type HarnessReport =
  { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/**
 * Reads the harness's report from an exec's stdout. Exactly one report is expected: the harness
 * writes once, on a descriptor the agent's prints do not reach, and escapes '@' in its payload,
 * so a second mark can only come from code in the agent's process (or one it left running).
 * Whatever the report says is a claim the host checks (see classifyReport); it is never trusted
 * to set infrastructure error classes.
 */
export function readReport(stdout: string): HarnessReport {
  const parts = stdout.split(REPORT_MARK);
  const marks = parts.length - 1;
  if (marks === 0) return { ok: false, problem: 'no report' };
  if (marks > 1)
    return {
      ok: false,
      problem: `the result channel was written ${marks} times (only the harness may write it once)`,
    };
  const line = parts[1].split('\n')[0];
  if (nestingDepth(line) > MAX_DEPTH)
    return { ok: false, problem: `the report is nested deeper than ${MAX_DEPTH} levels` };
  try {
    const v = JSON.parse(line);
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, value: v };
  } catch {
    /* reported below */
  }
  return { ok: false, problem: 'the report is not a JSON object' };
}
