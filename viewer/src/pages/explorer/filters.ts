import type { Comparison } from '../../../../core/src/index.js';
import type { TaskRuns } from '../../data/suite.js';

/** The display modes: all runs, failed verdicts, runs that errored, and verdicts that changed. */
export const MODES = ['all', 'failures', 'errors', 'changed'] as const;
export type Mode = (typeof MODES)[number];

export const isMode = (s: string | null): s is Mode => MODES.includes(s as Mode);

const changedKeys = (c: Comparison) =>
  new Set(c.tasks.filter((t) => t.change !== 'unchanged').map((t) => `${t.task_id}\0${t.agent}`));

export function modeFilter(mode: Mode, comparison: Comparison | null) {
  switch (mode) {
    case 'all':
      return () => true;
    case 'failures':
      return (t: TaskRuns) =>
        t.latest.run.verdict === 'FAIL' || t.latest.run.verdict === 'UNCERTAIN';
    case 'errors':
      return (t: TaskRuns) => t.latest.run.status === 'failed' || !!t.latest.run.error_class;
    case 'changed': {
      const keys = comparison ? changedKeys(comparison) : new Set<string>();
      return (t: TaskRuns) => keys.has(t.key);
    }
  }
}

/** Free text over what a row shows: task, agent, status, chip, verdict and failure mode. */
export function textFilter(q: string) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return () => true;
  return (t: TaskRuns) => {
    const r = t.latest.run;
    const hay = [t.task_id, t.agent, r.status, r.error_class, r.verdict, r.failure_mode]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  };
}
