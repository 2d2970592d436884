import { describe, expect, it } from 'vitest';
import type { RunRecord, TrajectoryStep } from '../../../../core/src/index.js';
import { buildTimeline, countKinds, orderRows, type TimelineRow } from './timeline.js';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
const step = (ms: number, type: string, summary: string, extra: Partial<TrajectoryStep> = {}) =>
  ({ at: at(ms), type, summary, ...extra }) as TrajectoryStep;
const record = (traj: Record<string, unknown>) =>
  ({
    trajectory: { steps: [], model_calls: [], tool_calls: [], trace_events: [], ...traj },
  }) as unknown as RunRecord;

describe('buildTimeline', () => {
  it('joins tool_call and model_call steps to their records by id', () => {
    const rows = buildTimeline(
      record({
        steps: [
          step(1, 'model_call', 'm', { detail: { id: 'mc1' } }),
          step(2, 'tool_call', 'get_order [simulated]', { detail: { id: 'tc1' } }),
        ],
        model_calls: [{ id: 'mc1', latency_ms: 3 }],
        tool_calls: [{ id: 'tc1', name: 'get_order', source: 'odyssey', started_at: at(2) }],
      }),
    );
    expect(rows.map((r) => [r.id, r.kind])).toEqual([
      ['0', 'model'],
      ['1', 'tool'],
    ]);
    expect(rows[0].model?.id).toBe('mc1');
    expect(rows[1].tool?.name).toBe('get_order');
    expect(rows[1].toolIndex).toBe(0);
  });

  it('gives tool calls and trace events no step names a row of their own, in time order', () => {
    const rows = buildTimeline(
      record({
        steps: [step(10, 'assistant', 'first'), step(30, 'final_response', 'done')],
        tool_calls: [{ id: 'x', name: 'lookup', source: 'passthrough', started_at: at(20) }],
        trace_events: [
          { type: 'custom', occurred_at: at(5), received_at: at(6), data: { text: 'hello' } },
        ],
      }),
    );
    expect(rows.map((r) => r.id)).toEqual(['event-0', '0', 'tool-0', '1']);
    expect(rows[0].summary).toBe('custom: hello');
  });

  it('matches a trace_event step to its event by time and type, once', () => {
    const e = (type: string, data: Record<string, unknown>) =>
      ({ type, occurred_at: at(7), received_at: at(8), data }) as const;
    const rows = buildTimeline(
      record({
        steps: [step(7, 'trace_event', 'handoff'), step(7, 'trace_event', 'custom')],
        trace_events: [e('custom', { text: 'c' }), e('handoff', { from: 'a', to: 'b' })],
      }),
    );
    expect(rows.map((r) => r.summary)).toEqual(['handoff a → b', 'custom: c']);
    expect(rows).toHaveLength(2);
  });

  it('folds the thinking of a turn into the assistant message that follows it', () => {
    const rows = buildTimeline(
      record({
        steps: [
          step(1, 'thinking', 'plan', { detail: { text: 'plan' } }),
          step(2, 'read', 'read a.py'),
          step(3, 'assistant', 'patching'),
          step(4, 'thinking', 'dangling'),
          step(5, 'shell', '$ pytest'),
        ],
      }),
    );
    expect(rows.map((r) => r.kind)).toEqual(['shell', 'turn', 'reasoning', 'shell']);
    expect(rows[1].thinking?.map((t) => t.summary)).toEqual(['plan']);
  });

  it('keeps thinking of another turn as its own row', () => {
    const rows = buildTimeline(
      record({
        steps: [
          step(1, 'thinking', 'turn one', { turn: 1 }),
          step(2, 'assistant', 'turn two', { turn: 2 }),
        ],
      }),
    );
    expect(rows.map((r) => r.kind)).toEqual(['reasoning', 'turn']);
    expect(rows[1].thinking).toBeUndefined();
  });

  it('never throws on a record of the wrong shape', () => {
    for (const odd of [
      {},
      { trajectory: null },
      { trajectory: { steps: 'x', tool_calls: 5, trace_events: [null, 1] } },
      { trajectory: { steps: [null, 3, { type: 5 }, { type: 'tool_call', detail: 'x' }] } },
      // String() throws on an object whose toString is not a function.
      JSON.parse(`{"trajectory": {
        "steps": [{"type": "trace_event", "at": {"toString": 1}, "summary": {"toString": 1}}],
        "tool_calls": [{"name": {"toString": 1}, "started_at": {"toString": 1}}],
        "trace_events": [{"type": {"toString": 1}, "occurred_at": {"toString": 1}}]}}`),
    ])
      expect(() => buildTimeline(odd as unknown as RunRecord)).not.toThrow();
    const rows = buildTimeline(record({ steps: [{ type: '__proto__' }, { type: 'constructor' }] }));
    expect(rows.map((r) => r.kind)).toEqual(['system', 'system']);
  });

  it('counts rows by kind for the filter', () => {
    const rows = buildTimeline(
      record({ steps: [step(1, 'http', 'connect'), step(2, 'http_request', 'GET /')] }),
    );
    expect(countKinds(rows).get('network')).toBe(2);
  });
});

describe('orderRows', () => {
  const row = (id: string, time: number) => ({ id, time }) as TimelineRow;

  it('sorts by time, keeping the record order of equal times', () => {
    const out = orderRows([row('a', 5), row('b', 1), row('c', 5), row('d', 1)]);
    expect(out.map((r) => r.id)).toEqual(['b', 'd', 'a', 'c']);
  });

  it('keeps a row without a readable time after the row before it', () => {
    const out = orderRows([row('a', 10), row('b', NaN), row('c', 5), row('d', 20)]);
    expect(out.map((r) => r.id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('orders 5,000 rows in well under a frame budget', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(String(i), (i * 7919) % 5000));
    const t = performance.now();
    const out = orderRows(rows);
    expect(performance.now() - t).toBeLessThan(100);
    for (let i = 1; i < out.length; i++) expect(out[i - 1].time).toBeLessThanOrEqual(out[i].time);
  });
});
