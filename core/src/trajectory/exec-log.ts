import type { TrajectoryStep } from '../results/record.js';

/**
 * strace's execve log (`strace -f -e trace=execve`) as process steps: what an unrecognised CLI
 * ran and how each program exited. Output is not captured, and the steps say so.
 */

const EXECVE = /^(\d+)\s+execve\("((?:\\.|[^"\\])*)",\s*\[(.*?)\](\.\.\.)?,.*\)\s*=\s*(-?\d+)/;
const EXITED = /^(\d+)\s+\+\+\+ exited with (\d+) \+\+\+/;
const KILLED = /^(\d+)\s+\+\+\+ killed by (\w+)/;
const STR = /"((?:\\.|[^"\\])*)"(\.\.\.)?/g;

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', v: '\v', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

export function parseExecLog(
  log: string,
  at: string,
  max = 300,
): { steps: TrajectoryStep[]; dropped: number } {
  const byPid = new Map<string, TrajectoryStep>();
  const steps: TrajectoryStep[] = [];
  let dropped = 0;
  for (const line of log.split('\n')) {
    const e = EXECVE.exec(line);
    if (e) {
      if (e[5] !== '0') continue; // a PATH lookup that missed
      const argv = [...e[3].matchAll(STR)].map((m) => unescape(m[1]) + (m[2] ? '…' : ''));
      if (steps.length >= max) {
        dropped++;
        continue;
      }
      const step: TrajectoryStep = {
        at,
        type: 'process',
        summary: `$ ${argv.join(' ').slice(0, 200)}`,
        detail: {
          argv,
          path: unescape(e[2]),
          output: 'output not captured',
          exit_code: null as number | null,
        },
      };
      byPid.set(e[1], step);
      steps.push(step);
      continue;
    }
    const x = EXITED.exec(line) ?? KILLED.exec(line);
    const s = x && byPid.get(x[1]);
    if (s && x) {
      const d = s.detail as { exit_code: number | null; signal?: string };
      if (/^\d+$/.test(x[2])) d.exit_code = Number(x[2]);
      else d.signal = x[2];
      s.summary += /^\d+$/.test(x[2]) ? ` → exit ${x[2]}` : ` → killed by ${x[2]}`;
    }
  }
  return { steps, dropped };
}
