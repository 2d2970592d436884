import { globToRegExp } from '../util/glob.js';

/** Which runs of a suite this process executes: a task filter, then one shard of a job matrix. */

export interface Shard {
  /** 1-based, as in `shard: 2/4`. */
  index: number;
  total: number;
}

export class SelectionError extends Error {}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total)
    throw new SelectionError(
      `shard "${text}" is not i/n with 1 <= i <= n (for example 1/4); in a matrix use shard: \${{ matrix.shard }}/4`,
    );
  return { index, total };
}

/** Task filters: ids or globs (`auth-*`), separated by commas, spaces or newlines. */
export function parseTaskFilter(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean);
}

interface Selectable {
  task: { id: string };
  agent: string;
  trial: number;
}

/**
 * Keeps the runs matching the filter, then this shard's share. Runs are ordered by task, agent
 * and trial and dealt round-robin, so shards are balanced and every shard of one matrix agrees
 * on the split without talking to the others.
 */
export function selectRuns<T extends Selectable>(
  runs: T[],
  opts: { tasks?: string[]; shard?: Shard },
): T[] {
  let out = runs;
  if (opts.tasks?.length) {
    const res = opts.tasks.map((t) => ({ t, re: globToRegExp(t) }));
    const unmatched = res.filter(({ re }) => !runs.some((r) => re.test(r.task.id)));
    if (unmatched.length) {
      const ids = [...new Set(runs.map((r) => r.task.id))];
      throw new SelectionError(
        `task filter ${unmatched.map((u) => JSON.stringify(u.t)).join(', ')} matches no task of this suite (tasks: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''})`,
      );
    }
    out = runs.filter((r) => res.some(({ re }) => re.test(r.task.id)));
  }
  if (opts.shard && opts.shard.total > 1) {
    const key = (r: T) => `${r.task.id}\0${r.agent}\0${String(r.trial).padStart(6, '0')}`;
    const sorted = [...out].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const mine = new Set(sorted.filter((_, i) => i % opts.shard!.total === opts.shard!.index - 1));
    out = out.filter((r) => mine.has(r));
  }
  return out;
}
