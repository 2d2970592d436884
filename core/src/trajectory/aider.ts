import type { TrajectoryStep } from '../results/record.js';
import { editDiff, editStep, shellStep, textStep, type NormalisedTranscript } from './steps.js';

/**
 * Aider's chat history (the markdown it appends to --chat-history-file) as trajectory steps.
 * Aider cannot be installed here, so this follows its documented format: `# aider chat
 * started at …`, user input as `#### ` lines, aider's own output as `> ` lines (Running …,
 * Applied edit to …, Tokens: … Cost: …), and the model's replies as plain markdown with
 * SEARCH/REPLACE edit blocks. Exit codes are not in the history; shell steps say so.
 */

const EDIT_BLOCK =
  /(?:^|\n)([^\n`<>=]+?)\n(?:```[^\n]*\n)?<<<<<<< SEARCH\n([\s\S]*?)\n?=======\n([\s\S]*?)\n?>>>>>>> REPLACE(?:\n```)?/g;

function tokens(s: string): number {
  const m = /^([\d.]+)([km]?)$/i.exec(s.replace(/,/g, ''));
  if (!m) return 0;
  return Math.round(
    Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1),
  );
}

export function normaliseAiderHistory(
  history: string,
  now = () => new Date().toISOString(),
): NormalisedTranscript {
  const steps: TrajectoryStep[] = [];
  const usage = { input_tokens: 0, output_tokens: 0, cost_usd: null as number | null, turns: 0 };
  let final: string | null = null;
  let at = now();
  let reply: string[] = [];
  let shell: { command: string; output: string[]; index: number } | undefined;

  const flushReply = () => {
    const text = reply.join('\n').trim();
    reply = [];
    if (!text) return;
    const prose = text.replace(EDIT_BLOCK, '\n').trim();
    const said = textStep(at, 'assistant', prose);
    if (said) steps.push(said);
    for (const m of text.matchAll(EDIT_BLOCK)) {
      const path = m[1].trim();
      steps.push(editStep(at, m[2] ? 'edit' : 'write', path, editDiff(path, m[2], m[3])));
    }
    final = text;
  };
  const flushShell = () => {
    if (!shell) return;
    steps[shell.index] = {
      ...shellStep(at, shell.command, shell.output.join('\n'), null),
      detail: {
        command: shell.command,
        output: shell.output.join('\n'),
        exit_code: null,
        note: 'aider does not record exit codes in its history',
      },
    };
    shell = undefined;
  };

  for (const line of history.split('\n')) {
    const started = /^# aider chat started at (.+)$/.exec(line);
    if (started) {
      flushReply();
      flushShell();
      const t = Date.parse(started[1].replace(' ', 'T') + 'Z');
      if (!Number.isNaN(t)) at = new Date(t).toISOString();
      continue;
    }
    if (line.startsWith('#### ')) {
      flushReply();
      flushShell();
      continue;
    }
    if (line === '>' || line.startsWith('> ')) {
      flushReply();
      const info = line.replace(/^> ?/, '').trimEnd();
      const run = /^Running (.+)$/.exec(info);
      const tok =
        /^Tokens: ([\d.,]+[km]?) sent(?:, [\d.,]+[km]? cache \w+)*, ([\d.,]+[km]?) received\.(?: Cost: \$([\d.]+) message, \$([\d.]+) session\.)?/i.exec(
          info,
        );
      const applied = /^Applied edit to (.+)$/.exec(info);
      const added = /^Added (.+) to the chat\.?$/.exec(info);
      if (run) {
        flushShell();
        shell = { command: run[1], output: [], index: steps.length };
        steps.push(shellStep(at, run[1], undefined, null));
      } else if (tok) {
        flushShell();
        usage.input_tokens += tokens(tok[1]);
        usage.output_tokens += tokens(tok[2]);
        usage.turns += 1;
        if (tok[4]) usage.cost_usd = Number(tok[4]);
      } else if (applied) {
        flushShell();
        const last = [...steps]
          .reverse()
          .find(
            (s) => s.type === 'edit' && (s.detail as { path: string }).path === applied[1].trim(),
          );
        if (last) (last.detail as Record<string, unknown>).applied = true;
      } else if (added) {
        flushShell();
        steps.push({
          at,
          type: 'read',
          summary: `read ${added[1]}`,
          detail: { input: { path: added[1] }, note: 'added to the chat' },
        });
      } else if (shell && !/\(Y\)es\/\(N\)o/.test(info)) shell.output.push(info);
      continue;
    }
    flushShell();
    reply.push(line);
  }
  flushReply();
  flushShell();
  return { steps, final_response: final, usage: usage.turns ? usage : undefined };
}
