import type { CodingOutcome } from '../agents/types.js';
import type { TrajectoryStep } from '../results/record.js';

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

export interface NormalisedTranscript {
  steps: TrajectoryStep[];
  final_response: string | null;
  usage?: CodingOutcome['cli_usage'];
  is_error?: boolean;
}

const READS = new Set(['Read', 'NotebookRead']);
const SEARCHES = new Set(['Grep', 'Glob', 'LS', 'WebSearch']);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === 'object' && c && 'text' in c ? String((c as { text: unknown }).text) : '')).join('\n');
  return '';
}

/** A small unified diff of one Edit: enough for the red/green view. */
export function editDiff(path: string, before: string, after: string): string {
  const minus = before ? before.split('\n').map((l) => `-${l}`) : [];
  const plus = after ? after.split('\n').map((l) => `+${l}`) : [];
  return [`--- a/${path}`, `+++ b/${path}`, `@@ -1,${minus.length} +1,${plus.length} @@`, ...minus, ...plus].join('\n');
}

function toolStep(u: ToolUse, result: { output: string; is_error: boolean } | undefined): TrajectoryStep {
  const i = u.input;
  const out = result?.output ?? '';
  const tail = out.length > 4000 ? `…${out.slice(-4000)}` : out;
  if (u.name === 'Bash') {
    const exit = result ? (result.is_error ? Number(/exit code (\d+)/i.exec(out)?.[1] ?? 1) : 0) : null;
    return { at: u.at, type: 'shell', summary: `$ ${String(i.command ?? '').slice(0, 200)}${exit !== null ? ` → exit ${exit}` : ''}`, detail: { command: i.command, output: result ? tail : 'output not captured', exit_code: exit } };
  }
  if (u.name === 'Edit' || u.name === 'MultiEdit' || u.name === 'Write') {
    const path = String(i.file_path ?? '');
    const edits = u.name === 'MultiEdit' ? ((i.edits as { old_string: string; new_string: string }[]) ?? []) : u.name === 'Write' ? [{ old_string: '', new_string: String(i.content ?? '') }] : [{ old_string: String(i.old_string ?? ''), new_string: String(i.new_string ?? '') }];
    return { at: u.at, type: 'edit', summary: `${u.name === 'Write' ? 'write' : 'edit'} ${path}${result?.is_error ? ' (failed)' : ''}`, detail: { path, diff: edits.map((e) => editDiff(path, e.old_string, e.new_string)).join('\n'), error: result?.is_error ? tail : undefined } };
  }
  if (READS.has(u.name)) return { at: u.at, type: 'read', summary: `read ${String(i.file_path ?? i.notebook_path ?? '')}`, detail: { input: i } };
  if (SEARCHES.has(u.name)) return { at: u.at, type: 'search', summary: `${u.name.toLowerCase()} ${String(i.pattern ?? i.path ?? i.query ?? '')}`.trim(), detail: { input: i, output: tail } };
  return { at: u.at, type: 'tool_call', summary: `${u.name}${result?.is_error ? ' (error)' : ''}`, detail: { input: i, output: tail } };
}

export function normaliseClaudeStream(stdout: string, now = () => new Date().toISOString()): NormalisedTranscript {
  const steps: TrajectoryStep[] = [];
  const pending = new Map<string, { use: ToolUse; index: number }>();
  let final: string | null = null;
  let usage: NormalisedTranscript['usage'];
  let isError: boolean | undefined;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let ev: any;
    try {
      ev = JSON.parse(line);
    } catch {
      continue;
    }
    const at = typeof ev.timestamp === 'string' ? ev.timestamp : now();
    if (ev.type === 'assistant') {
      for (const c of ev.message?.content ?? []) {
        if (c.type === 'text' && c.text?.trim()) steps.push({ at, type: 'assistant', summary: c.text.trim().slice(0, 300), detail: { text: c.text } });
        else if (c.type === 'thinking' && c.thinking?.trim()) steps.push({ at, type: 'thinking', summary: c.thinking.trim().slice(0, 300), detail: { text: c.thinking } });
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
        if (p) steps[p.index] = toolStep(p.use, { output: text(c.content), is_error: c.is_error === true });
      }
    } else if (ev.type === 'result') {
      final = typeof ev.result === 'string' ? ev.result : null;
      isError = ev.is_error === true;
      const u = ev.usage ?? {};
      usage = {
        input_tokens: (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
        output_tokens: u.output_tokens ?? 0,
        cost_usd: typeof ev.total_cost_usd === 'number' ? ev.total_cost_usd : null,
        turns: ev.num_turns,
      };
    }
  }
  return { steps, final_response: final, usage, is_error: isError };
}
