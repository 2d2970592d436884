import type {
  ModelCall,
  RunRecord,
  ToolCallRecord,
  TraceEvent,
  TrajectoryStep,
} from '../../../../core/src/index.js';
import { arr, isObj, obj, str, text } from '../../data/safe.js';

/**
 * The rows of the trajectory timeline (seed 001): agent turns, tool calls, trace events, shell
 * and edit steps, model calls and what the capture saw, interleaved in time order.
 *
 * The record's steps are the spine (the engine already interleaves model calls, tool calls and
 * trace events with the captured steps); a tool_call or model_call step is joined to its full
 * record by id, a trace_event step to its event by time and type. Tool calls and trace events
 * no step names (older records, dropped steps) still get a row of their own, placed by time.
 */
export type RowKind =
  | 'turn'
  | 'reasoning'
  | 'final'
  | 'tool'
  | 'model'
  | 'event'
  | 'shell'
  | 'edit'
  | 'error'
  | 'network'
  | 'system';

export interface TimelineRow {
  /** The `data-step` value: the step's index, or `tool-<i>` / `event-<i>` for an unnamed one. */
  id: string;
  kind: RowKind;
  at: string;
  /** Milliseconds since the epoch; rows without a readable time keep their neighbour's. */
  time: number;
  summary: string;
  step?: TrajectoryStep;
  /** Agent turns: the thinking steps of the turn since the previous assistant message. */
  thinking?: TrajectoryStep[];
  tool?: ToolCallRecord;
  /** The tool call's index in trajectory.tool_calls (the ledger replays in that order). */
  toolIndex?: number;
  model?: ModelCall;
  event?: TraceEvent;
  actor?: string;
  turn?: number;
}

/** Kinds the timeline hides until asked: the capture's connection-level noise. */
export const HIDDEN_BY_DEFAULT: ReadonlySet<RowKind> = new Set(['network']);

const KIND_OF: Record<string, RowKind> = {
  assistant: 'turn',
  thinking: 'reasoning',
  final_response: 'final',
  tool_call: 'tool',
  model_call: 'model',
  trace_event: 'event',
  shell: 'shell',
  read: 'shell',
  search: 'shell',
  process: 'shell',
  edit: 'edit',
  file_write: 'edit',
  exception: 'error',
  http: 'network',
  http_request: 'network',
  network: 'network',
  file_read: 'system',
  file_op: 'system',
};

export const kindOf = (type: unknown): RowKind =>
  typeof type === 'string' && Object.hasOwn(KIND_OF, type) ? KIND_OF[type] : 'system';

const detailId = (s: TrajectoryStep) => str(obj(s.detail).id);

/** An event's line: its type, a handoff's ends and reason, else its text. */
export function eventSummary(e: TraceEvent): string {
  const d = obj(e.data);
  const type = text(e.type ?? 'event');
  if (type === 'handoff' && (str(d.from) || str(d.to)))
    return `handoff ${str(d.from) ?? '?'} → ${str(d.to) ?? '?'}${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
  const t = str(d.text) ?? str(d.content) ?? str(d.message);
  return t ? `${type}: ${t}` : type;
}

const parseTime = (at: unknown) => (typeof at === 'string' ? Date.parse(at) : NaN);

export function buildTimeline(record: Partial<RunRecord>): TimelineRow[] {
  const traj = obj(record.trajectory);
  const steps = arr<TrajectoryStep>(traj.steps).filter(isObj);
  const tools = arr<ToolCallRecord>(traj.tool_calls).filter(isObj);
  const models = arr<ModelCall>(traj.model_calls).filter(isObj);
  const events = arr<TraceEvent>(traj.trace_events).filter(isObj);

  const toolById = new Map<string, number>();
  tools.forEach((t, i) => typeof t.id === 'string' && toolById.set(t.id, i));
  const modelById = new Map<string, ModelCall>();
  for (const m of models) if (typeof m.id === 'string') modelById.set(m.id, m);
  const usedTools = new Set<number>();
  const usedEvents = new Set<number>();

  // A trace_event step names no id: it is the first unclaimed event of its type at its time.
  const eventFor = (s: TrajectoryStep): number | undefined => {
    const type = text(s.summary ?? '').split(':')[0];
    let fallback: number | undefined;
    for (let i = 0; i < events.length; i++) {
      if (usedEvents.has(i) || events[i].occurred_at !== s.at) continue;
      if (events[i].type === type) return i;
      fallback ??= i;
    }
    return fallback;
  };

  const rows: TimelineRow[] = [];
  let thinking: TrajectoryStep[] = [];
  let thinkingRows: TimelineRow[] = [];
  steps.forEach((s, i) => {
    const kind = kindOf(s.type);
    const row: TimelineRow = {
      id: String(i),
      kind,
      at: str(s.at) ?? '',
      time: parseTime(s.at),
      summary: text(s.summary ?? ''),
      step: s,
      ...(typeof s.actor_id === 'string' ? { actor: s.actor_id } : {}),
      ...(typeof s.turn === 'number' ? { turn: s.turn } : {}),
    };
    if (kind === 'tool') {
      const id = detailId(s);
      const ti = id === null ? undefined : toolById.get(id);
      if (ti !== undefined && !usedTools.has(ti)) {
        usedTools.add(ti);
        row.tool = tools[ti];
        row.toolIndex = ti;
      }
    } else if (kind === 'model') {
      const id = detailId(s);
      const m = id === null ? undefined : modelById.get(id);
      if (m) row.model = m;
    } else if (kind === 'event') {
      const ei = eventFor(s);
      if (ei !== undefined) {
        usedEvents.add(ei);
        row.event = events[ei];
        row.summary = eventSummary(events[ei]);
      }
    }
    // Thinking folds into the next assistant message of the same turn (the seed's "assistant
    // row with a thinking array"); thinking no message follows stays a row of its own.
    if (kind === 'reasoning') {
      thinking.push(s);
      thinkingRows.push(row);
      rows.push(row);
      return;
    }
    if (kind === 'turn' && thinking.length) {
      const sameTurn = thinking.filter((t) => t.turn === s.turn);
      if (sameTurn.length === thinking.length) {
        row.thinking = thinking;
        const folded = new Set(thinkingRows);
        for (let k = rows.length - 1; k >= 0 && folded.size; k--)
          if (folded.delete(rows[k])) rows.splice(k, 1);
      }
      thinking = [];
      thinkingRows = [];
    }
    rows.push(row);
  });

  const orphans: TimelineRow[] = [];
  tools.forEach((t, i) => {
    if (usedTools.has(i)) return;
    orphans.push({
      id: `tool-${i}`,
      kind: 'tool',
      at: str(t.started_at) ?? '',
      time: parseTime(t.started_at),
      summary: text(t.name ?? 'tool call'),
      tool: t,
      toolIndex: i,
      ...(typeof t.actor_id === 'string' ? { actor: t.actor_id } : {}),
      ...(typeof t.turn === 'number' ? { turn: t.turn } : {}),
    });
  });
  events.forEach((e, i) => {
    if (usedEvents.has(i)) return;
    const at = str(e.occurred_at) ?? str(e.received_at) ?? '';
    orphans.push({
      id: `event-${i}`,
      kind: 'event',
      at,
      time: parseTime(at),
      summary: eventSummary(e),
      event: e,
      ...(typeof e.actor_id === 'string' ? { actor: e.actor_id } : {}),
    });
  });
  return orderRows([...rows, ...orphans]);
}

/**
 * Time order, stable: rows with equal times keep the record's order (the final response stays
 * last), and a row without a readable time keeps its place after the row before it.
 */
export function orderRows(rows: TimelineRow[]): TimelineRow[] {
  let last = -Infinity;
  const keyed = rows.map((r, i) => {
    if (Number.isFinite(r.time)) last = r.time;
    return { r, i, t: Number.isFinite(r.time) ? r.time : last };
  });
  let sorted = true;
  for (let i = 1; i < keyed.length && sorted; i++) sorted = keyed[i - 1].t <= keyed[i].t;
  if (!sorted) keyed.sort((a, b) => a.t - b.t || a.i - b.i);
  return keyed.map((k) => k.r);
}

/** Row counts by kind, for the timeline's filter. */
export function countKinds(rows: TimelineRow[]): Map<RowKind, number> {
  const counts = new Map<RowKind, number>();
  for (const r of rows) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return counts;
}
