import type { TraceEvent } from '../results/record.js';
import { GATEWAY_BUDGETS, type RunBudget } from './budget.js';

const EVENT_TYPES = new Set([
  'assistant_message',
  'thinking',
  'system_prompt',
  'custom',
  'handoff',
]);

/**
 * Parses a `POST /trace-events` body (one event or a list) into `into`, within the run's
 * budget. Returns the count accepted, or the reason the whole body is refused.
 */
export function acceptTraceEvents(
  body: Buffer,
  into: TraceEvent[],
  budget: RunBudget,
): { accepted: number } | { refused: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { refused: 'trace event body must be JSON' };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const e of list)
    if (!e || typeof e !== 'object' || !EVENT_TYPES.has((e as { type?: string }).type ?? ''))
      return { refused: `each event needs type: ${[...EVENT_TYPES].join(' | ')}` };
  const now = new Date().toISOString();
  const b = GATEWAY_BUDGETS.traceEvents;
  for (const e of list as Record<string, unknown>[]) {
    const { type, __occurred_at, actor_id, ...raw } = e;
    if (into.length >= b.count) {
      budget.drop('trace event');
      continue;
    }
    const data = budget.keep('trace event', raw, b.each, b.totalBytes);
    if (data === undefined) continue;
    const occurred =
      typeof __occurred_at === 'string' && !Number.isNaN(Date.parse(__occurred_at))
        ? new Date(__occurred_at).toISOString()
        : now;
    const actor = typeof actor_id === 'string' ? { actor_id: actor_id.slice(0, 256) } : {};
    into.push({
      type: type as TraceEvent['type'],
      occurred_at: occurred,
      received_at: now,
      ...actor,
      data: data as Record<string, unknown>,
    });
  }
  return { accepted: list.length };
}
