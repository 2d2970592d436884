import type { TrajectoryStep } from '../results/record.js';
import {
  editDiff,
  editStep,
  jsonLines,
  shellStep,
  tail,
  textStep,
  type NormalisedTranscript,
} from './steps.js';

/**
 * Cursor CLI's `--output-format stream-json` events as trajectory steps. Cursor cannot be
 * installed here, so this follows its documented format (cursor.com/docs/cli/reference/
 * output-format, and community captures for the tool shapes): system/init, user, assistant,
 * thinking deltas, tool_call started|completed with the tool nested under `<name>ToolCall`
 * ({args, result: {success|error|rejected}}), and a final result line.
 */

interface Call {
  name: string;
  args: Record<string, any>;
  at: string;
}

function nested(toolCall: Record<string, any>): { name: string; body: Record<string, any> } {
  for (const [key, body] of Object.entries(toolCall ?? {})) {
    if (key.endsWith('ToolCall') && body && typeof body === 'object')
      return { name: key.slice(0, -'ToolCall'.length), body };
    if (key === 'function' && body && typeof body === 'object') {
      let args: unknown = body.arguments;
      try {
        args = typeof args === 'string' ? JSON.parse(args) : args;
      } catch {
        /* kept as text */
      }
      return {
        name: String(body.name ?? 'function'),
        body: { args: typeof args === 'object' && args ? args : { arguments: args } },
      };
    }
  }
  return { name: 'unknown', body: {} };
}

function step(c: Call, result: Record<string, any> | undefined): TrajectoryStep {
  const ok = result?.success;
  const problem =
    result && !ok
      ? String(
          result.error?.message ??
            result.error?.error ??
            result.rejected?.reason ??
            JSON.stringify(result),
        )
      : undefined;
  const a = c.args;
  if (c.name === 'shell') {
    const out = ok ? [ok.stdout, ok.stderr].filter(Boolean).join('\n') : problem;
    return shellStep(
      c.at,
      String(a.command ?? ''),
      result ? (out ?? '') : undefined,
      result ? (typeof ok?.exitCode === 'number' ? ok.exitCode : ok ? 0 : null) : null,
    );
  }
  if (c.name === 'write')
    return editStep(
      c.at,
      'write',
      String(a.path ?? ''),
      editDiff(String(a.path ?? ''), '', String(a.fileText ?? '')),
      problem,
    );
  if (c.name === 'edit' || c.name === 'applyPatch' || c.name === 'delete')
    return editStep(
      c.at,
      c.name === 'delete' ? 'delete' : 'edit',
      String(a.path ?? ''),
      typeof ok?.diffString === 'string'
        ? ok.diffString
        : typeof a.patch === 'string'
          ? a.patch
          : null,
      problem,
    );
  if (c.name === 'read')
    return {
      at: c.at,
      type: 'read',
      summary: `read ${String(a.path ?? '')}${problem ? ' (failed)' : ''}`,
      detail: { input: a, ...(problem ? { error: tail(problem) } : {}) },
    };
  if (['ls', 'glob', 'grep', 'semanticSearch', 'webFetch'].includes(c.name))
    return {
      at: c.at,
      type: 'search',
      summary: `${c.name} ${String(a.pattern ?? a.globPattern ?? a.query ?? a.path ?? '')}`
        .trim()
        .slice(0, 300),
      detail: { input: a, output: tail(JSON.stringify(ok ?? problem ?? null)) },
    };
  return {
    at: c.at,
    type: 'tool_call',
    summary: `${c.name}${problem ? ' (error)' : ''}`,
    detail: { input: a, output: tail(JSON.stringify(ok ?? problem ?? null)) },
  };
}

export function normaliseCursorStream(
  stdout: string,
  now = () => new Date().toISOString(),
): NormalisedTranscript {
  const steps: TrajectoryStep[] = [];
  const pending = new Map<string, { call: Call; index: number }>();
  let thinking: { index: number; text: string } | undefined;
  let final: string | null = null;
  let isError: boolean | undefined;
  const errors: string[] = [];
  for (const ev of jsonLines(stdout)) {
    const at =
      typeof ev.timestamp_ms === 'number' ? new Date(ev.timestamp_ms).toISOString() : now();
    if (ev.type === 'thinking') {
      if (ev.subtype === 'delta') {
        thinking ??= { index: steps.length, text: '' };
        thinking.text += String(ev.text ?? '');
        const s = textStep(steps[thinking.index]?.at ?? at, 'thinking', thinking.text);
        if (s) steps[thinking.index] = s;
      } else thinking = undefined;
      continue;
    }
    thinking = undefined;
    if (ev.type === 'assistant') {
      const text = (ev.message?.content ?? [])
        .filter((c: any) => c?.type === 'text')
        .map((c: any) => String(c.text ?? ''))
        .join('');
      const s = textStep(at, 'assistant', text);
      if (s) steps.push(s);
    } else if (ev.type === 'tool_call') {
      const { name, body } = nested(ev.tool_call);
      const id = String(ev.call_id ?? '');
      if (ev.subtype === 'started') {
        const call: Call = { name, args: body.args ?? {}, at };
        pending.set(id, { call, index: steps.length });
        steps.push(step(call, undefined));
      } else if (ev.subtype === 'completed') {
        const p = pending.get(id);
        const call = p?.call ?? { name, args: body.args ?? {}, at };
        const s = step(call, body.result ?? {});
        if (p) steps[p.index] = s;
        else steps.push(s);
      }
    } else if (ev.type === 'result') {
      final = typeof ev.result === 'string' ? ev.result : null;
      isError = ev.is_error === true || ev.subtype === 'error';
      if (isError && final) errors.push(final);
    }
  }
  return { steps, final_response: final, is_error: isError, errors };
}
