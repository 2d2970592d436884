import type { TrajectoryStep } from '../results/record.js';
import {
  editDiff,
  editStep,
  jsonLines,
  sessionIdOrNull,
  shellStep,
  tail as tailOf,
  textStep,
  type NormalisedTranscript,
} from './steps.js';

/**
 * Claude Code's `--output-format stream-json --verbose` transcript as trajectory steps: shell
 * steps with output and exit code, edits as diffs, reads and searches, assistant text and
 * thinking. Tokens and cost come from the final `result` line, which totals the session.
 */

interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
  at: string;
}

const READS = new Set(['Read', 'NotebookRead']);
const SEARCHES = new Set(['Grep', 'Glob', 'LS', 'WebSearch']);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((c) =>
        typeof c === 'object' && c && 'text' in c ? String((c as { text: unknown }).text) : '',
      )
      .join('\n');
  return '';
}

function toolStep(
  u: ToolUse,
  result: { output: string; is_error: boolean } | undefined,
): TrajectoryStep {
  const i = u.input;
  const out = result?.output ?? '';
  const tail = tailOf(out);
  if (u.name === 'Bash') {
    const exit = result
      ? result.is_error
        ? Number(/exit code (\d+)/i.exec(out)?.[1] ?? 1)
        : 0
      : null;
    return shellStep(u.at, String(i.command ?? ''), result ? out : undefined, exit);
  }
  if (u.name === 'Edit' || u.name === 'MultiEdit' || u.name === 'Write') {
    const path = String(i.file_path ?? '');
    const edits =
      u.name === 'MultiEdit'
        ? ((i.edits as { old_string: string; new_string: string }[]) ?? [])
        : u.name === 'Write'
          ? [{ old_string: '', new_string: String(i.content ?? '') }]
          : [{ old_string: String(i.old_string ?? ''), new_string: String(i.new_string ?? '') }];
    return editStep(
      u.at,
      u.name === 'Write' ? 'write' : 'edit',
      path,
      edits.map((e) => editDiff(path, e.old_string, e.new_string)).join('\n'),
      result?.is_error ? out : undefined,
    );
  }
  if (READS.has(u.name))
    return {
      at: u.at,
      type: 'read',
      summary: `read ${String(i.file_path ?? i.notebook_path ?? '')}`,
      detail: { input: i },
    };
  if (SEARCHES.has(u.name))
    return {
      at: u.at,
      type: 'search',
      summary: `${u.name.toLowerCase()} ${String(i.pattern ?? i.path ?? i.query ?? '')}`.trim(),
      detail: { input: i, output: tail },
    };
  return {
    at: u.at,
    type: 'tool_call',
    summary: `${u.name}${result?.is_error ? ' (error)' : ''}`,
    detail: { input: i, output: tail },
  };
}

/**
 * Claude Code's session id (what `--resume` takes): the one on its first system/init line,
 * which it prints before the model or any tool has run; without an init line, the result
 * line's. Null when absent or not a valid id (see sessionIdOrNull).
 */
export function claudeSessionId(stdout: string): string | null {
  let fromResult: string | null = null;
  for (const ev of jsonLines(stdout)) {
    if (ev.type === 'system' && ev.subtype === 'init') return sessionIdOrNull(ev.session_id);
    if (ev.type === 'result' && fromResult === null) fromResult = sessionIdOrNull(ev.session_id);
  }
  return fromResult;
}

export function normaliseClaudeStream(
  stdout: string,
  now = () => new Date().toISOString(),
): NormalisedTranscript {
  const steps: TrajectoryStep[] = [];
  const pending = new Map<string, { use: ToolUse; index: number }>();
  let final: string | null = null;
  let usage: NormalisedTranscript['usage'];
  let isError: boolean | undefined;
  for (const ev of jsonLines(stdout)) {
    const at = typeof ev.timestamp === 'string' ? ev.timestamp : now();
    if (ev.type === 'assistant') {
      for (const c of ev.message?.content ?? []) {
        const said =
          c.type === 'text'
            ? textStep(at, 'assistant', c.text ?? '')
            : c.type === 'thinking'
              ? textStep(at, 'thinking', c.thinking ?? '')
              : undefined;
        if (said) steps.push(said);
        else if (c.type === 'tool_use') {
          const use: ToolUse = { id: c.id, name: c.name, input: c.input ?? {}, at };
          pending.set(c.id, { use, index: steps.length });
          steps.push(toolStep(use, undefined));
        }
      }
    } else if (ev.type === 'user') {
      for (const c of ev.message?.content ?? []) {
        if (c.type !== 'tool_result') continue;
        const p = pending.get(c.tool_use_id);
        if (p)
          steps[p.index] = toolStep(p.use, {
            output: text(c.content),
            is_error: c.is_error === true,
          });
      }
    } else if (ev.type === 'result') {
      final = typeof ev.result === 'string' ? ev.result : null;
      isError = ev.is_error === true;
      const u = ev.usage ?? {};
      usage = {
        input_tokens:
          (u.input_tokens ?? 0) +
          (u.cache_read_input_tokens ?? 0) +
          (u.cache_creation_input_tokens ?? 0),
        output_tokens: u.output_tokens ?? 0,
        cost_usd: typeof ev.total_cost_usd === 'number' ? ev.total_cost_usd : null,
        turns: ev.num_turns,
      };
    }
  }
  return {
    steps,
    final_response: final,
    usage,
    is_error: isError,
    session_id: claudeSessionId(stdout),
  };
}
