import type { TrajectoryStep } from '../results/record.js';
import {
  editStep,
  jsonLines,
  sessionIdOrNull,
  shellStep,
  tail,
  textStep,
  type NormalisedTranscript,
} from './steps.js';

/**
 * Codex's `codex exec --json` events as trajectory steps. Items arrive as item.started /
 * item.completed; an item that never completes keeps "output not captured". Codex reports
 * tokens per turn (turn.completed) and no cost: the gateway prices its model calls.
 *
 * file_change items name the paths but not the change; when the patches Codex sent through
 * the gateway are given (apply_patch calls, in order), each edit step shows its patch.
 */

const READ = /^(cat|head|tail|nl|less|sed -n)\b/;
const SEARCH = /^(rg|grep|find|ls|fd|tree|git (grep|ls-files))\b/;

/** `/bin/bash -lc 'cmd'` (how Codex reports commands) back to `cmd`. */
export function unwrapShell(command: string): string {
  const m =
    /^(?:\/\S+\/)?(?:ba|z)?sh -l?c '([\s\S]*)'$/.exec(command) ??
    /^(?:\/\S+\/)?(?:ba|z)?sh -l?c "([\s\S]*)"$/.exec(command);
  return m ? m[1].replace(/'\\''/g, "'") : command;
}

function commandStep(at: string, item: any, done: boolean): TrajectoryStep {
  const command = unwrapShell(String(item.command ?? ''));
  const exit = done && typeof item.exit_code === 'number' ? item.exit_code : null;
  const step = shellStep(
    at,
    command,
    done ? String(item.aggregated_output ?? '') : undefined,
    exit,
  );
  // Plain reads and searches are shown as such, keeping the shell detail.
  if (!/[|;&><]/.test(command) && READ.test(command))
    return {
      ...step,
      type: 'read',
      summary: `read ${command.replace(READ, '').trim().slice(0, 200)}`,
    };
  if (!/[;&><]/.test(command) && SEARCH.test(command))
    return { ...step, type: 'search', summary: command.slice(0, 200) };
  return step;
}

/** Patch text per file, from one apply_patch input (`*** Update File: path` sections). */
function patchSections(patch: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = patch.split(/^(?=\*\*\* (?:Update|Add|Delete) File: )/m);
  for (const p of parts) {
    const m = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/m.exec(p);
    if (m) out.set(m[1].trim(), p.replace(/\n?\*\*\* End Patch[\s\S]*$/, '').trimEnd());
  }
  return out;
}

function itemSteps(at: string, item: any, done: boolean, patches: string[]): TrajectoryStep[] {
  switch (item.type) {
    case 'agent_message':
      return [textStep(at, 'assistant', String(item.text ?? ''))].filter(
        (s): s is TrajectoryStep => !!s,
      );
    case 'reasoning':
      return [textStep(at, 'thinking', String(item.text ?? ''))].filter(
        (s): s is TrajectoryStep => !!s,
      );
    case 'command_execution':
      return [commandStep(at, item, done)];
    case 'file_change': {
      const sections =
        done && patches.length ? patchSections(patches.shift()!) : new Map<string, string>();
      const failed = done && item.status === 'failed' ? 'the patch did not apply' : undefined;
      return (item.changes ?? []).map((c: { path: string; kind: string }) => {
        const diff =
          [...sections].find(([p]) => c.path === p || c.path.endsWith(`/${p}`))?.[1] ?? null;
        return editStep(
          at,
          c.kind === 'add' ? 'write' : c.kind === 'delete' ? 'delete' : 'edit',
          c.path,
          diff,
          failed,
        );
      });
    }
    case 'mcp_tool_call':
      return [
        {
          at,
          type: 'tool_call',
          summary: `${item.server}.${item.tool}${item.status === 'failed' ? ' (error)' : ''}`,
          detail: {
            input: item.arguments ?? {},
            output: tail(JSON.stringify(item.result ?? item.error ?? null)),
          },
        },
      ];
    case 'web_search':
      return [
        {
          at,
          type: 'search',
          summary: `web search ${String(item.query ?? '')}`.trim(),
          detail: { input: { query: item.query } },
        },
      ];
    case 'todo_list':
      return [
        {
          at,
          type: 'tool_call',
          summary: `plan: ${(item.items ?? []).filter((t: { completed: boolean }) => t.completed).length}/${(item.items ?? []).length} done`,
          detail: { input: { items: item.items } },
        },
      ];
    case 'error':
      return [
        {
          at,
          type: 'exception',
          summary: String(item.message ?? 'error').slice(0, 300),
          detail: { message: item.message },
        },
      ];
    default:
      return [
        { at, type: 'tool_call', summary: String(item.type ?? 'item'), detail: { input: item } },
      ];
  }
}

/**
 * Codex's thread id (what `codex exec resume` takes): the one on its first thread.started
 * event, which it prints before the model or any command has run. Null when absent or not a
 * valid id (see sessionIdOrNull).
 */
export function codexThreadId(stdout: string): string | null {
  for (const ev of jsonLines(stdout))
    if (ev.type === 'thread.started') return sessionIdOrNull(ev.thread_id);
  return null;
}

export function normaliseCodexJson(
  stdout: string,
  opts: { patches?: string[]; now?: () => string } = {},
): NormalisedTranscript {
  const now = opts.now ?? (() => new Date().toISOString());
  const patches = [...(opts.patches ?? [])];
  const steps: TrajectoryStep[] = [];
  const open = new Map<string, { index: number; count: number }>();
  const errors: string[] = [];
  let final: string | null = null;
  let turns = 0;
  let usage: NormalisedTranscript['usage'];
  let isError = false;
  let retries = 0;
  for (const ev of jsonLines(stdout)) {
    const at = now();
    if (
      (ev.type === 'item.started' || ev.type === 'item.updated' || ev.type === 'item.completed') &&
      ev.item
    ) {
      const done = ev.type === 'item.completed';
      const made = itemSteps(at, ev.item, done, done ? patches : []);
      const prev = open.get(ev.item.id);
      if (prev) steps.splice(prev.index, prev.count, ...made);
      else steps.push(...made);
      if (done) open.delete(ev.item.id);
      else if (!prev)
        open.set(ev.item.id, { index: steps.length - made.length, count: made.length });
      if (done && ev.item.type === 'agent_message') final = String(ev.item.text ?? '');
    } else if (ev.type === 'turn.completed') {
      turns++;
      const u = ev.usage ?? {};
      usage = {
        input_tokens: (usage?.input_tokens ?? 0) + (u.input_tokens ?? 0),
        output_tokens: (usage?.output_tokens ?? 0) + (u.output_tokens ?? 0),
        cost_usd: null,
        turns,
      };
    } else if (ev.type === 'turn.failed' || ev.type === 'error') {
      // A bare `error` event can be a retried stream; only a failed turn fails the transcript.
      if (ev.type === 'turn.failed') isError = true;
      const message = String(ev.error?.message ?? ev.message ?? 'turn failed');
      if (/^Reconnecting\.\.\. \d+\/\d+/.test(message)) retries++;
      else if (!errors.includes(message)) errors.push(message);
    }
  }
  if (retries) errors.unshift(`the model stream was retried ${retries} time(s)`);
  return {
    steps,
    final_response: final,
    usage,
    is_error: isError,
    errors,
    session_id: codexThreadId(stdout),
  };
}

/** The apply_patch inputs a run sent through the gateway, in order (custom tool or shell heredoc). */
export function patchesFromCalls(
  calls: { tool_uses?: { name: string; input: unknown }[] }[],
): string[] {
  const out: string[] = [];
  for (const c of calls) {
    for (const t of c.tool_uses ?? []) {
      const text =
        typeof t.input === 'string'
          ? t.input
          : typeof (t.input as { cmd?: unknown })?.cmd === 'string'
            ? (t.input as { cmd: string }).cmd
            : typeof (t.input as { input?: unknown })?.input === 'string'
              ? (t.input as { input: string }).input
              : '';
      if (
        /\*\*\* Begin Patch/.test(text) &&
        (t.name === 'apply_patch' || /^\s*apply_patch\b/.test(text))
      )
        out.push(text);
    }
  }
  return out;
}
