import type { TaskComparison } from '../../../../core/src/index.js';

/**
 * What a task's row says, in the order a reviewer reads them: changes beyond noise first
 * (regressions, then improvements), then flips the trials cannot tell from chance, then tasks
 * only one side ran, then the unchanged.
 */
export const KINDS = ['regression', 'improvement', 'noisy', 'new', 'removed', 'unchanged'] as const;
export type Kind = (typeof KINDS)[number];

export function kindOf(t: TaskComparison): Kind {
  switch (t.change) {
    case 'regressed':
      return t.beyond_noise ? 'regression' : 'noisy';
    case 'improved':
      return t.beyond_noise ? 'improvement' : 'noisy';
    case 'new':
    case 'removed':
      return t.change;
    default:
      return 'unchanged';
  }
}

const rank = (t: TaskComparison) => KINDS.indexOf(kindOf(t));
/** A missing p sorts last (new and removed tasks have none). */
const pOr1 = (p: number | null | undefined) =>
  typeof p === 'number' && Number.isFinite(p) ? p : 2;
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Kind first; within a kind the strongest evidence (smallest adjusted p, then p), then ids. */
export function byKind(a: TaskComparison, b: TaskComparison): number {
  return (
    rank(a) - rank(b) ||
    pOr1(a.p_adjusted) - pOr1(b.p_adjusted) ||
    pOr1(a.p_value) - pOr1(b.p_value) ||
    text(String(a.task_id), String(b.task_id)) ||
    text(String(a.agent), String(b.agent))
  );
}

export const orderTasks = (ts: readonly TaskComparison[]) => [...ts].sort(byKind);

/** Above this many tasks the table opens on the changed ones only. */
export const MANY_TASKS = 20;

export const isChanged = (t: TaskComparison) => kindOf(t) !== 'unchanged';

/** The rows shown: every task, or (changed only) every task whose verdict moved or is one-sided. */
export function visibleTasks(ts: readonly TaskComparison[], changedOnly: boolean) {
  const ordered = orderTasks(ts);
  return changedOnly ? ordered.filter(isChanged) : ordered;
}

export function countKinds(ts: readonly TaskComparison[]): Record<Kind, number> {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  for (const t of ts) counts[kindOf(t)]++;
  return counts;
}
