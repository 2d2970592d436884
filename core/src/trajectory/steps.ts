import type { TrajectoryStep } from '../results/record.js';

/**
 * The step shapes every coding-CLI normaliser produces, so a shell step from Codex looks like
 * one from Claude Code in the record, the report and the ATIF export.
 */

/** What a CLI itself reported of its usage (Claude Code's result line, say). */
export interface CliUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  turns?: number;
}

export interface NormalisedTranscript {
  steps: TrajectoryStep[];
  final_response: string | null;
  usage?: CliUsage;
  is_error?: boolean;
  /** What the CLI said went wrong (a failed turn, an API error), for the record's warnings. */
  errors?: string[];
  /**
   * The CLI's own session id, which resumes its conversation on the next turn: set (to a
   * validated id, or null) by the normalisers of CLIs that announce one; see sessionIdOrNull.
   */
  session_id?: string | null;
}

/**
 * Session ids come from what the agent's process printed, which is hostile: the engine puts
 * them in a shell command. Claude Code, Codex and Gemini CLI all mint UUIDs, so only a UUID
 * (hex and dashes, 36 characters) is accepted; anything else is no id at all.
 */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value);
}

/** The value when it is a valid session id, else null. */
export function sessionIdOrNull(value: unknown): string | null {
  return isSessionId(value) ? value : null;
}

const OUTPUT_TAIL = 4000;

export function tail(output: string): string {
  return output.length > OUTPUT_TAIL ? `…${output.slice(-OUTPUT_TAIL)}` : output;
}

/** A shell step; `output` undefined means the CLI never reported it (killed, timed out). */
export function shellStep(
  at: string,
  command: string,
  output: string | undefined,
  exit: number | null,
): TrajectoryStep {
  return {
    at,
    type: 'shell',
    summary: `$ ${command.slice(0, 200)}${exit !== null ? ` → exit ${exit}` : ''}`,
    detail: {
      command,
      output: output === undefined ? 'output not captured' : tail(output),
      exit_code: exit,
    },
  };
}

/** Where the sandbox seeds the workspace; CLIs report edits by absolute path inside it. */
const WORKSPACE = '/home/user/workspace';

/**
 * The two header names of a diff, as git writes them: `a/<path>` and `b/<path>` from the
 * workspace root. A path outside the workspace has no a/ b/ side; it is shown as it is.
 */
function diffNames(path: string): [string, string] {
  const inside = path.startsWith(`${WORKSPACE}/`) ? path.slice(WORKSPACE.length + 1) : path;
  if (inside.startsWith('/')) return [inside, inside];
  const rel = inside.replace(/^\.\//, '');
  return [`a/${rel}`, `b/${rel}`];
}

/** A small unified diff of one replacement: enough for the red/green view. */
export function editDiff(path: string, before: string, after: string): string {
  const minus = before ? before.split('\n').map((l) => `-${l}`) : [];
  const plus = after ? after.split('\n').map((l) => `+${l}`) : [];
  const [from, to] = diffNames(path);
  const hunk = `@@ -1,${minus.length} +1,${plus.length} @@`;
  return [`--- ${from}`, `+++ ${to}`, hunk, ...minus, ...plus].join('\n');
}

export function editStep(
  at: string,
  verb: string,
  path: string,
  diff: string | null,
  error?: string,
): TrajectoryStep {
  return {
    at,
    type: 'edit',
    summary: `${verb} ${path}${error !== undefined ? ' (failed)' : ''}`,
    detail: {
      path,
      diff: diff ?? "diff not in the transcript: see the run's final diff",
      ...(error !== undefined ? { error: tail(error) } : {}),
    },
  };
}

export function textStep(
  at: string,
  type: 'assistant' | 'thinking',
  text: string,
): TrajectoryStep | undefined {
  return text.trim()
    ? { at, type, summary: text.trim().slice(0, 300), detail: { text } }
    : undefined;
}

/** Parses JSON Lines, skipping anything that is not a JSON object (banners, warnings). */
export function* jsonLines(stdout: string): Generator<any> {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      yield JSON.parse(line);
    } catch {
      /* a partial line from a killed process */
    }
  }
}
