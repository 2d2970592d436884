import type { ToolResult } from '../models/wire.js';
import type { TrajectoryStep } from '../results/record.js';
import {
  editDiff,
  editStep,
  jsonLines,
  sessionIdOrNull,
  shellStep,
  tail,
  textStep,
  type NormalisedTranscript,
} from './steps.js';

/**
 * Gemini CLI's `--output-format stream-json` events (init, message, tool_use, tool_result,
 * error, result) as trajectory steps. Assistant text streams as deltas and is joined into one
 * step per run of deltas; tokens come from the final `result` line's stats.
 *
 * The shell tool's exit code reaches only the model ("Exit Code: N" in the function
 * response), not the stream; given the tool results the gateway saw, shell steps get it.
 */

const READS = new Set(['read_file', 'read_many_files']);
const SEARCHES = new Set([
  'glob',
  'grep_search',
  'search_file_content',
  'list_directory',
  'google_web_search',
  'web_fetch',
]);

interface Use {
  name: string;
  input: Record<string, any>;
  at: string;
}

function toolStep(
  u: Use,
  result: { status: string; output: string } | undefined,
  seen?: string,
): TrajectoryStep {
  const i = u.input;
  const out = result?.output ?? '';
  const failed = result ? result.status !== 'success' : false;
  if (u.name === 'run_shell_command') {
    // The model is told "Exit Code: N" only when N is not 0.
    const code =
      /Exit Code: (-?\d+)/.exec(seen ?? out)?.[1] ?? (seen !== undefined ? '0' : undefined);
    const step = shellStep(
      u.at,
      String(i.command ?? ''),
      result ? out : undefined,
      code !== undefined ? Number(code) : null,
    );
    if (result && code === undefined)
      (step.detail as Record<string, unknown>).note =
        'exit code not reported (gemini prints it only to the model; no gateway record of this call)';
    return step;
  }
  if (u.name === 'replace' || u.name === 'edit') {
    const path = String(i.file_path ?? '');
    return editStep(
      u.at,
      'edit',
      path,
      editDiff(path, String(i.old_string ?? ''), String(i.new_string ?? '')),
      failed ? out : undefined,
    );
  }
  if (u.name === 'write_file') {
    const path = String(i.file_path ?? '');
    return editStep(
      u.at,
      'write',
      path,
      editDiff(path, '', String(i.content ?? '')),
      failed ? out : undefined,
    );
  }
  if (READS.has(u.name))
    return {
      at: u.at,
      type: 'read',
      summary: `read ${String(i.file_path ?? i.paths ?? '')}${failed ? ' (failed)' : ''}`,
      detail: { input: i, ...(failed ? { error: tail(out) } : {}) },
    };
  if (SEARCHES.has(u.name))
    return {
      at: u.at,
      type: 'search',
      summary: `${u.name} ${String(i.pattern ?? i.dir_path ?? i.query ?? i.prompt ?? '')}`
        .trim()
        .slice(0, 300),
      detail: { input: i, output: tail(out) },
    };
  return {
    at: u.at,
    type: 'tool_call',
    summary: `${u.name}${failed ? ' (error)' : ''}`,
    detail: { input: i, output: tail(out) },
  };
}

/**
 * Gemini CLI's session id (what `--resume` takes): the one on its first init event, which it
 * prints before the model or any tool has run. Null when absent or not a valid id (see
 * sessionIdOrNull).
 */
export function geminiSessionId(stdout: string): string | null {
  for (const ev of jsonLines(stdout)) if (ev.type === 'init') return sessionIdOrNull(ev.session_id);
  return null;
}

export function normaliseGeminiStream(
  stdout: string,
  opts: { toolResults?: ToolResult[]; now?: () => string } = {},
): NormalisedTranscript {
  const now = opts.now ?? (() => new Date().toISOString());
  // The stream's tool_id is `<name>__<id>`, the id the model saw.
  const seen = (toolId: string) =>
    opts.toolResults?.find((r) => r.id && (toolId === r.id || toolId.endsWith(`__${r.id}`)))
      ?.output;
  const steps: TrajectoryStep[] = [];
  const pending = new Map<string, { use: Use; index: number }>();
  const errors: string[] = [];
  let said: { index: number; text: string } | undefined;
  let lastText: string | null = null;
  let usage: NormalisedTranscript['usage'];
  let isError: boolean | undefined;
  for (const ev of jsonLines(stdout)) {
    const at = typeof ev.timestamp === 'string' ? ev.timestamp : now();
    if (ev.type === 'message' && ev.role === 'assistant') {
      const text = String(ev.content ?? '');
      if (said && ev.delta) said.text += text;
      else said = { index: steps.length, text };
      const step = textStep(at, 'assistant', said.text);
      if (step) steps[said.index] = { ...step, at: steps[said.index]?.at ?? at };
      lastText = said.text;
      continue;
    }
    said = undefined;
    if (ev.type === 'tool_use') {
      const use: Use = { name: String(ev.tool_name ?? ''), input: ev.parameters ?? {}, at };
      pending.set(String(ev.tool_id), { use, index: steps.length });
      steps.push(toolStep(use, undefined));
      lastText = null;
    } else if (ev.type === 'tool_result') {
      const p = pending.get(String(ev.tool_id));
      if (p)
        steps[p.index] = toolStep(
          p.use,
          { status: String(ev.status ?? ''), output: String(ev.output ?? ev.error?.message ?? '') },
          seen(String(ev.tool_id)),
        );
    } else if (ev.type === 'error') {
      errors.push(String(ev.message ?? 'error'));
      steps.push({
        at,
        type: 'exception',
        summary: String(ev.message ?? 'error').slice(0, 300),
        detail: { severity: ev.severity, message: ev.message },
      });
    } else if (ev.type === 'result') {
      isError = ev.status !== 'success';
      if (ev.error?.message) errors.push(String(ev.error.message));
      const st = ev.stats ?? {};
      usage = {
        input_tokens: st.input_tokens ?? st.input ?? 0,
        output_tokens: st.output_tokens ?? 0,
        cost_usd: null,
      };
    }
  }
  // The final response is the text after the last tool call.
  return {
    steps,
    final_response: lastText,
    usage,
    is_error: isError,
    errors,
    session_id: geminiSessionId(stdout),
  };
}
