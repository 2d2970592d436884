import { describe, expect, it } from 'vitest';
import type { ToolCallRecord } from '../results/record.js';
import { record } from '../test-support/records.js';
import { ledgerMarkdown, ledgerText, violationsMarkdown } from './ledger.js';

const state = (status: string) => ({
  entities: { order: { '4522': { order_id: '4522', status } } },
  flags: status === 'cancelled' ? ['order_cancelled'] : [],
  tombstones: {},
});
const row = (over: Partial<ToolCallRecord>): ToolCallRecord => ({
  id: 'tc',
  name: 'get_order',
  source: 'odyssey',
  args: { order_id: '4522' },
  response: { status: 'paid' },
  status: 200,
  latency_ms: 4,
  started_at: '2026-11-23T10:00:00Z',
  actor_id: 'support',
  ledger: { state: state('paid'), changes: [] },
  ...over,
});

const cancelRun = record({
  task_id: 'cancel',
  trajectory: {
    steps: [],
    model_calls: [],
    trace_events: [],
    dropped_steps: 0,
    tool_calls: [
      row({ source: 'injected', status: 503, rule: 0, error: 'service_unavailable: down' }),
      row({}),
      row({
        name: 'cancel_order',
        response: { status: 'cancelled' },
        ledger: {
          state: state('cancelled'),
          changes: [
            {
              op: 'update',
              entity_type: 'order',
              entity_id: '4522',
              fields: { status: 'cancelled' },
            },
            { op: 'set_flag', flag: 'order_cancelled', value: true },
          ],
        },
      }),
    ],
  },
  tool_calls: {
    total: 3,
    by_source: { odyssey: 2, injected: 1, passthrough: 0, error: 0, transport_error: 0 },
    simulator_faults: 0,
  },
});

describe('ledger rows in the reports', () => {
  it('shows each call with its badge, its Changes, and the State after the last one', () => {
    const t = ledgerText(cancelRun);
    expect(t).toMatch(/call 1 get_order · injected \(rule 0\)/);
    expect(t).toMatch(/call 3 cancel_order · simulated/);
    expect(t).toContain('update order/4522 {"status":"cancelled"}');
    expect(t).toContain('set_flag order_cancelled');
    expect(t).toMatch(/State after call 3/);
    const md = ledgerMarkdown(cancelRun);
    expect(md).toContain('**call 3**');
    expect(md).toContain('simulated');
    expect(md).not.toMatch(/#\d/);
  });

  it("names a simulator's refused replies as ledger violations", () => {
    const r = record({
      task_id: 'email',
      ledger_violations: [
        { call_id: 'tc', tool: 'get_customer', attempt: 'retry', errors: ['undeclared type'] },
      ],
    });
    expect(violationsMarkdown(r)).toContain('undeclared type');
    expect(violationsMarkdown(record({ task_id: 'x' }))).toBe('');
  });
});
