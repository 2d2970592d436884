import type { TaskComparison } from '../../../../core/src/index.js';
import { byKind } from './order.js';

/** The table's sort: by kind (the reading order, the default), by id, or by evidence. */
export interface TaskSort {
  key: 'kind' | 'task' | 'agent' | 'p' | 'p_adjusted';
  dir: 'asc' | 'desc';
}

const text = (a: unknown, b: unknown) => String(a).localeCompare(String(b));
/** A missing p sorts after every real one, whichever the direction. */
const pKey = (p: number | null) => (typeof p === 'number' && Number.isFinite(p) ? p : null);

function compareP(a: number | null, b: number | null, sign: number) {
  const x = pKey(a);
  const y = pKey(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return (x - y) * sign;
}

export function sortTasks(rows: readonly TaskComparison[], s: TaskSort): TaskComparison[] {
  const sign = s.dir === 'asc' ? 1 : -1;
  const cmp = (a: TaskComparison, b: TaskComparison): number => {
    switch (s.key) {
      case 'kind':
        return byKind(a, b) * sign;
      case 'task':
        return text(a.task_id, b.task_id) * sign || text(a.agent, b.agent);
      case 'agent':
        return text(a.agent, b.agent) * sign || text(a.task_id, b.task_id);
      case 'p':
        return compareP(a.p_value, b.p_value, sign) || byKind(a, b);
      case 'p_adjusted':
        return compareP(a.p_adjusted, b.p_adjusted, sign) || byKind(a, b);
    }
  };
  return [...rows].sort(cmp);
}
